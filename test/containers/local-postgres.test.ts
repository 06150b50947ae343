import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POSTGRES_DATA_PATH } from "../../infra/targets/docker/local-postgres.js";
import { declaredEnvironment } from "./support/engine-requests.js";
import { LocalStack, type StackResource } from "./support/local-stack.js";
import { runContext, type RunContext } from "./support/run-context.js";
import { StackRunner, type HealthyReport, type RunnerContainer } from "./support/stack-runner.js";

/**
 * A service's PostgreSQL database on the local stack, for real: the database container
 * of a copy of the repository whose `orders` has a database `db` (and a Redis store and a
 * queue, which local-redis-queue.test.ts runs), created from the
 * synthesized JSON exactly as declared (user, read-only root, tmpfs, capabilities,
 * limits, named volume, internal network, healthcheck), and clients on the networks of
 * the owner and of the other services.
 *
 * No registry is reachable here, so the image is the run's stand-in (see
 * support/data-server-stand-ins.ts): PostgreSQL 15 from Debian bookworm's packages, tagged
 * with the name the stack pins (postgres:17.6-bookworm), with an entrypoint that does
 * what the official one does for the variables the stack sets. These tests prove the
 * declared settings, the volume and the network rule; not that the official image of
 * PostgreSQL 17 starts under the same settings.
 */

const dataStack = LocalStack.read(inject("containerTestDataOutdir"));
const databaseAtCollection = dataStack
  .backingServiceContainers()
  .find((c) => String(dataStack.imageOf(c)?.values.name).startsWith("postgres:"));
const owner = databaseAtCollection?.service ?? "orders";
const nonOwners = dataStack.services().filter((service) => service !== owner);

/** The order the owner writes, then reads back after the database container was made again. */
const ORDER = { id: "order-1", item: "a book" };

let context: RunContext;
let runner: StackRunner;
let database: StackResource;
let ownerReplica: StackResource;
/** The variables the owner's containers get for the database (DB_URL ...), references resolved. */
let ownerEnv: Record<string, string>;
let image: string;
let container: RunnerContainer | undefined;
const figures: { firstStart?: HealthyReport; secondStart?: HealthyReport; imageSeconds?: number; imageMB?: number } =
  {};

/** Runs psql once in a throwaway container of the database's image on the networks of `service`'s first replica. */
function psqlFrom(service: string, target: string, sql: string) {
  const replica = dataStack.serviceContainers(service)[0]!;
  return runner.runOnNetworksOf(replica, image, ["psql", target, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], {
    user: String(database.values.user),
    // psql's own bound on the connection; a name that does not resolve waits for the resolver.
    env: ["PGCONNECT_TIMEOUT=5"],
  });
}

beforeAll(async () => {
  context = await runContext();
  runner = new StackRunner(context.engine, dataStack, context.run, "data", context.images, context.standIns);
  expect(databaseAtCollection, "the copy's local stack declares no postgres container").toBeDefined();
  database = databaseAtCollection!;
  ownerReplica = dataStack.serviceContainers(owner)[0]!;
  ownerEnv = declaredEnvironment(ownerReplica, runner.resolver);
});

afterAll(async () => {
  await runner?.removeAll();
  console.table([
    {
      image: String(dataStack.imageOf(database)?.values.name),
      "stand-in made in s": figures.imageSeconds?.toFixed(1) ?? "-",
      "image MB": figures.imageMB?.toFixed(1) ?? "-",
      "first start to healthy s": figures.firstStart?.secondsToHealthy.toFixed(1) ?? "-",
      "second start to healthy s": figures.secondStart?.secondsToHealthy.toFixed(1) ?? "-",
    },
  ]);
});

describe(`the PostgreSQL database of ${owner} on the local stack`, () => {
  it("GIVEN the synthesized declaration WHEN its container is created from it and started THEN Docker reports it healthy with the declared user, read-only root, tmpfs, capabilities, limits, volume and network", async () => {
    const pulled = await runner.imageOf(database);
    image = pulled.id;
    figures.imageSeconds = pulled.buildSeconds;
    figures.imageMB = pulled.sizeBytes / 1e6;
    container = await runner.createContainer(database);
    const started = performance.now();
    await runner.start(container);
    figures.firstStart = await runner.waitUntilHealthy(container, started);

    const declared = database.values as Record<string, any>;
    const seen = await runner.inspect(container);
    expect(seen.Config.User).toBe(declared.user);
    expect(seen.Config.Healthcheck.Test).toEqual(declared.healthcheck.test);
    expect(seen.HostConfig.ReadonlyRootfs).toBe(true);
    expect(seen.HostConfig.Tmpfs).toEqual(declared.tmpfs);
    expect(seen.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(seen.HostConfig.CapAdd ?? []).toEqual([]);
    expect(seen.HostConfig.SecurityOpt).toEqual(declared.security_opts);
    expect(seen.HostConfig.Memory).toBe(declared.memory * 1024 * 1024);
    const volume = runner.resolver.nameFor(declared.volumes[0].volume_name);
    expect(seen.Mounts).toEqual([
      expect.objectContaining({ Type: "volume", Name: volume, Destination: POSTGRES_DATA_PATH, RW: true }),
    ]);
    expect(Object.keys(seen.NetworkSettings.Networks)).toEqual([
      runner.resolver.networkNamed(declared.networks_advanced[0].name),
    ]);

    // Inside: the server (pid 1) runs as the declared user with no capabilities, the root is read-only, the data is on the volume.
    const status = await runner.exec(container, ["cat", "/proc/1/status"]);
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "m").exec(status.stdout)?.[1]?.split(/\s+/)[0];
    expect(field("Uid")).toBe(String(declared.user).split(":")[0]);
    expect(field("CapEff")).toBe("0000000000000000");
    expect(field("NoNewPrivs")).toBe("1");
    const rootWrite = await runner.exec(container, ["touch", "/container-test"]);
    expect(rootWrite.stderr).toMatch(/Read-only file system/);
    const pgVersion = await runner.exec(container, ["cat", `${POSTGRES_DATA_PATH}/PG_VERSION`]);
    expect(pgVersion.exitCode, pgVersion.stderr).toBe(0);
  });

  it(`WHEN a container on the networks of ${owner} connects with the DB_URL ${owner} is given THEN it is answered and writes an order`, async () => {
    expect(container, "the database did not start").toBeDefined();
    expect(ownerEnv.DB_URL).toMatch(/^postgresql:\/\//);
    const written = await psqlFrom(
      owner,
      ownerEnv.DB_URL!,
      `CREATE TABLE orders (id text PRIMARY KEY, item text NOT NULL); INSERT INTO orders VALUES ('${ORDER.id}', '${ORDER.item}'); SELECT item FROM orders WHERE id = '${ORDER.id}';`,
    );
    expect(written, written.output).toMatchObject({ exitCode: 0 });
    expect(written.output.split("\n")).toContain(ORDER.item);
  });

  it.each(nonOwners)(
    `GIVEN %s does not own the database WHEN a container on its networks connects with ${owner}'s DB_URL or to the database's address THEN the name does not resolve and the address does not answer`,
    async (service) => {
      expect(container, "the database did not start").toBeDefined();
      const byName = await psqlFrom(service, ownerEnv.DB_URL!, "SELECT 1;");
      expect(byName.exitCode, byName.output).toBe(2);
      expect(byName.output).toMatch(/could not translate host name "[^"]+" to address/);

      const networks = (await runner.inspect(container!)).NetworkSettings.Networks as Record<
        string,
        { IPAddress: string }
      >;
      for (const [network, { IPAddress }] of Object.entries(networks)) {
        const byAddress = await psqlFrom(
          service,
          ownerEnv.DB_URL!.replace(`@${ownerEnv.DB_HOST}:`, `@${IPAddress}:`),
          "SELECT 1;",
        );
        expect(byAddress.exitCode, `${service} -> ${IPAddress} (${network}): ${byAddress.output}`).toBe(2);
        expect(byAddress.output).toMatch(/timeout expired|No route to host|Network is unreachable|Connection refused/);
      }
    },
  );

  it("WHEN the database container is destroyed as `npm run destroy -- local` destroys it THEN its named volume is kept, used by no container", async () => {
    expect(container, "the database did not start").toBeDefined();
    await runner.destroy(container!);
    const gone = await runner.engine
      .request("GET", `/containers/${container!.id}/json`)
      .then(() => "still there")
      .catch((error: Error) => error.message);
    expect(gone).toMatch(/answered 404/);
    const volume = runner.resolver.nameFor((database.values as any).volumes[0].volume_name);
    expect(await runner.inspectVolume(volume)).toMatchObject({ Name: volume });
    const users = await runner.engine.request<unknown[]>(
      "GET",
      `/containers/json?all=true&filters=${encodeURIComponent(JSON.stringify({ volume: [volume] }))}`,
    );
    expect(users).toEqual([]);
  });

  it("WHEN it is created again from the same declaration on the same volume THEN it becomes healthy and the order written before is still there", async () => {
    expect(image, "the database did not start").toBeDefined();
    container = await runner.createContainer(database);
    const started = performance.now();
    await runner.start(container);
    figures.secondStart = await runner.waitUntilHealthy(container, started);
    const read = await psqlFrom(owner, ownerEnv.DB_URL!, `SELECT item FROM orders WHERE id = '${ORDER.id}';`);
    expect(read, read.output).toMatchObject({ exitCode: 0, output: ORDER.item });
  });
});
