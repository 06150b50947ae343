/**
 * The entry point of the smallest service there is, bundled by the runtime's tests with
 * the bundler every service uses: it imports the runtime by its package name, as a
 * service does, and calls one dependency so that the bundle carries the client too.
 */
import { defineManifest, runApplication } from "@platform/service-runtime";

await runApplication({
  manifest: defineManifest({
    name: "fixture",
    port: 8080,
    dependencies: ["stock-keeper"],
    health: { liveness: "/healthz", readiness: "/readyz" },
    metricsPath: "/metrics",
  }),
  routes(router, context) {
    router.get("/stock", async () => ({ body: await context.dependency("stock-keeper").getJson("/levels") }));
  },
});
