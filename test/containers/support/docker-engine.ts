import { spawn } from "node:child_process";
import http from "node:http";

/**
 * A small client of the Docker Engine: its HTTP API over the unix socket for what must
 * be exact (container and network creation take the same JSON the Terraform provider
 * sends), the `docker` CLI for what a user would type (build, import, exec, logs).
 */

/** The Engine API version spoken: Docker 20.10's, which every newer engine still accepts. */
export const ENGINE_API_VERSION = "v1.41";

/** An Engine API call that did not answer with a 2xx status. */
export class EngineError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Docker Engine ${method} ${path} answered ${status}: ${detail}`);
    this.name = "EngineError";
  }
}

/** What a `docker` CLI run printed. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link DockerEngine.cli}. */
export interface CliOptions {
  /** Kill the command after this many milliseconds and fail, naming what it ran. */
  readonly timeoutMs: number;
  /** Extra environment variables. @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Fail unless the command exits 0. @default true */
  readonly check?: boolean;
  /** Working directory. @default the current one */
  readonly cwd?: string;
}

/** The Docker Engine the local environment targets (DOCKER_HOST, like the provider). */
export class DockerEngine {
  /** The unix socket of the engine. */
  readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  /** The engine named by DOCKER_HOST (unix sockets only), else /var/run/docker.sock. */
  static fromEnvironment(variables: Readonly<Record<string, string | undefined>> = process.env): DockerEngine {
    const host = variables.DOCKER_HOST || "unix:///var/run/docker.sock";
    if (!host.startsWith("unix://")) {
      throw new Error(
        `DOCKER_HOST: ${JSON.stringify(host)} is not supported by the container tests; accepted: a unix:// socket`,
      );
    }
    return new DockerEngine(host.slice("unix://".length));
  }

  /** Calls the Engine API and parses its JSON answer (undefined for an empty body). */
  request<T>(method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const fullPath = `/${ENGINE_API_VERSION}${path}`;
    return new Promise<T>((resolve, reject) => {
      const request = http.request(
        {
          socketPath: this.socketPath,
          method,
          path: fullPath,
          headers:
            payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = response.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              let detail = text.trim();
              try {
                detail = (JSON.parse(text) as { message?: string }).message ?? detail;
              } catch {
                // not JSON: keep the raw text
              }
              reject(new EngineError(method, fullPath, status, detail));
              return;
            }
            resolve((text.trim() === "" ? undefined : JSON.parse(text)) as T);
          });
        },
      );
      request.on("timeout", () =>
        request.destroy(new Error(`Docker Engine ${method} ${fullPath} did not answer within ${timeoutMs / 1000}s`)),
      );
      request.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ECONNREFUSED") {
          reject(
            new Error(
              `no Docker Engine answers on ${this.socketPath} (${error.code}); start dockerd, or set DOCKER_HOST`,
            ),
          );
        } else {
          reject(error);
        }
      });
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  /** Runs the `docker` CLI against this engine; bounded by `timeoutMs`. */
  cli(args: readonly string[], options: CliOptions): Promise<CommandResult> {
    const command = `docker ${args.join(" ")}`;
    return new Promise((resolve, reject) => {
      const child = spawn("docker", args, {
        cwd: options.cwd,
        env: { ...process.env, DOCKER_HOST: `unix://${this.socketPath}`, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(
          new Error(
            `\`${command}\` did not finish within ${options.timeoutMs / 1000}s; its last output:\n${tail(stdout + stderr, 30)}`,
          ),
        );
      }, options.timeoutMs);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot run \`${command}\`: ${error.message}`));
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        const result = { exitCode: code ?? -1, stdout, stderr };
        if ((options.check ?? true) && result.exitCode !== 0) {
          reject(new Error(`\`${command}\` exited ${result.exitCode}:\n${tail(stdout + stderr, 40)}`));
        } else {
          resolve(result);
        }
      });
    });
  }

  /** The last lines a container printed, for failure messages. */
  async logsOf(container: string, lines = 40): Promise<string> {
    const result = await this.cli(["logs", "--tail", String(lines), container], { timeoutMs: 30_000, check: false });
    return tail(result.stdout + result.stderr, lines) || "(no output)";
  }
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
