import { serviceSpecSchema, type ServiceDefinition } from "./service-spec.js";
import { SpecError, formatFieldPath, type SpecProblem } from "./spec-error.js";
import { problemsFromZod } from "./zod-problems.js";

/**
 * The markers with which CDK for Terraform encodes a token (a reference, a function call,
 * a variable) inside a string, a list or a map. A service file gives plain values: a
 * marker in one of its strings would be resolved into whatever token the platform
 * registered under that number (another service's secret variable, say), so it is refused.
 */
const TOKEN_MARKER = /[$#&]\{TfToken\[/;

/**
 * Checks what a service file default-exports and returns it parsed, with its defaults
 * left for `resolveServiceSpec`. This is the one check of a service file: discovery
 * runs it on whatever the file exports, written with `defineService` or not, so no
 * value reaches a target unchecked. Throws a `SpecError` listing every problem.
 */
export function parseServiceDefinition(exported: unknown): ServiceDefinition {
  const result = serviceSpecSchema.safeParse(exported, { reportInput: true });
  if (!result.success) throw new SpecError(problemsFromZod(result.error, serviceSpecSchema, exported));
  // The parsed copy is plain data, read once: the markers are looked for in what the
  // platform goes on with, not in the export, whose getters could answer differently
  // on a second read.
  const tokens = tokenMarkersIn(result.data);
  if (tokens.length > 0) throw new SpecError(tokens);
  return result.data;
}

/** Every string (or key) below `value` that holds a cdktf token marker, as a problem. */
function tokenMarkersIn(value: unknown, path: PropertyKey[] = []): SpecProblem[] {
  const problem = (at: PropertyKey[]): SpecProblem => ({
    field: formatFieldPath(at),
    value: "a CDK for Terraform token",
    message: "holds a CDK for Terraform token (a reference or a function of cdktf); a service file gives plain values",
  });
  if (typeof value === "string") return TOKEN_MARKER.test(value) ? [problem(path)] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(TOKEN_MARKER.test(key) ? [problem([...path, key])] : []),
    ...tokenMarkersIn(item, [...path, key]),
  ]);
}
