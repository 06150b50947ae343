/**
 * The service spec as the platform reads it: the schema, the check of what a service
 * file exports, the defaults, the checks across services, and their errors. A service
 * file imports the spec API (`index.ts`) instead, which holds none of these.
 */
export { defineService } from "./define-service.js";
export { parseServiceDefinition } from "./service-definition.js";
export { serviceSpecSchema, DNS_1035_LABEL, type ServiceSpecInput, type ServiceDefinition } from "./service-spec.js";
export * from "./resolve.js";
export * from "./catalogue.js";
export { hostClashesAcrossEnvironments, type HostEnvironment } from "./environment-hosts.js";
export { SpecError, formatValue, type SpecProblem } from "./spec-error.js";
