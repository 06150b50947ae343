import type { z } from "zod";
import type { DependencyClient } from "../dependency-client.js";
import { DependencyError } from "../dependency-error.js";
import type { Contract } from "./define-contract.js";
import { isSuccessStatus, type HttpMethod, type OperationDefinition, type OperationDefinitions } from "./operation.js";
import { validateRequest, validateResponse } from "./request-validation.js";
import { responsesWithRuntime, type WithRuntimeResponses } from "./runtime-responses.js";

/** The paths of the operations with method `M`. */
export type PathsOf<O extends OperationDefinitions, M extends HttpMethod> = {
  [K in keyof O]: O[K]["method"] extends M ? O[K]["path"] : never;
}[keyof O];

/** The operation with method `M` and path `P`. */
export type OperationAt<O extends OperationDefinitions, M extends HttpMethod, P> = {
  [K in keyof O]: O[K] extends { readonly method: M; readonly path: P } ? O[K] : never;
}[keyof O];

type Part<Op, K extends "params" | "query" | "body", Required extends boolean> = Op extends {
  readonly [key in K]: infer S extends z.ZodType;
}
  ? Required extends true
    ? { readonly [key in K]: z.input<S> }
    : { readonly [key in K]?: z.input<S> }
  : unknown;

/** An object with no field: what an object type all of whose fields are optional accepts. */
type EmptyObject = Record<never, never>;

/** Whether the query may be left out: all its fields are optional. */
type OptionalQuery<Op> = Op extends { readonly query: infer S extends z.ZodType }
  ? EmptyObject extends z.input<S>
    ? true
    : false
  : true;

/**
 * What a call sends, typed from the operation's schemas (as they accept values): `params`
 * when the path has parameters, `query` when it has one (optional when all its fields
 * are), `body` when it takes one.
 */
export type RequestOf<Op> = Part<Op, "params", true> &
  Part<Op, "query", OptionalQuery<Op> extends true ? false : true> &
  Part<Op, "body", true>;

/** One member per status of `R`, `ok` true for 2xx, the body typed by that status's schema (as it parses values). */
type AnswersOf<R> = {
  [S in keyof R & number]: {
    readonly status: S;
    readonly ok: `${S}` extends `2${string}` ? true : false;
    readonly body: R[S] extends z.ZodType ? z.output<R[S]> : never;
  };
}[keyof R & number];

/**
 * What a call answers: one member per declared status and per answer the runtime gives
 * by itself (400 `{ error, problems }`, 413, 500, 502, 503 `{ error }`, unless the operation
 * declares the status), `ok` true for 2xx, the body typed by that status's schema (as it
 * parses values). Narrow on `ok` or `status`.
 */
export type ResponseOf<Op> = Op extends { readonly responses: infer R } ? AnswersOf<WithRuntimeResponses<R>> : never;

/** The arguments after the path: the request, which may be left out when nothing in it is required. */
type RequestArguments<Op> = EmptyObject extends RequestOf<Op> ? [request?: RequestOf<Op>] : [request: RequestOf<Op>];

/** A call with method `M`: to one of the contract's paths for `M`, typed from that operation. */
export type ContractCall<O extends OperationDefinitions, M extends HttpMethod> = <P extends PathsOf<O, M>>(
  path: P,
  ...request: RequestArguments<OperationAt<O, M, P>>
) => Promise<ResponseOf<OperationAt<O, M, P>>>;

/** A typed client of a dependency: one method per HTTP method, only to the paths its contract declares. */
export interface ContractClient<O extends OperationDefinitions> {
  readonly get: ContractCall<O, "GET">;
  readonly post: ContractCall<O, "POST">;
  readonly put: ContractCall<O, "PUT">;
  readonly patch: ContractCall<O, "PATCH">;
  readonly delete: ContractCall<O, "DELETE">;
}

/**
 * A typed client of a dependency from its contract, over its {@link DependencyClient}
 * (its URL, timeout and request ids). `client.get("/products/:id", { params: { id } })`:
 * the path must be one of the contract's, the request is typed and checked before it is
 * sent (an `Error` naming the field, and no call), the answer is a union by `status` of
 * the declared responses and the runtime's own answers (a 400 with its `problems`, 413,
 * 500, 502, 503). An answer the contract does not declare (its status, or a body
 * that does not match the status's schema) throws a {@link DependencyError} naming the
 * dependency, the operation, the status and the first field that does not match: what a
 * caller meets when the dependency runs another version of the contract.
 */
export function contractClient<S extends string, O extends OperationDefinitions>(
  contract: Contract<S, O>,
  dependency: DependencyClient,
): ContractClient<O> {
  const byRoute = new Map<string, [string, OperationDefinition]>();
  for (const [name, operation] of Object.entries(contract.operations))
    byRoute.set(`${operation.method} ${operation.path}`, [name, operation]);
  const call =
    (method: HttpMethod) =>
    async (path: string, request: { params?: unknown; query?: unknown; body?: unknown } = {}) => {
      const found = byRoute.get(`${method} ${path}`);
      if (found === undefined)
        throw new Error(
          `${contract.service}: the contract has no operation ${method} ${path}; accepted: ${[...byRoute.keys()].join(", ")}`,
        );
      const [name, operation] = found;
      const checked = validateRequest(operation, request);
      if (!checked.ok)
        throw new Error(
          `${contract.service}.${name} (${method} ${path}): the request does not match the contract, nothing was sent:\n${checked.problems.map((p) => `  ${p}`).join("\n")}`,
        );
      const answer = await dependency.request(method, target(path, request.params, request.query), request.body);
      const label = `${name} (${method} ${path})`;
      // An empty answer (a 204) is no body, which `noBody` accepts.
      const checkedAnswer = validateResponse(
        { responses: responsesWithRuntime(operation) },
        answer.status,
        answer.body === "" ? undefined : answer.body,
      );
      if (!checkedAnswer.ok)
        throw new DependencyError(dependency.name, `${label}: ${checkedAnswer.problem}`, answer.status);
      return { status: answer.status, ok: isSuccessStatus(answer.status), body: checkedAnswer.body };
    };
  return {
    get: call("GET"),
    post: call("POST"),
    put: call("PUT"),
    patch: call("PATCH"),
    delete: call("DELETE"),
  } as unknown as ContractClient<O>;
}

/** The path with its parameters filled in (URL-encoded) and the query string after it. */
function target(path: string, params: unknown, query: unknown): string {
  const values = (params ?? {}) as Record<string, unknown>;
  const filled = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) =>
    encodeURIComponent(String(values[name])),
  );
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value])
      search.append(key, typeof item === "object" && item !== null ? JSON.stringify(item) : String(item));
  }
  const text = search.toString();
  return text === "" ? filled : `${filled}?${text}`;
}
