/**
 * Where things are in the repository: plain names, in a module that imports nothing, so
 * that any tool can read them without loading the platform (the spec schema, cdktf).
 */

/** The folder, under the repository root, that holds one folder per service. */
export const SERVICES_DIR = "services";
