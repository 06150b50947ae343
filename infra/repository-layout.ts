/**
 * Where things are in the repository: plain names, in a module that imports nothing, so
 * that any tool can read them without loading the platform (the spec schema, cdktf).
 */

/** The folder, under the repository root, that holds one folder per service. */
export const SERVICES_DIR = "services";

/**
 * A service's spec, in its folder: `services/<name>/service.ts`. A folder of `services/`
 * is a service when it holds a file of exactly this name.
 */
export const SERVICE_SPEC_FILE = "service.ts";

/**
 * The folder of a platform team's adjustments: `extensions/adjustments/<name>.ts`, each `export default
 * defineAdjustment({...})`.
 */
export const ADJUSTMENTS_DIR = "extensions/adjustments";

/**
 * The folder of a platform team's own rule packs: `extensions/guardrails/<name>.ts`, each `export default
 * definePack({...})`.
 */
export const GUARDRAIL_PACKS_DIR = "extensions/guardrails";

/**
 * A service's API contract, in its folder: `services/<name>/src/api.ts`, `export default
 * defineContract({...})` (from `@platform/service-runtime/contract`).
 */
export const SERVICE_API_FILE = "src/api.ts";

/** The folder, in the synth's output folder, of each service's OpenAPI document: `api/<name>.openapi.json`. */
export const API_DOCUMENTS_DIR = "api";

/**
 * The lock of the pushed images, at the repository root: per service, the version and the
 * registry digest the images workflow pushed (`npm run images:lock` writes it). The
 * Kubernetes Deployments reference an image by that digest when its version is the
 * service's.
 */
export const IMAGES_LOCK_FILE = "images.lock.json";
