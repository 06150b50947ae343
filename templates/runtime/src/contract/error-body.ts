import { z } from "zod";

/**
 * The body the runtime answers an error with (an `HttpError` a handler throws, a request
 * the contract refuses, a failed dependency): `{ "error": "<what went wrong>" }`. A
 * contract declares it for its error statuses, such as `404: errorBody`.
 */
export const errorBody = z.object({ error: z.string() });

/** The body of an error answer: `{ error: string }`. */
export type ErrorBody = z.output<typeof errorBody>;
