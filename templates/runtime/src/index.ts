/**
 * `@platform/service-runtime`: what every service made from a template runs on. A
 * service imports it by name; esbuild bundles it into the service's image, so a fix
 * here reaches every service at its next build. Test helpers are in
 * `@platform/service-runtime/testing`.
 */
export * from "./application.js";
export type * from "./backing-services/backing-service.js";
export { BACKING_SERVICE_CHECK_INTERVAL_MS } from "./backing-services/backing-services.js";
export { POSTGRES_POOL_MAX } from "./backing-services/postgres-connection.js";
export { QueueClient, type MessageHandler } from "./backing-services/queue-client.js";
export { MIGRATIONS_TABLE } from "./backing-services/schema-migrations.js";
export * from "./config.js";
export { OPENAPI_PATH } from "./contract-routes.js";
export * from "./dependency-client.js";
export * from "./dependency-resilience.js";
export * from "./retry-budget.js";
export * from "./logger.js";
export * from "./metrics.js";
export type * from "./operation-handler.js";
export * from "./request-context.js";
export * from "./router.js";
export * from "./run.js";
export * from "./manifest-of.js";
export * from "./service-manifest.js";
export * from "./worker-loop.js";
