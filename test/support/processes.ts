import { spawn } from "node:child_process";

/**
 * A pid no process can have: above Linux's largest (PID_MAX_LIMIT, 2^22) and macOS's
 * (99,998). What a killed run leaves is made with it, instead of racing a real kill.
 */
export const DEAD_PID = 2 ** 22 + 1;

/** A process that runs until it is stopped: the live owner of a lock or of a folder. */
export interface IdleProcess {
  readonly pid: number;
  /** Kills it and resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts an {@link IdleProcess}. */
export function startIdleProcess(): IdleProcess {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid!,
    stop() {
      child.kill("SIGKILL");
      return exited;
    },
  };
}
