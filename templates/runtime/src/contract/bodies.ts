import { z } from "zod";

/**
 * The body the runtime answers an error with (an `HttpError` a handler throws, a request
 * the contract refuses, a failed dependency): `{ "error": "<what went wrong>" }`. A
 * contract declares it for its error statuses, such as `404: errorBody`.
 */
export const errorBody = z.object({ error: z.string() });

/** The body of an error answer: `{ error: string }`. */
export type ErrorBody = z.output<typeof errorBody>;

/**
 * No body: what a 204 answers. Declare it as `204: noBody`; the OpenAPI response has no
 * content, and a typed client's answer has `body: undefined`.
 */
export const noBody = z.undefined();

/** Whether a response schema says the answer has no body. */
export function isNoBody(schema: z.ZodType): boolean {
  const type = schema._zod.def.type;
  return type === "undefined" || type === "void";
}
