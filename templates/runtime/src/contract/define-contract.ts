import {
  HTTP_METHODS,
  isSuccessStatus,
  pathParameters,
  type OperationDefinition,
  type OperationDefinitions,
} from "./operation.js";

import { RUNTIME_RESPONSE_EXAMPLES, type RuntimeResponses } from "./runtime-responses.js";

/** Where a service declares its contract, relative to its folder. */
export const CONTRACT_FILE = "src/api.ts";

/** Marks what {@link defineContract} made; `Symbol.for`, so that two copies of this module agree. */
const CONTRACT_BRAND: unique symbol = Symbol.for("@platform/service-runtime/contract") as never;

/** What a service writes in `src/api.ts`: its name and its operations. */
export interface ContractDefinition<S extends string = string, O extends OperationDefinitions = OperationDefinitions> {
  /** The service's name: its folder's name under `services/`. */
  readonly service: S;
  /** Its operations, by name. */
  readonly operations: O;
}

/** A checked contract: what `src/api.ts` default-exports. */
export interface Contract<S extends string = string, O extends OperationDefinitions = OperationDefinitions>
  extends ContractDefinition<S, O> {
  readonly [CONTRACT_BRAND]: true;
}

/** A contract that breaks a rule: the message names the file, the operation and what is accepted. */
export class ContractError extends Error {
  constructor(
    /** The contract's file, like `services/catalog/src/api.ts`. */
    readonly file: string,
    /** One line per problem. */
    readonly problems: readonly string[],
  ) {
    super(`${file}: the contract is invalid:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ContractError";
  }
}

/** A DNS-1035 label, as a service's name is (infra/spec). */
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An operation's name: it is the OpenAPI operationId and a method name in code. */
const OPERATION_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** One literal segment of a path (RFC 3986 unreserved characters). */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
/** One parameter segment: `:name`. */
const PARAMETER_SEGMENT = /^:[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Declares a service's HTTP operations (`services/<name>/src/api.ts`, default export):
 * method, path, params, query, body and responses as zod schemas. The literal types are
 * kept, so typed clients and routes see each operation exactly. Checked here: a method
 * outside GET/POST/PUT/PATCH/DELETE, a malformed path, a path parameter that `params`
 * does not declare (or the reverse), two operations on one method and path, no 2xx
 * response, a schema that is not a zod schema: each throws a {@link ContractError} naming
 * the file, the operation and what is accepted.
 */
export function defineContract<const S extends string, const O extends OperationDefinitions>(
  definition: ContractDefinition<S, O>,
): Contract<S, O> {
  const service = (definition as { service?: unknown } | undefined)?.service;
  const file =
    typeof service === "string" && SERVICE_NAME.test(service) ? `services/${service}/${CONTRACT_FILE}` : CONTRACT_FILE;
  const problems = contractProblems(definition);
  if (problems.length > 0) throw new ContractError(file, problems);
  return Object.freeze({
    service: definition.service,
    operations: definition.operations,
    [CONTRACT_BRAND]: true as const,
  });
}

/** Whether `value` is a contract made by {@link defineContract}. */
export function isContract(value: unknown): value is Contract {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[CONTRACT_BRAND] === true;
}

function contractProblems(definition: ContractDefinition): string[] {
  if (typeof definition !== "object" || definition === null)
    return [`the contract: got ${formatValue(definition)}; accepted: defineContract({ service, operations })`];
  const problems: string[] = [];
  if (typeof definition.service !== "string" || !SERVICE_NAME.test(definition.service))
    problems.push(
      `service: got ${formatValue(definition.service)}; accepted: the service's name (its folder under services/), a DNS-1035 label`,
    );
  const operations = definition.operations;
  if (typeof operations !== "object" || operations === null || Object.keys(operations).length === 0) {
    problems.push(`operations: got ${formatValue(operations)}; accepted: at least one operation, by name`);
    return problems;
  }
  /** Route (method and path with its parameters' names left out) -> the first operation on it. */
  const routes = new Map<string, string>();
  for (const [name, operation] of Object.entries(operations)) {
    const at = `operation "${name}"`;
    if (!OPERATION_NAME.test(name))
      problems.push(`${at}: the name is not accepted; accepted: a letter, then letters, digits and '_'`);
    if (typeof operation !== "object" || operation === null) {
      problems.push(
        `${at}: got ${formatValue(operation)}; accepted: { method, path, params?, query?, body?, responses }`,
      );
      continue;
    }
    problems.push(...operationProblems(at, operation));
    if (HTTP_METHODS.includes(operation.method) && typeof operation.path === "string") {
      const route = `${operation.method} ${operation.path.replace(/:[^/]*/g, ":")}`;
      const first = routes.get(route);
      if (first === undefined) routes.set(route, name);
      else
        problems.push(
          `${at}: ${operation.method} ${operation.path} is also operation "${first}"; accepted: one operation per method and path`,
        );
    }
  }
  return problems;
}

function operationProblems(at: string, operation: OperationDefinition): string[] {
  const problems: string[] = [];
  if (!HTTP_METHODS.includes(operation.method))
    problems.push(`${at}: method: got ${formatValue(operation.method)}; accepted: ${HTTP_METHODS.join(", ")}`);
  const pathProblem = malformedPath(operation.path);
  if (pathProblem !== undefined)
    problems.push(
      `${at}: path: got ${formatValue(operation.path)} (${pathProblem}); accepted: "/" then segments of letters, digits, '.', '_', '~', '-', or ":name" parameters, like "/products/:id"`,
    );
  for (const part of ["params", "query"] as const) {
    const schema = operation[part];
    if (schema !== undefined && !isObjectSchema(schema))
      problems.push(`${at}: ${part}: got ${formatValue(schema)}; accepted: a zod object schema, z.object({...})`);
  }
  if (operation.body !== undefined && !isZodSchema(operation.body))
    problems.push(`${at}: body: got ${formatValue(operation.body)}; accepted: a zod schema`);
  if (operation.body !== undefined && operation.method === "GET")
    problems.push(`${at}: body: a GET operation takes no body; accepted: no body, or another method`);
  if (pathProblem === undefined) {
    const inPath = pathParameters(operation.path);
    const inParams = isObjectSchema(operation.params) ? Object.keys(operation.params.shape) : [];
    const accepted = `accepted: params: z.object({...}) with exactly the path's parameters (${inPath.join(", ") || "none"})`;
    for (const missing of inPath.filter((p) => !inParams.includes(p)))
      problems.push(`${at}: path parameter ":${missing}" of ${operation.path} is not in params; ${accepted}`);
    for (const extra of inParams.filter((p) => !inPath.includes(p)))
      problems.push(`${at}: params key "${extra}" is not a parameter of the path ${operation.path}; ${accepted}`);
  }
  problems.push(...responseProblems(at, operation.responses));
  return problems;
}

function responseProblems(at: string, responses: unknown): string[] {
  if (typeof responses !== "object" || responses === null)
    return [
      `${at}: responses: got ${formatValue(responses)}; accepted: { <status>: <zod schema> } with at least one 2xx`,
    ];
  const problems: string[] = [];
  const statuses = Object.keys(responses);
  for (const status of statuses) {
    if (!/^[1-5][0-9][0-9]$/.test(status))
      problems.push(
        `${at}: responses: status ${formatValue(status)} is not accepted; accepted: an HTTP status, 100 to 599`,
      );
    const schema = (responses as Record<string, unknown>)[status];
    if (!isZodSchema(schema))
      problems.push(`${at}: responses.${status}: got ${formatValue(schema)}; accepted: a zod schema of the body`);
    else if (!keepsRuntimeAnswer(Number(status), schema))
      problems.push(
        `${at}: responses.${status}: the runtime answers ${status} by itself with ${JSON.stringify(RUNTIME_RESPONSE_EXAMPLES[Number(status) as keyof RuntimeResponses])}, which this schema does not keep whole; accepted: a schema that keeps it (${Number(status) === 400 ? "invalidRequestBody" : "errorBody"}), or no ${status} (the runtime's is declared for every operation)`,
      );
  }
  if (!statuses.some((status) => isSuccessStatus(Number(status))))
    problems.push(
      `${at}: responses: no 2xx status (got ${statuses.join(", ") || "none"}); accepted: at least one success, like 200`,
    );
  return problems;
}

/**
 * Whether an operation's own schema of a status the runtime also answers parses the
 * runtime's answer without losing a field: the document and the typed clients then tell
 * the truth about every answer of that status, the runtime's included.
 */
function keepsRuntimeAnswer(status: number, schema: import("zod").ZodType): boolean {
  if (!(status in RUNTIME_RESPONSE_EXAMPLES)) return true;
  const example = RUNTIME_RESPONSE_EXAMPLES[status as keyof RuntimeResponses];
  const parsed = schema.safeParse(example);
  return parsed.success && JSON.stringify(parsed.data) === JSON.stringify(example);
}

/** Why a path is malformed, or undefined when it is not. */
function malformedPath(path: unknown): string | undefined {
  if (typeof path !== "string") return "not a string";
  if (!path.startsWith("/")) return "it does not start with '/'";
  if (path === "/") return undefined;
  const segments = path.slice(1).split("/");
  if (segments.some((segment) => segment === "")) return "it has an empty segment or ends with '/'";
  const bad = segments.find((segment) => !LITERAL_SEGMENT.test(segment) && !PARAMETER_SEGMENT.test(segment));
  if (bad !== undefined) return `segment "${bad}" is neither a literal nor a ":name" parameter`;
  const names = pathParameters(path);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) return `the parameter ":${repeated}" appears twice`;
  return undefined;
}

/** Whether `value` is a zod 4 schema (by its internals, so that two copies of zod agree). */
export function isZodSchema(value: unknown): value is import("zod").ZodType {
  return (
    typeof value === "object" && value !== null && typeof (value as { _zod?: { def?: unknown } })._zod?.def === "object"
  );
}

function isObjectSchema(value: unknown): value is import("zod").ZodObject {
  return isZodSchema(value) && (value as { _zod: { def: { type: string } } })._zod.def.type === "object";
}

/** A value for a message: JSON when it can be, at most 60 characters. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "function") return "a function";
  if (isZodSchema(value)) return `a zod ${(value as { _zod: { def: { type: string } } })._zod.def.type} schema`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
