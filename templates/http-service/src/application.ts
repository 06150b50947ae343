import { type Application, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/**
 * The service's own code: its routes and what it prepares before it is ready. The
 * runtime around it (@platform/service-runtime) serves health, readiness and metrics, logs each
 * request, counts it by route and status, and shuts down gracefully.
 *
 * To call a dependency listed in service.ts (`dependsOn`), ask the context for its
 * client: `await context.dependency("orders").getJson("/orders/42")`. Its URL comes from
 * the variable the platform sets (`ORDERS_URL`), and the request id travels with the call.
 */
export function createApplication(): Application {
  return {
    manifest: MANIFEST,
    routes(router, context) {
      router.get("/hello", ({ query }) => ({
        body: { message: `hello ${query.get("name") ?? "world"}, from ${context.config.serviceName}` },
      }));
    },
  };
}
