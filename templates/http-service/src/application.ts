import { type Application, manifestOf } from "@platform/service-runtime";
{{dependencyImports}}import spec from "../service.js";
import api from "./api.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);
{{dependencyClients}}
/**
 * The service's own code: the handlers of its API (src/api.ts, which the runtime checks
 * every request against) and what it prepares before it is ready. The runtime around it
 * (@platform/service-runtime) serves health, readiness, metrics and /openapi.json, logs
 * each request, counts it by route and status, and shuts down gracefully.
 *
 * An operation added to src/api.ts needs its handler here: one left out is a type error.
 * A service it calls (`dependsOn` in service.ts) is called through a typed client of that
 * service's contract, `contractClient(ordersApi, context.dependency("orders"))` with
 * `ordersApi` the default export of `../../orders/src/api.js`, or untyped when it has none
 * (a worker): `await context.dependency("orders").getJson("/orders/42")`. Its URL comes
 * from the variable the platform sets (`ORDERS_URL`); the request id travels with the call.
 */
export function createApplication(): Application<typeof MANIFEST> {
  return {
    manifest: MANIFEST,
    contract: api,
    routes(router, context) {
      router.implement(api, {
        sayHello: ({ query }) => ({
          status: 200,
          body: { message: `hello ${query.name ?? "world"}, from ${context.config.serviceName}` },
        }),
      });
    },
  };
}
