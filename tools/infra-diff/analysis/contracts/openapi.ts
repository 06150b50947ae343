import { isObject, type JsonObject } from "../../values.js";

/**
 * What the contract comparison reads of an OpenAPI 3.1 document (the one `npm run synth`
 * writes per HTTP service, `cdktf.out/api/<service>.openapi.json`): its operations, their
 * parameters, JSON request body and responses, with every local `$ref` followed.
 */

/** A parsed OpenAPI document; only what {@link operationsOf} reads is assumed. */
export type OpenApiDocument = JsonObject;

/** The HTTP methods an OpenAPI path item may hold. */
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** Where a `$ref` inside a schema is resolved: the document, then the schema it is part of. */
export interface RefScope {
  readonly document: unknown;
  /** The top schema of a parameter, body or response (zod puts its `$defs` there). */
  readonly schemaRoot: unknown;
}

/** One operation, as the comparison reads it. */
export interface Operation {
  /** `GET /products/{id}`, as the document writes it. */
  readonly label: string;
  /** The method and the path with every parameter name blanked: `/products/{id}` and `/products/{productId}` are one URL to a caller. */
  readonly key: string;
  /** Parameters by `<in>:<name>` (`query:limit`; `path:{0}` for the first path parameter), path-level ones overridden by the operation's. */
  readonly parameters: ReadonlyMap<string, Parameter>;
  /** The request body, when the operation takes one. */
  readonly requestBody?: Body;
  /** The responses, by status (`200`, `404`, `default`). */
  readonly responses: ReadonlyMap<string, Body>;
}

/** A path, query, header or cookie parameter. */
export interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly required: boolean;
  readonly schema: unknown;
}

/** A request body or a response: its JSON schema and what other media types it has. */
export interface Body {
  readonly required: boolean;
  /** The `application/json` schema; undefined when the body has none. */
  readonly schema?: unknown;
  /** The other media types, as written (compared as a whole). */
  readonly otherContent: JsonObject;
}

/** The operations of a document, by {@link Operation.key}. */
export function operationsOf(document: OpenApiDocument): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolveRef(rawItem, document);
    if (!isObject(item)) continue;
    const template = [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
    const shared = parametersOf(item.parameters, document, template);
    for (const method of METHODS) {
      const operation = resolveRef(item[method], document);
      if (!isObject(operation)) continue;
      const label = `${method.toUpperCase()} ${path}`;
      const key = `${method.toUpperCase()} ${path.replace(/\{[^}]*\}/g, "{}")}`;
      const requestBody = resolveRef(operation.requestBody, document);
      const responses = new Map<string, Body>();
      for (const [status, response] of Object.entries(isObject(operation.responses) ? operation.responses : {}))
        responses.set(status, bodyOf(resolveRef(response, document), document));
      operations.set(key, {
        label,
        key,
        parameters: new Map([...shared, ...parametersOf(operation.parameters, document, template)]),
        requestBody: isObject(requestBody) ? bodyOf(requestBody, document) : undefined,
        responses,
      });
    }
  }
  return operations;
}

/**
 * Parameters by `<in>:<name>`; a path parameter by its place in the path (`path:{0}`),
 * since its name is not part of the URL a caller sends.
 */
function parametersOf(raw: unknown, document: OpenApiDocument, template: readonly string[]): Map<string, Parameter> {
  const parameters = new Map<string, Parameter>();
  for (const entry of Array.isArray(raw) ? raw : []) {
    const parameter = resolveRef(entry, document);
    if (!isObject(parameter) || typeof parameter.name !== "string" || typeof parameter.in !== "string") continue;
    const place = parameter.in === "path" ? template.indexOf(parameter.name) : -1;
    parameters.set(place >= 0 ? `path:{${place}}` : `${parameter.in}:${parameter.name}`, {
      in: parameter.in,
      name: parameter.name,
      // A path parameter is always required (OpenAPI says it must be declared so).
      required: parameter.in === "path" || parameter.required === true,
      schema: parameter.schema ?? {},
    });
  }
  return parameters;
}

function bodyOf(raw: unknown, document: OpenApiDocument): Body {
  const body = isObject(raw) ? raw : {};
  const content = isObject(body.content) ? body.content : {};
  const { "application/json": json, ...otherContent } = content;
  const media = resolveRef(json, document);
  return {
    required: body.required === true,
    schema: isObject(media) && "schema" in media ? media.schema : undefined,
    otherContent,
  };
}

/**
 * The value a local reference (`#/components/schemas/Product`, `#/$defs/Product`) points
 * to, first in the document, then in `scopeRoot` (a schema whose `$defs` zod wrote beside
 * it); the value itself when it is no reference; undefined when the reference leads nowhere.
 * Keywords beside a `$ref` (JSON Schema 2020-12 allows them) are kept.
 */
export function resolveRef(value: unknown, document: unknown, scopeRoot?: unknown): unknown {
  let current = value;
  const followed = new Set<string>();
  while (isObject(current) && typeof current.$ref === "string") {
    const ref = current.$ref;
    if (followed.has(ref) || !ref.startsWith("#")) return current;
    followed.add(ref);
    const target = pointer(document, ref) ?? (scopeRoot !== undefined ? pointer(scopeRoot, ref) : undefined);
    if (target === undefined) return undefined;
    const { $ref: _, ...siblings } = current;
    current = isObject(target) && Object.keys(siblings).length > 0 ? { ...target, ...siblings } : target;
  }
  return current;
}

/** The value at a JSON pointer fragment (`#/a/b~1c`), or undefined. */
function pointer(root: unknown, ref: string): unknown {
  const tokens = ref
    .slice(1)
    .split("/")
    .filter((token, index) => index > 0 || token !== "")
    .map((token) => decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~"));
  let current = root;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}

/** JSON with its object keys sorted: two values are the same when these are. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
