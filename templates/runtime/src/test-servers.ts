import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { backingServiceUrlVariable } from "./config.js";
import { type BackingServiceKind, connectedResources, type ServiceManifest } from "./service-manifest.js";

// Real PostgreSQL, Redis and RabbitMQ servers for tests (the runtime's, and a service's own through
// @platform/service-runtime/testing): Debian's packages,
// each started on a free loopback port with its data in a temporary folder, waited for
// by the line the server prints once it accepts connections, and stopped (data deleted)
// by `remove()`. A test file starts each server it needs once, in beforeAll, and removes
// it in afterAll. Whatever is still running when the test process exits is killed.

/** A server the test started; `stop` and `start` again keep its data and its port. */
export interface BackingServer {
  /** The connection URL a service gets in `<PREFIX>_URL`. */
  readonly url: string;
  readonly port: number;
  /** Stops it and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again (after `stop`) on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

/** A PostgreSQL server, with the means to look inside it. */
export interface PostgresServer extends BackingServer {
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs one statement as the superuser in `database` and returns the rows. */
  query<T extends Record<string, unknown>>(database: string, sql: string): Promise<T[]>;
}

/** A Redis server, which a test can also freeze: it keeps its connections but answers nothing. */
export interface RedisServer extends BackingServer {
  /** Suspends the server (SIGSTOP): connections stay open, commands get no answer. */
  pause(): void;
  /** Lets it run again (SIGCONT); it answers what waited. */
  resume(): void;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Where {@link freePort} picks: below Linux's ephemeral range (32768 to 60999), from which
 * the kernel gives a port to every outgoing connection and every `listen(0)`. A port of
 * that range, free when picked, was taken by a connection of another test before a slow
 * server bound it (RabbitMQ, seconds later: `eaddrinuse`, with two suites side by side).
 * Below it, only a listener that names the port can take it.
 */
export const FREE_PORT_RANGE = { from: 20_000, to: 32_767 } as const;

/** A loopback port of {@link FREE_PORT_RANGE} that was free a moment ago. */
export async function freePort(): Promise<number> {
  const { from, to } = FREE_PORT_RANGE;
  for (let tries = 1; ; tries++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    const server = createServer();
    const listening = await new Promise<boolean>((resolve, reject) => {
      // Only a port in use is tried again; any other refusal (EACCES, ...) is the machine's.
      server.once("error", (error: NodeJS.ErrnoException) =>
        error.code === "EADDRINUSE" ? resolve(false) : reject(error),
      );
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (listening) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
    if (tries === 100) throw new Error(`freePort: 100 ports from ${from} to ${to} were all in use`);
  }
}

/**
 * What a server prints when a port of its was taken after it was picked: PostgreSQL and
 * Redis (`Address already in use`), RabbitMQ's listener (`eaddrinuse`), its distribution
 * port (`dist_port_already_used`) and its own epmd (`there is already a epmd running`).
 */
const PORT_TAKEN = /eaddrinuse|address already in use|dist_port_already_used|already a epmd running/i;

/**
 * Starts a server with `start`; when it could not listen because its port was taken in
 * the meantime (by another test that picked the same port), picks new ports with
 * `pickPorts` and starts again, three times at most.
 */
export async function startRetryingTakenPorts(
  start: () => Promise<void>,
  pickPorts: () => Promise<void>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt === 3 || !PORT_TAKEN.test(message)) throw error;
      await pickPorts();
    }
  }
}

function missing(binary: string, debianPackage: string): Error {
  return new Error(
    `${binary}: not found; install Debian's ${debianPackage} package with \`apt-get update && apt-get install -y --no-install-recommends ${debianPackage}\` (.ci/run does)`,
  );
}

/** The absolute path of `binary` on the PATH, or undefined. */
function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Spawns a server and resolves once a line of its output matches `ready`; rejects with
 * its last output when it exits first.
 */
async function spawnServer(
  command: string,
  args: readonly string[],
  ready: RegExp,
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string } = {},
): Promise<ChildProcess> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const exited = once(child, "exit");
  void exited.then(() => running.delete(child));
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4_000);
      if (ready.test(output)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", reject);
    void exited.then(([code, signal]) =>
      reject(new Error(`${command} exited ${code ?? signal} before it was ready; its output ended with:\n${output}`)),
    );
  });
  return child;
}

async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}

/** The folder of PostgreSQL's server programs (initdb, postgres): beside `postgres` on the PATH, else Debian's newest. */
function postgresBinDir(): string {
  const onThePath = onPath("postgres");
  if (onThePath) return path.dirname(realpathSync(onThePath));
  const versions = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql")
        .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw missing("postgres", "postgresql");
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/** PostgreSQL refuses to run as root: as root, its programs run as Debian's `postgres` user. */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return {
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
  };
}

/**
 * Starts PostgreSQL on loopback: a new cluster (initdb) in a temporary folder, user
 * `platform` with a random password checked by SCRAM, no fsync (test data).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = postgresUser();
  const folder = mkdtempSync(path.join(os.tmpdir(), "runtime-postgres-"));
  const data = path.join(folder, "data");
  const password = randomBytes(12).toString("hex");
  let port = await freePort();
  let child: ChildProcess | undefined;
  const remove = async () => {
    await stopProcess(child, "SIGINT");
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    writeFileSync(path.join(folder, "password"), password);
    if (user.uid !== undefined) {
      chownSync(folder, user.uid, user.gid!);
      chownSync(path.join(folder, "password"), user.uid, user.gid!);
    }
    await new Promise<void>((resolve, reject) => {
      const initdb = spawn(
        path.join(bin, "initdb"),
        ["-D", data, "-U", "platform", `--pwfile=${path.join(folder, "password")}`, "--auth=scram-sha-256"],
        { ...user, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } },
      );
      let complaint = "";
      initdb.stderr.on("data", (chunk: Buffer) => (complaint += chunk.toString("utf8")));
      initdb.once("error", reject);
      initdb.once("exit", (code) =>
        code === 0 ? resolve() : reject(new Error(`initdb exited ${code}: ${complaint}`)),
      );
    });
    const start = async () => {
      child = await spawnServer(
        path.join(bin, "postgres"),
        ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-k", folder, "-c", "fsync=off"],
        /database system is ready to accept connections/,
        user,
      );
    };
    await startRetryingTakenPorts(start, async () => {
      port = await freePort();
    });
    const url = (database: string) => `postgresql://platform:${password}@127.0.0.1:${port}/${database}`;
    const query = async <T extends Record<string, unknown>>(database: string, sql: string): Promise<T[]> => {
      const client = new pg.Client({ connectionString: url(database) });
      await client.connect();
      try {
        return (await client.query<T>(sql)).rows;
      } finally {
        await client.end();
      }
    };
    return {
      url: url("postgres"),
      port,
      start,
      stop: () => stopProcess(child, "SIGINT"),
      remove,
      async createDatabase(name) {
        await query("postgres", `CREATE DATABASE "${name}"`);
        return url(name);
      },
      query,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Starts Redis on loopback with a random password and no persistence. */
export async function startRedis(): Promise<RedisServer> {
  const binary = onPath("redis-server") ?? (existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : undefined);
  if (!binary) throw missing("redis-server", "redis-server");
  const folder = mkdtempSync(path.join(os.tmpdir(), "runtime-redis-"));
  const password = randomBytes(12).toString("hex");
  let port = await freePort();
  let child: ChildProcess | undefined;
  const remove = async () => {
    await stopProcess(child, "SIGTERM");
    rmSync(folder, { recursive: true, force: true });
  };
  const start = async () => {
    child = await spawnServer(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no"],
      /Ready to accept connections/,
      { cwd: folder },
    );
  };
  try {
    await startRetryingTakenPorts(start, async () => {
      port = await freePort();
    });
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    start,
    stop: () => stopProcess(child, "SIGTERM"),
    // A suspended process does not stop on SIGTERM: remove() lets it run first.
    remove: async () => {
      child?.kill("SIGCONT");
      await remove();
    },
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
  };
}

/**
 * Starts RabbitMQ on loopback: a node of its own name, with its own Erlang port mapper
 * (epmd) on a free port, its data and logs in a temporary folder; the default user
 * `guest`, which RabbitMQ accepts from loopback only.
 */
export async function startRabbitmq(): Promise<BackingServer> {
  const server = existsSync("/usr/lib/rabbitmq/bin/rabbitmq-server")
    ? "/usr/lib/rabbitmq/bin/rabbitmq-server"
    : undefined;
  if (!server) throw missing("rabbitmq-server", "rabbitmq-server");
  const epmd = onPath("epmd") ?? "/usr/bin/epmd";
  if (!existsSync(epmd)) throw missing("epmd", "rabbitmq-server");
  const folder = mkdtempSync(path.join(os.tmpdir(), "runtime-rabbitmq-"));
  writeFileSync(path.join(folder, "enabled_plugins"), "[].\n");
  let port = 0;
  let env: NodeJS.ProcessEnv = {};
  const pickPorts = async () => {
    // Three different ports: each was free when picked, so two picks may be the same one.
    const picked = new Set<number>();
    while (picked.size < 3) picked.add(await freePort());
    const [node, distribution, portMapper] = [...picked] as [number, number, number];
    port = node;
    env = {
      PATH: process.env.PATH,
      HOME: folder,
      LANG: "C.UTF-8",
      ERL_EPMD_PORT: String(portMapper),
      RABBITMQ_NODENAME: `runtime-test-${node}@localhost`,
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_NODE_PORT: String(node),
      RABBITMQ_DIST_PORT: String(distribution),
      RABBITMQ_MNESIA_BASE: path.join(folder, "mnesia"),
      RABBITMQ_LOG_BASE: path.join(folder, "log"),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(folder, "enabled_plugins"),
      RABBITMQ_CONFIG_FILE: path.join(folder, "rabbitmq"),
    };
  };
  let epmdChild: ChildProcess | undefined;
  let child: ChildProcess | undefined;
  const remove = async () => {
    await stopProcess(child, "SIGTERM");
    await stopProcess(epmdChild, "SIGTERM");
    rmSync(folder, { recursive: true, force: true });
  };
  // Stopped and started again (stop(), start()) with the same ports and the same epmd.
  const start = async () => {
    child = await spawnServer(server, [], /Starting broker\.\.\. completed/, { env, cwd: folder });
  };
  try {
    await pickPorts();
    await startRetryingTakenPorts(async () => {
      // Its own epmd, in the foreground, so that stopping it is ours to do (the node would
      // start a daemon). At `-d -d` it says when it listens ("entering the main select()
      // loop"); its "epmd running" comes before it binds, and a taken port then ends it.
      await stopProcess(epmdChild, "SIGTERM");
      epmdChild = await spawnServer(
        epmd,
        ["-d", "-d", "-port", env.ERL_EPMD_PORT!, "-address", "127.0.0.1"],
        /entering the main select\(\) loop/,
        { env },
      );
      await start();
    }, pickPorts);
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    start,
    stop: () => stopProcess(child, "SIGTERM"),
    remove,
  };
}

/** Servers for every backing service of a manifest, and the variables that lead to them. */
export interface ManifestServers {
  /** `<PREFIX>_URL` of each backing service, like `DB_URL`. */
  readonly variables: Readonly<Record<string, string>>;
  /** Stops every server and deletes its data. */
  remove(): Promise<void>;
}

/**
 * Starts one server of each type the manifest's backing services need (a database of its
 * own per PostgreSQL resource) and returns their `<PREFIX>_URL` variables. When one
 * cannot start, the others are removed before the error is thrown.
 */
export async function startServersFor(
  manifest: Pick<ServiceManifest, "backingServices" | "uses">,
): Promise<ManifestServers> {
  const declared = connectedResources(manifest).map(({ name, declaration }) => [name, declaration] as const);
  const types = [...new Set(declared.map(([, declaration]) => declaration.type))];
  const starters = { postgres: startPostgres, redis: startRedis, queue: startRabbitmq };
  const started = await Promise.allSettled(types.map((type) => starters[type]()));
  const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const remove = async () => void (await Promise.all(servers.map((server) => server.remove())));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    const serverOf = (type: BackingServiceKind) => servers[types.indexOf(type)]!;
    const variables: Record<string, string> = {};
    for (const [name, { type }] of declared) {
      const server = serverOf(type);
      variables[backingServiceUrlVariable(name)] =
        type === "postgres" ? await (server as PostgresServer).createDatabase(name.replace(/[-.]/g, "_")) : server.url;
    }
    return { variables, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
