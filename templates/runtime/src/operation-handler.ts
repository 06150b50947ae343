import type { IncomingHttpHeaders } from "node:http";
import type { z } from "zod";
import type { Contract } from "./contract/define-contract.js";
import type { OperationDefinition, OperationDefinitions } from "./contract/operation.js";
import type { Logger } from "./logger.js";

/** An object with no field: the params or query of an operation that declares none. */
type NoFields = Record<never, never>;

/** The parsed value of an object part of an operation (params or query), or no field when it declares none. */
type ParsedPart<Op, K extends "params" | "query"> = Op extends { readonly [key in K]: infer S extends z.ZodType }
  ? z.output<S>
  : NoFields;

/**
 * What the handler of an operation receives: its params, query and body as the
 * operation's schemas parse them (defaults applied, `z.coerce` values converted), once
 * the runtime has checked them; a request they refuse never reaches the handler.
 */
export interface OperationRequest<Op = OperationDefinition> {
  readonly params: ParsedPart<Op, "params">;
  readonly query: ParsedPart<Op, "query">;
  /** The body, parsed; `undefined` when the operation takes none. */
  readonly body: Op extends { readonly body: infer S extends z.ZodType } ? z.output<S> : undefined;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  /** A logger that adds the request id to every line. */
  readonly log: Logger;
}

/** The answer with status `S`, its body as `Schema` accepts it (optional when it accepts no body). */
type AnswerWith<S extends number, Schema> = Schema extends z.ZodType
  ? undefined extends z.input<Schema>
    ? { readonly status: S; readonly body?: z.input<Schema>; readonly headers?: Readonly<Record<string, string>> }
    : { readonly status: S; readonly body: z.input<Schema>; readonly headers?: Readonly<Record<string, string>> }
  : never;

/**
 * What the handler of an operation answers: one of the statuses the operation declares,
 * with a body its schema for that status accepts (`z.input`), and optional headers. A
 * status the contract does not declare, or a body of another shape, is a type error.
 */
export type OperationAnswer<Op> = Op extends { readonly responses: infer R }
  ? { [S in keyof R & number]: AnswerWith<S, R[S]> }[keyof R & number]
  : never;

/** The handler of one operation: an `HttpError` it throws is answered as usual. */
export type OperationHandler<Op> = (
  request: OperationRequest<Op>,
) => OperationAnswer<Op> | Promise<OperationAnswer<Op>>;

/** A handler for every operation of a contract, by the operation's name. */
export type OperationHandlers<O extends OperationDefinitions> = { readonly [K in keyof O]: OperationHandler<O[K]> };

/**
 * The handlers of a contract's operations, by name: to write some of them in a module of
 * their own, `const handlers: Pick<ContractHandlers<typeof contract>, "getProduct"> = {...}`,
 * then `router.implement(contract, { ...handlers, ...others })`.
 */
export type ContractHandlers<C extends Contract> = OperationHandlers<C["operations"]>;

/** What the runtime calls an operation's handler with, and what it gets back, untyped. */
export interface CheckedRequest {
  readonly params: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly requestId: string;
  readonly log: Logger;
}

/** An operation's answer, as the runtime sends it. */
export interface UncheckedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An operation's handler, as the runtime calls it (the types checked where it was written). */
export type UncheckedOperationHandler = (request: CheckedRequest) => UncheckedAnswer | Promise<UncheckedAnswer>;
