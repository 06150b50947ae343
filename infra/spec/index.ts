/**
 * The spec API: all that a service file imports from infra/, `defineService` and the
 * spec's types. It reaches nothing of the platform at run time (`defineService` gives a
 * spec its type; discovery checks it), so a service file that imports it can change
 * nothing that other services are checked or built with. `npm run synth` refuses a
 * service module that imports anything else from infra/; the platform's own code reads
 * the spec through `model.ts`.
 */
export { defineService } from "./define-service.js";
export type { ServiceSpecInput } from "./service-spec.js";
