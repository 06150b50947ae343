/**
 * `@platform/service-runtime/contract`: a service's API contract (`src/api.ts`), its
 * OpenAPI document, typed clients of it, and the request checks a server runs. It imports
 * only zod and the runtime's dependency client, so the synth can load a contract without
 * the HTTP server.
 */
export * from "./contract-client.js";
export * from "./define-contract.js";
export * from "./bodies.js";
export * from "./openapi.js";
export * from "./operation.js";
export * from "./request-validation.js";
export * from "./runtime-responses.js";
// The zod a contract is written with, at the runtime's pinned version: a service imports
// it from here rather than reaching for a package it does not declare.
export { z } from "zod";
