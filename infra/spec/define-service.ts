import { serviceSpecSchema, type ServiceDefinition, type ServiceSpecInput } from "./service-spec.js";
import { SpecError, problemsFromZod } from "./spec-error.js";

/**
 * Declares a service. `services/<name>/service.ts` default-exports the result.
 * The spec is checked at once; a bad spec throws a `SpecError` listing every problem.
 */
export function defineService(spec: ServiceSpecInput): ServiceDefinition {
  const result = serviceSpecSchema.safeParse(spec, { reportInput: true });
  if (!result.success) throw new SpecError(problemsFromZod(result.error));
  return result.data;
}
