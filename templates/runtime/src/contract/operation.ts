import type { z } from "zod";

/** The HTTP methods an operation may have. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** An HTTP method an operation may have. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** An object schema: the path parameters or the query string of an operation. */
export type ObjectSchema = z.ZodObject<z.ZodRawShape>;

/** The schemas of an operation's answers, by HTTP status (at least one 2xx). */
export type ResponseSchemas = { readonly [status: number]: z.ZodType };

/**
 * One operation of a service's API: its route and, as zod schemas, what it accepts and
 * what it answers.
 */
export interface OperationDefinition {
  /** The HTTP method: GET, POST, PUT, PATCH or DELETE. */
  readonly method: HttpMethod;
  /** The path, with `:name` segments for its parameters, like `/products/:id`. */
  readonly path: string;
  /** One line on what it does. @default none (the OpenAPI document has no summary) */
  readonly summary?: string;
  /** Exactly the path's parameters. @default none (the path must have no parameter) */
  readonly params?: ObjectSchema;
  /** The query string's parameters. @default none (a query string is ignored) */
  readonly query?: ObjectSchema;
  /** The JSON body. @default none (the operation takes no body) */
  readonly body?: z.ZodType;
  /** The answers it gives, by status: `{ 200: Product, 404: errorBody }`. */
  readonly responses: ResponseSchemas;
}

/** The operations of a service, by name (the name is the OpenAPI `operationId`). */
export type OperationDefinitions = { readonly [name: string]: OperationDefinition };

/** `/products/:id` as `/products/{id}`, the OpenAPI form. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

/** The names of a path's `:name` segments, in order. */
export function pathParameters(path: string): string[] {
  return path
    .split("/")
    .filter((segment) => segment.startsWith(":"))
    .map((segment) => segment.slice(1));
}

/** Whether a status is a success (2xx). */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

/** The statuses an operation declares, ascending. */
export function declaredStatuses(operation: Pick<OperationDefinition, "responses">): number[] {
  return Object.keys(operation.responses)
    .map(Number)
    .sort((a, b) => a - b);
}
