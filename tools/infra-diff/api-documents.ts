import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { OpenApiDocument } from "./analysis/contracts/openapi.js";
import { isObject } from "./values.js";

/** The folder of a synthesized output that holds each HTTP service's OpenAPI document. */
export const API_FOLDER = "api";
/** A service's document in it: `<service>.openapi.json`. */
export const API_DOCUMENT_SUFFIX = ".openapi.json";

/** The API contracts of one synthesized side. */
export interface ApiDocuments {
  /** The documents, by service. */
  readonly documents: Map<string, OpenApiDocument>;
  /** The services whose document could not be read, with why. */
  readonly unreadable: Map<string, string>;
}

/**
 * Reads `<outdir>/api/<service>.openapi.json` for every service that has one (none for
 * a revision older than the contracts). A file that is not a JSON object is named in
 * `unreadable`, not thrown: the rest of the diff does not depend on it.
 */
export function readApiDocuments(outdir: string): ApiDocuments {
  const folder = path.join(outdir, API_FOLDER);
  const documents = new Map<string, OpenApiDocument>();
  const unreadable = new Map<string, string>();
  if (!existsSync(folder)) return { documents, unreadable };
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(API_DOCUMENT_SUFFIX)) continue;
    const service = entry.name.slice(0, -API_DOCUMENT_SUFFIX.length);
    try {
      const parsed: unknown = JSON.parse(readFileSync(path.join(folder, entry.name), "utf8"));
      if (isObject(parsed)) documents.set(service, parsed);
      else unreadable.set(service, "it is not a JSON object");
    } catch (error) {
      unreadable.set(service, `it is not JSON: ${(error as Error).message}`);
    }
  }
  return { documents, unreadable };
}
