import type { ServiceSpecInput } from "./service-spec.js";

/**
 * Declares a service. `services/<name>/service.ts` default-exports the result.
 *
 * It gives the spec its type and nothing else: discovery checks whatever a service
 * file exports (see `parseServiceDefinition`), so a spec written without this function
 * is checked all the same, and a service file cannot reach the checks through it. This
 * module imports nothing at run time: it is all of the platform a service file runs.
 *
 * The spec keeps its literal types (`"postgres"`, `["fulfilment.queue"]`), so that the
 * service's code derives what it must know of it (`manifestOf` in the service runtime)
 * with `context.resource("db")` typed by the declared type.
 */
export function defineService<const S extends ServiceSpecInput>(spec: S): S {
  return spec;
}
