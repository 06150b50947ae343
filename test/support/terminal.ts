import { spawn } from "node:child_process";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { ROOT, nodeArguments } from "./cli.js";

/** A CLI running in a pseudo-terminal (see `startInTerminal`). */
export interface TerminalSession {
  /**
   * Resolves with the screen text printed since the last `waitFor` resolved, as soon as it
   * matches `pattern`; rejects if the CLI ends first.
   */
  waitFor(pattern: RegExp): Promise<string>;
  /** Types keys, as a person would: `"pay\r"` is "pay" then Enter. */
  type(keys: string): void;
  /** Everything printed, without terminal escapes. */
  screen(): string;
  /** The exit status, once the CLI ended. */
  readonly finished: Promise<number | null>;
  /** Ends the CLI and its terminal if they still run (a test that failed half-way). */
  stop(): void;
}

/** Text as a person reads it: without the control sequences (colours, cursor moves) prompts print around it. */
const readable = (text: string) => stripVTControlCharacters(text).replaceAll("\r", "");

/**
 * Runs a CLI as its npm script does (see `nodeArguments`), with stdin and stdout on a
 * pseudo-terminal made by util-linux's `script`, so that it asks its questions as it does
 * for a person.
 */
export function startInTerminal(
  script: string,
  args: readonly string[],
  options: { cwd?: string } = {},
): TerminalSession {
  const cwd = options.cwd ?? ROOT;
  const command = [process.execPath, ...nodeArguments(path.join(cwd, script), args)].map(shellQuoted).join(" ");
  // -q: no banner; -f: flush each write; -e: the CLI's exit status; -c: the command; no log file.
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd,
    env: { ...process.env, COLUMNS: "200", LINES: "50", TERM: "xterm" },
    // What the CLI writes to stderr comes through the terminal too; script writes nothing of its own (-q).
    stdio: ["pipe", "pipe", "ignore"],
  });
  let printed = "";
  let seen = 0;
  const watchers = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    printed += chunk;
    for (const watch of watchers) watch();
  });
  const finished = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      resolve(status);
      for (const watch of watchers) watch();
    });
  });
  return {
    finished,
    screen: () => readable(printed),
    type: (keys) => child.stdin.write(keys),
    stop: () => {
      // The CLI gets a hang-up when its terminal goes with script.
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = () => {
          const fresh = readable(printed.slice(seen));
          if (pattern.test(fresh)) {
            watchers.delete(watch);
            seen = printed.length;
            resolve(fresh);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(watch);
            reject(
              new Error(`${script} ended (status ${child.exitCode}) before printing ${pattern}:\n${readable(printed)}`),
            );
          }
        };
        watchers.add(watch);
        watch();
      }),
  };
}

function shellQuoted(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
