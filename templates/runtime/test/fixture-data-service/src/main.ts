/**
 * The entry point of a service with one backing service of each type, bundled by the
 * runtime's tests with the bundler every service uses, so that the bundle carries the
 * clients and the migration runner, and its image folder carries `migrations/`.
 */
import { defineManifest, runApplication } from "@platform/service-runtime";

const manifest = defineManifest({
  name: "fixture-data",
  port: 8080,
  dependencies: [],
  backingServices: { db: { type: "postgres" }, cache: { type: "redis" }, jobs: { type: "queue", queues: ["notes"] } },
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});

const consumed: unknown[] = [];

await runApplication({
  manifest,
  async onStart(context) {
    await context.resource("jobs").consumeJson("notes", async (body) => void consumed.push(body));
  },
  routes(router, context) {
    router.get("/notes", async () => ({
      body: (await context.resource("db").query("SELECT text FROM notes ORDER BY id")).rows,
    }));
    router.post("/cache/:key", async ({ params, json }) => {
      await context.resource("cache").set(params.key!, JSON.stringify(await json()));
      return { status: 204 };
    });
    router.get("/cache/:key", async ({ params }) => ({
      body: JSON.parse((await context.resource("cache").get(params.key!)) ?? "null"),
    }));
    router.post("/notes/queued", async ({ json }) => {
      await context.resource("jobs").publishJson("notes", await json());
      return { status: 202 };
    });
    router.get("/notes/consumed", () => ({ body: consumed }));
  },
});
