import type { z } from "zod";
import type { Contract } from "./define-contract.js";
import { formatValue } from "./define-contract.js";
import { declaredStatuses, type OperationDefinition } from "./operation.js";

/** One operation of a contract, with its name: what a server registers a route for. */
export interface ContractOperation extends OperationDefinition {
  /** The operation's name (its OpenAPI operationId). */
  readonly name: string;
}

/** The operations of a contract, in the order the contract declares them. */
export function operationsOf(contract: Contract): ContractOperation[] {
  return Object.entries(contract.operations).map(([name, operation]) => ({ name, ...operation }));
}

/** What a request carries, before it is checked. */
export interface RequestParts {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
}

/** A request the contract accepts: its parts as the schemas parse them (defaults applied, values coerced). */
export interface ValidRequest {
  readonly ok: true;
  readonly params: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
}

/** A request the contract refuses: one line per problem, `<field>: got <value>; accepted: <what>`. */
export interface InvalidRequest {
  readonly ok: false;
  readonly problems: readonly string[];
}

/**
 * Checks a request's params, query and body against the operation's schemas. Refused:
 * each problem as `<field>: got <value>; accepted: <what>`, the field prefixed by the part
 * (`params.id`, `query.limit`, `body.items[0].sku`); this is the runtime's 400 message.
 */
export function validateRequest(
  operation: Pick<OperationDefinition, "params" | "query" | "body">,
  request: RequestParts,
): ValidRequest | InvalidRequest {
  const problems: string[] = [];
  const parse = (part: "params" | "query" | "body", schema: z.ZodType | undefined, value: unknown): unknown => {
    if (schema === undefined) return part === "body" ? undefined : {};
    const result = schema.safeParse(part === "body" ? value : (value ?? {}));
    if (result.success) return result.data;
    problems.push(...formatIssues(result.error.issues, value, part));
    return undefined;
  };
  const params = parse("params", operation.params, request.params);
  const query = parse("query", operation.query, request.query);
  const body = parse("body", operation.body, request.body);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, params: params as Record<string, unknown>, query: query as Record<string, unknown>, body };
}

/** An answer the contract declares: its body as the status's schema parses it. */
export interface ValidResponse {
  readonly ok: true;
  readonly body: unknown;
}

/** An answer the contract does not declare: why, in one line. */
export interface InvalidResponse {
  readonly ok: false;
  readonly problem: string;
}

/**
 * Checks an answer against the operation: its status must be declared, its body must
 * match that status's schema. Refused: `answered 500, a status its contract does not
 * declare; declared: 200, 404`, or `answered 200 with a body that does not match its
 * contract: body.priceCents: got nothing; accepted: number` (the first mismatch). What a
 * typed client checks every answer with, and a server's tests its own answers.
 */
export function validateResponse(
  operation: Pick<OperationDefinition, "responses">,
  status: number,
  body: unknown,
): ValidResponse | InvalidResponse {
  const schema = operation.responses[status];
  if (schema === undefined)
    return {
      ok: false,
      problem: `answered ${status}, a status its contract does not declare; declared: ${declaredStatuses(operation).join(", ")}`,
    };
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    return {
      ok: false,
      problem: `answered ${status} with a body that does not match its contract: ${formatIssues(parsed.error.issues, body, "body")[0]}`,
    };
  return { ok: true, body: parsed.data };
}

/**
 * zod's issues as `<field>: got <value>; accepted: <what>` lines, the field a path below
 * `root` (`body.items[0].sku`), the value the one found at that path in `input`.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, root: string): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map(
        (key) =>
          `${fieldName(root, [...issue.path, key])}: got ${formatValue(valueAt(input, [...issue.path, key]))}; accepted: no such field`,
      );
    return [
      `${fieldName(root, issue.path)}: got ${formatValue(valueAt(input, issue.path))}; accepted: ${acceptedBy(issue)}`,
    ];
  });
}

/** What an issue says would be accepted, in words. */
function acceptedBy(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected;
    case "invalid_value":
      return issue.values.length === 1
        ? formatValue(issue.values[0])
        : `one of ${issue.values.map((v) => formatValue(v)).join(", ")}`;
    case "too_small":
      return `${issue.origin === "string" || issue.origin === "array" || issue.origin === "set" ? `a length ${issue.inclusive ? ">=" : ">"}` : issue.inclusive ? ">=" : ">"} ${String(issue.minimum)}`;
    case "too_big":
      return `${issue.origin === "string" || issue.origin === "array" || issue.origin === "set" ? `a length ${issue.inclusive ? "<=" : "<"}` : issue.inclusive ? "<=" : "<"} ${String(issue.maximum)}`;
    case "invalid_format":
      return issue.format === "regex" && issue.pattern
        ? `a string matching ${issue.pattern}`
        : `${/^[aeiou]/.test(issue.format) ? "an" : "a"} ${issue.format}`;
    case "not_multiple_of":
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** `root` and a path as one field name: `body.items[0].sku`. */
function fieldName(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === "number" ? `${name}[${key}]` : `${name}.${String(key)}`),
    root,
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
