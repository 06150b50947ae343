import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RABBITMQ_DATA_PATH } from "../../infra/targets/rabbitmq-server.js";
import { REDIS_DATA_PATH } from "../../infra/targets/redis-server.js";
import { declaredEnvironment } from "./support/engine-requests.js";
import { LocalStack, type StackResource } from "./support/local-stack.js";
import { runContext, type RunContext } from "./support/run-context.js";
import { type OneShotResult, StackRunner, type HealthyReport, type RunnerContainer } from "./support/stack-runner.js";

/**
 * A service's Redis store and RabbitMQ queue on the local stack, for real: the containers
 * of a copy of the repository whose `orders` owns a store `cache` and a queue `jobs`,
 * created from the synthesized JSON exactly as declared (user, read-only root, tmpfs,
 * capabilities, limits, command, variables, host name, named volume, internal network,
 * healthcheck), and throwaway clients on the networks of the owner and of the other services.
 *
 * No registry is reachable here, so the images are the run's stand-ins (see
 * support/data-server-stand-ins.ts), tagged with the names the stack pins
 * (redis:7.4.4-bookworm, rabbitmq:4.1.0): Redis 7.0 and RabbitMQ 3.10 from Debian bookworm's
 * packages. These tests prove that the declared settings let such servers start, take the
 * owner's authenticated clients, refuse the others and keep their data on the volume; not
 * that the official Redis 7.4 and RabbitMQ 4.1 images start under the same settings.
 */

const dataStack = LocalStack.read(inject("containerTestDataOutdir"));
/** Orders' data container whose image the stack pins under `family:` (the copy's orders owns one of each type; other examples own data too). */
const declaredOf = (family: string) =>
  dataStack
    .backingServiceContainers()
    .find((c) => c.service === "orders" && String(dataStack.imageOf(c)?.values.name).startsWith(`${family}:`));
const cacheAtCollection = declaredOf("redis");
const brokerAtCollection = declaredOf("rabbitmq");
const owner = cacheAtCollection?.service ?? "orders";
const nonOwners = dataStack.services().filter((service) => service !== owner);

/** The key the owner writes, then reads back after the store's container was made again. */
const KEY = { name: "order:1", value: "a book" };
/** The message the owner publishes, then gets after the broker's container was made again. */
const MESSAGE = "order-1 placed";

/**
 * The queue client: amqplib (the runtime's own library) on the node of the run's base
 * image. It resolves the host of AMQP_URL, connects to it with a 5 s bound, declares the queue durable, then
 * publishes one persistent message and waits for the broker's confirm, or gets one
 * message. Prints what it did; exits 2 with the error's code and message when it fails.
 */
const QUEUE_CLIENT = `
const amqp = require("amqplib");
const [operation, queue, body] = process.argv.slice(1);
(async () => {
  // The name first, with the resolver's own bounds: the 5 s of the connection would cut a slow NXDOMAIN short.
  await require("node:dns").promises.lookup(new URL(process.env.AMQP_URL).hostname);
  const connection = await amqp.connect(process.env.AMQP_URL, { timeout: 5000 });
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  if (operation === "publish") {
    channel.sendToQueue(queue, Buffer.from(body), { persistent: true });
    await channel.waitForConfirms();
    console.log("published");
  } else {
    const message = await channel.get(queue, { noAck: true });
    console.log(message ? "got " + message.content + " deliveryMode=" + message.properties.deliveryMode : "empty");
  }
  await connection.close();
})().catch((error) => {
  console.error("failed: " + (error.code ?? "") + " " + error.message);
  process.exit(2);
});
`;
/** Where the client finds amqplib: this repository's copy, mounted read-only (it has no dependencies). */
const AMQPLIB = path.dirname(realpathSync(createRequire(import.meta.url).resolve("amqplib")));

let context: RunContext;
let runner: StackRunner;
let cache: StackResource;
let broker: StackResource;
/** The variables the owner's containers get (CACHE_URL, JOBS_URL ...), references resolved. */
let ownerEnv: Record<string, string>;
const images: { redis?: string; rabbitmq?: string } = {};
const running: { cache?: RunnerContainer; broker?: RunnerContainer } = {};
const figures: Record<string, { first?: HealthyReport; second?: HealthyReport; seconds?: number; mb?: number }> = {};

/** Creates a data container exactly as declared, starts it and waits until Docker reports it healthy. */
async function startAsDeclared(declared: StackResource, round: "first" | "second"): Promise<RunnerContainer> {
  const image = await runner.imageOf(declared);
  const family = String(dataStack.imageOf(declared)?.values.name);
  figures[family] = { ...figures[family], seconds: image.buildSeconds, mb: image.sizeBytes / 1e6 };
  const container = await runner.createContainer(declared);
  const started = performance.now();
  await runner.start(container);
  figures[family]![round] = await runner.waitUntilHealthy(container, started);
  return container;
}

/** Checks, from the engine and from inside, that a running data container has the settings its declaration has. */
async function expectAsDeclared(container: RunnerContainer, declared: StackResource, dataPath: string) {
  const values = declared.values as Record<string, any>;
  const seen = await runner.inspect(container);
  expect(seen.Config.User).toBe(values.user);
  expect(seen.Config.Healthcheck.Test).toEqual(values.healthcheck.test);
  if (values.command !== undefined) expect(seen.Config.Cmd).toEqual(values.command);
  expect(seen.Config.Env).toEqual(expect.arrayContaining(declaredEnvironmentList(declared)));
  expect(seen.HostConfig.ReadonlyRootfs).toBe(true);
  expect(seen.HostConfig.Tmpfs).toEqual(values.tmpfs);
  expect(seen.HostConfig.CapDrop).toEqual(["ALL"]);
  expect(seen.HostConfig.CapAdd ?? []).toEqual([]);
  expect(seen.HostConfig.SecurityOpt).toEqual(values.security_opts);
  expect(seen.HostConfig.Memory).toBe(values.memory * 1024 * 1024);
  const volume = runner.resolver.nameFor(values.volumes[0].volume_name);
  expect(seen.Mounts).toEqual([
    expect.objectContaining({ Type: "volume", Name: volume, Destination: dataPath, RW: true }),
  ]);
  expect(Object.keys(seen.NetworkSettings.Networks)).toEqual([
    runner.resolver.networkNamed(values.networks_advanced[0].name),
  ]);

  // Inside: the server (pid 1) runs as the declared user with no capabilities, the root is read-only.
  const status = await runner.exec(container, ["cat", "/proc/1/status"]);
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status.stdout)?.[1]?.split(/\s+/)[0];
  expect(field("Uid")).toBe(String(values.user).split(":")[0]);
  expect(field("CapEff")).toBe("0000000000000000");
  expect(field("NoNewPrivs")).toBe("1");
  const rootWrite = await runner.exec(container, ["touch", "/container-test"]);
  expect(rootWrite.stderr).toMatch(/Read-only file system/);
}

/** The declared variables as `NAME=value`, references resolved as the run resolves them. */
function declaredEnvironmentList(declared: StackResource): string[] {
  return Object.entries(declaredEnvironment(declared, runner.resolver)).map(([name, value]) => `${name}=${value}`);
}

/** Runs redis-cli once in a throwaway container of the store's image on the networks of `service`'s first replica. */
function redisCliFrom(service: string, args: readonly string[]): Promise<OneShotResult> {
  const replica = dataStack.serviceContainers(service)[0]!;
  // coreutils' timeout bounds a connection that is never answered.
  return runner.runOnNetworksOf(replica, images.redis!, ["timeout", "10", "redis-cli", "--no-auth-warning", ...args], {
    user: String(cache.values.user),
  });
}

/** Runs the queue client once in a throwaway container on the networks of `service`'s first replica. */
function queueClientFrom(
  service: string,
  url: string,
  operation: "publish" | "get",
  body = "",
): Promise<OneShotResult> {
  const replica = dataStack.serviceContainers(service)[0]!;
  const queue = ownerEnv.JOBS_QUEUES!.split(",")[0]!;
  return runner.runOnNetworksOf(
    replica,
    inject("containerTestBaseImage"),
    ["node", "-e", QUEUE_CLIENT, operation, queue, body],
    {
      user: "1000:1000",
      env: [`AMQP_URL=${url}`, "NODE_PATH=/client/node_modules"],
      readOnlyBinds: [`${AMQPLIB}:/client/node_modules/amqplib`],
    },
  );
}

/**
 * The queue client's run once the broker takes AMQP connections: `rabbitmq-diagnostics
 * ping` (the healthcheck) passes when the Erlang node runs, a moment before the broker
 * listens, so a refused connection is tried again, up to 20 runs (each bounded by its 5 s
 * connect timeout); any other outcome is returned as it is.
 */
async function queueClientOnceListening(operation: "publish" | "get", body = ""): Promise<OneShotResult> {
  let result: OneShotResult = { exitCode: -1, output: "not run" };
  for (let attempt = 0; attempt < 20; attempt++) {
    result = await queueClientFrom(owner, ownerEnv.JOBS_URL!, operation, body);
    if (!/ECONNREFUSED|ECONNRESET|Socket closed abruptly/.test(result.output)) return result;
  }
  return result;
}

beforeAll(async () => {
  context = await runContext();
  runner = new StackRunner(context.engine, dataStack, context.run, "data-more", context.images, context.standIns);
  expect(cacheAtCollection, "the copy's local stack declares no redis container").toBeDefined();
  expect(brokerAtCollection, "the copy's local stack declares no rabbitmq container").toBeDefined();
  cache = cacheAtCollection!;
  broker = brokerAtCollection!;
  ownerEnv = declaredEnvironment(dataStack.serviceContainers(owner)[0]!, runner.resolver);
});

afterAll(async () => {
  await runner?.removeAll();
  console.table(
    Object.entries(figures).map(([image, f]) => ({
      image,
      "stand-in made in s": f.seconds?.toFixed(1) ?? "-",
      "image MB": f.mb?.toFixed(1) ?? "-",
      "first start to healthy s": f.first?.secondsToHealthy.toFixed(1) ?? "-",
      "second start to healthy s": f.second?.secondsToHealthy.toFixed(1) ?? "-",
    })),
  );
});

describe(`the Redis store of ${owner} on the local stack`, () => {
  it("GIVEN the synthesized declaration WHEN its container is created from it and started THEN Docker reports it healthy with the declared user, command, read-only root, tmpfs, capabilities, limits, volume and network", async () => {
    images.redis = (await runner.imageOf(cache)).id;
    running.cache = await startAsDeclared(cache, "first");
    await expectAsDeclared(running.cache, cache, REDIS_DATA_PATH);
  });

  it(`WHEN a container on the networks of ${owner} writes a key with the CACHE_URL ${owner} is given THEN it is stored, in the append-only file on the volume`, async () => {
    expect(running.cache, "the store did not start").toBeDefined();
    expect(ownerEnv.CACHE_URL).toMatch(/^redis:\/\/default:[^@]+@/);
    const written = await redisCliFrom(owner, ["-u", ownerEnv.CACHE_URL!, "SET", KEY.name, KEY.value]);
    expect(written, written.output).toMatchObject({ exitCode: 0, output: "OK" });
    const read = await redisCliFrom(owner, ["-u", ownerEnv.CACHE_URL!, "GET", KEY.name]);
    expect(read, read.output).toMatchObject({ exitCode: 0, output: KEY.value });
    const files = await runner.exec(running.cache!, ["ls", `${REDIS_DATA_PATH}/appendonlydir`]);
    expect(files.stdout).toMatch(/\.aof/);
  });

  it(`WHEN a container on the networks of ${owner} asks without the password THEN the store refuses it`, async () => {
    expect(running.cache, "the store did not start").toBeDefined();
    const anonymous = await redisCliFrom(owner, [
      "-h",
      ownerEnv.CACHE_HOST!,
      "-p",
      ownerEnv.CACHE_PORT!,
      "GET",
      KEY.name,
    ]);
    expect(anonymous.output).toMatch(/^NOAUTH Authentication required/);
    expect(anonymous.output).not.toContain(KEY.value);
  });

  it("WHEN its container is destroyed as `npm run destroy -- local` destroys it and created again on the same volume THEN it becomes healthy and the key written before is still there", async () => {
    expect(running.cache, "the store did not start").toBeDefined();
    await runner.destroy(running.cache!);
    running.cache = await startAsDeclared(cache, "second");
    const read = await redisCliFrom(owner, ["-u", ownerEnv.CACHE_URL!, "GET", KEY.name]);
    expect(read, read.output).toMatchObject({ exitCode: 0, output: KEY.value });
  });
});

describe(`the RabbitMQ queue of ${owner} on the local stack`, () => {
  it("GIVEN the synthesized declaration WHEN its container is created from it and started THEN Docker reports it healthy with the declared user, host name, read-only root, tmpfs, capabilities, limits, volume and network", async () => {
    images.rabbitmq = (await runner.imageOf(broker)).id;
    running.broker = await startAsDeclared(broker, "first");
    await expectAsDeclared(running.broker, broker, RABBITMQ_DATA_PATH);
    expect((await runner.inspect(running.broker)).Config.Hostname).toBe(broker.values.hostname);
  });

  it(`WHEN a container on the networks of ${owner} publishes a persistent message to its declared queue with the JOBS_URL ${owner} is given THEN the broker confirms it`, async () => {
    expect(running.broker, "the broker did not start").toBeDefined();
    expect(ownerEnv.JOBS_URL).toMatch(/^amqp:\/\/[^:]+:[^@]+@/);
    const published = await queueClientOnceListening("publish", MESSAGE);
    expect(published, published.output).toMatchObject({ exitCode: 0, output: "published" });
  });

  it.each(nonOwners)(
    `GIVEN %s owns neither WHEN a container on its networks connects to the queue or the store with ${owner}'s URLs or to their addresses THEN the names do not resolve and the addresses do not answer`,
    async (service) => {
      expect(running.broker && running.cache, "the broker or the store did not start").toBeTruthy();
      const byName = await queueClientFrom(service, ownerEnv.JOBS_URL!, "get");
      expect(byName.exitCode, byName.output).toBe(2);
      expect(byName.output).toMatch(/^failed: .*(ENOTFOUND|EAI_AGAIN)/);
      // The C library's lookup, without the 10 s bound of the redis-cli runs: the resolver may take longer to say no.
      const cacheByName = await runner.runOnNetworksOf(
        dataStack.serviceContainers(service)[0]!,
        images.redis!,
        ["getent", "hosts", ownerEnv.CACHE_HOST!],
        { user: String(cache.values.user) },
      );
      expect(cacheByName, cacheByName.output).toMatchObject({ exitCode: 2, output: "" });

      for (const [container, host] of [
        [running.broker!, ownerEnv.JOBS_HOST!],
        [running.cache!, ownerEnv.CACHE_HOST!],
      ] as const) {
        const networks = (await runner.inspect(container)).NetworkSettings.Networks as Record<
          string,
          { IPAddress: string }
        >;
        for (const [network, { IPAddress }] of Object.entries(networks)) {
          const where = `${service} -> ${IPAddress} (${network})`;
          if (container === running.broker) {
            const byAddress = await queueClientFrom(
              service,
              ownerEnv.JOBS_URL!.replace(`@${host}:`, `@${IPAddress}:`),
              "get",
            );
            expect(byAddress.exitCode, `${where}: ${byAddress.output}`).toBe(2);
            expect(byAddress.output).toMatch(/^failed: .*(ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNREFUSED)/);
          } else {
            const byAddress = await redisCliFrom(service, ["-h", IPAddress, "-p", ownerEnv.CACHE_PORT!, "PING"]);
            expect(byAddress.output, where).not.toMatch(/PONG|NOAUTH/);
            expect([124, 1], `${where}: ${byAddress.output}`).toContain(byAddress.exitCode);
          }
        }
      }
    },
  );

  it("WHEN its container is destroyed as `npm run destroy -- local` destroys it and created again on the same volume THEN it becomes healthy and the message published before is still in the queue", async () => {
    expect(running.broker, "the broker did not start").toBeDefined();
    await runner.destroy(running.broker!);
    running.broker = await startAsDeclared(broker, "second");
    const got = await queueClientOnceListening("get");
    expect(got, got.output).toMatchObject({ exitCode: 0, output: `got ${MESSAGE} deliveryMode=2` });
  });
});
