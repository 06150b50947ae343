/** The service spec: what a service declares, its defaults, and the checks across services. */
export { defineService } from "./define-service.js";
export { parseServiceDefinition } from "./service-definition.js";
export { serviceSpecSchema, DNS_1035_LABEL, type ServiceSpecInput, type ServiceDefinition } from "./service-spec.js";
export * from "./resolve.js";
export * from "./catalogue.js";
export { SpecError, formatValue, type SpecProblem } from "./spec-error.js";
