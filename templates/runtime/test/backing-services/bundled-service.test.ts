import { fileURLToPath } from "node:url";
import { MIGRATIONS_TABLE } from "@platform/service-runtime";
import { startBundledService } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BackingServer,
  type PostgresServer,
  startPostgres,
  startRabbitmq,
  startRedis,
} from "../../src/test-servers.js";

// The bundle of a service with a backing service of each type (test/fixture-data-service/),
// run alone as its image runs it, against real servers on loopback: the clients and the
// migration runner are inside main.mjs, its migrations in migrations/ beside it.

const fixtureDir = fileURLToPath(new URL("../fixture-data-service", import.meta.url));
let postgres: PostgresServer | undefined;
let redis: BackingServer | undefined;
let rabbitmq: BackingServer | undefined;

beforeAll(async () => {
  const started = await Promise.allSettled([startPostgres(), startRedis(), startRabbitmq()]);
  [postgres, redis, rabbitmq] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined)) as [
    PostgresServer | undefined,
    BackingServer | undefined,
    BackingServer | undefined,
  ];
  const failed = started.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
});
afterAll(async () => {
  await Promise.all([postgres?.remove(), redis?.remove(), rabbitmq?.remove()]);
});

describe("a bundled service with backing services", () => {
  it("GIVEN the bundle and its migrations alone in a folder WHEN run against the servers THEN it migrates, uses each client, and exits 0 on SIGTERM", async () => {
    const databaseUrl = await postgres!.createDatabase("bundled");
    const bundle = await startBundledService(fixtureDir, {
      SERVICE_NAME: "fixture-data",
      DB_URL: databaseUrl,
      CACHE_URL: redis!.url,
      JOBS_URL: rabbitmq!.url,
    });
    try {
      expect(bundle.files).toEqual(["main.mjs", "main.mjs.map", "migrations", "migrations/001_create_notes.sql"]);
      // It listens before it connects and migrates: wait until it is ready (each body is read once).
      const readinessNow = async () => {
        const answer = await fetch(`${bundle.url}/readyz`);
        return [answer.status, await answer.json()] as const;
      };
      let readiness = await readinessNow();
      while (readiness[0] !== 200 && readiness[1].status === "starting") readiness = await readinessNow();
      expect(readiness).toEqual([200, { status: "ready" }]);

      expect(await (await fetch(`${bundle.url}/notes`)).json()).toEqual([{ text: "seeded by a migration" }]);
      expect(await postgres!.query("bundled", `SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([
        { name: "001_create_notes" },
      ]);

      await fetch(`${bundle.url}/cache/greeting`, { method: "POST", body: JSON.stringify({ hello: "world" }) });
      expect(await (await fetch(`${bundle.url}/cache/greeting`)).json()).toEqual({ hello: "world" });

      expect(
        (await fetch(`${bundle.url}/notes/queued`, { method: "POST", body: JSON.stringify({ n: 1 }) })).status,
      ).toBe(202);
      let consumed: unknown[] = [];
      while (consumed.length === 0)
        consumed = (await (await fetch(`${bundle.url}/notes/consumed`)).json()) as unknown[];
      expect(consumed).toEqual([{ n: 1 }]);

      expect(await bundle.terminate()).toEqual([0, null]);
      expect(bundle.lines.map((l) => l.msg)).toEqual(
        expect.arrayContaining(["migrations applied", "ready", "stopped"]),
      );
    } finally {
      bundle.remove();
    }
  });
});
