import { z } from "zod";
import { errorBody } from "./bodies.js";
import type { OperationDefinition, ResponseSchemas } from "./operation.js";

/**
 * The body of the runtime's 400: `{ error: <the first problem>, problems: [<one line per
 * problem>] }`, each problem `<field>: got <value>; accepted: <what>` (a request its
 * contract refuses), or the one problem of a body that is not JSON.
 */
export const invalidRequestBody = z.object({ error: z.string(), problems: z.array(z.string()) });

/** The body of the runtime's 400. */
export type InvalidRequestBody = z.output<typeof invalidRequestBody>;

/**
 * The answers the runtime gives to any operation by itself, whatever its handler does:
 * 400 when the request does not match the contract (or its body is not JSON), 413 when
 * the body is larger than the runtime accepts, 500 when the handler fails, 502 when a
 * dependency it called answered badly, 503 (with `Retry-After`) when a dependency it called
 * is unavailable (no answer in time, or its circuit breaker is open) or the service sheds load. They are part of every operation's contract: the OpenAPI
 * document declares them and a typed client types them, unless the operation declares
 * that status itself (its schema is then the one). Not here: 405, which a declared method
 * and path never gets, and 404, which only a handler answers (a path parameter that names
 * nothing) and declares.
 */
export const RUNTIME_RESPONSES = {
  400: invalidRequestBody,
  413: errorBody,
  500: errorBody,
  502: errorBody,
  503: errorBody,
} as const;

/** The answers the runtime gives by itself, by status. */
export type RuntimeResponses = typeof RUNTIME_RESPONSES;

/**
 * One answer the runtime gives of each of its statuses: an operation that declares one of
 * these statuses itself must keep that answer whole (defineContract refuses it otherwise),
 * so that its document and typed clients tell the truth about the runtime's answers too.
 */
export const RUNTIME_RESPONSE_EXAMPLES: { readonly [S in keyof RuntimeResponses]: z.input<RuntimeResponses[S]> } = {
  400: { error: 'query.limit: got "x"; accepted: number', problems: ['query.limit: got "x"; accepted: number'] },
  413: { error: "the body is larger than 1048576 bytes" },
  500: { error: "internal error" },
  502: { error: "catalog failed" },
  503: { error: "catalog is unavailable; try again later" },
};

/** Why the runtime gives each of its answers: the OpenAPI description of the status. */
export const RUNTIME_RESPONSE_REASONS: { readonly [S in keyof RuntimeResponses]: string } = {
  400: "the runtime's answer: the request does not match the contract (each problem in problems)",
  413: "the runtime's answer: the body is larger than the runtime accepts",
  500: "the runtime's answer: the handler failed",
  502: "the runtime's answer: a dependency answered badly",
  503: "the runtime's answer: a dependency is unavailable, or the service is overloaded; try again after Retry-After seconds",
};

/** An operation's responses with the runtime's answers it does not declare itself. */
export type WithRuntimeResponses<R> = Omit<RuntimeResponses, keyof R> & R;

/** The responses of an operation, the runtime's answers included (its own schema first, where it declares the status). */
export function responsesWithRuntime(operation: Pick<OperationDefinition, "responses">): ResponseSchemas {
  return { ...RUNTIME_RESPONSES, ...operation.responses };
}

/** Whether `status` is an answer of the runtime that the operation does not declare itself. */
export function isRuntimeResponse(operation: Pick<OperationDefinition, "responses">, status: number): boolean {
  return status in RUNTIME_RESPONSES && operation.responses[status] === undefined;
}
