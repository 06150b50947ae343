/**
 * The HTTP methods that may be retried: a second attempt has the effect of one (RFC 9110,
 * 9.2.2). POST and PATCH are not: a retried order may be placed twice.
 */
export const IDEMPOTENT_METHODS = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"] as const;

/**
 * The defaults of the service spec that a service's code must know too: where the
 * platform probes it, where Prometheus scrapes it, and how it calls its dependencies.
 * `resolve.ts` (SPEC_DEFAULTS) and the service runtime (`manifestOf`) both read them from here, so the probes and the
 * routes that answer them cannot drift apart. It imports nothing: the runtime bundles it
 * into every service's image.
 */
export const RUNTIME_DEFAULTS = {
  /** The liveness path, when `health.liveness` is not given. */
  liveness: "/healthz",
  /** The readiness path, when `health.readiness` is not given. */
  readiness: "/readyz",
  /** The metrics path, when `monitoring.metricsPath` is not given (served on the service port). */
  metricsPath: "/metrics",
  /**
   * The whole shutdown, from SIGTERM to exit (`SHUTDOWN_TIMEOUT_MS`), below the platform's
   * 30 s grace period: a call to a dependency may not take longer (`resilience.<dependency>.timeoutMs`).
   */
  shutdownTimeoutMs: 25_000,
  /** How the runtime calls each dependency, when `resilience.<dependency>` does not say. */
  dependency: {
    /** The whole call, retries included: the caller's answer never waits longer. */
    timeoutMs: 2_000,
    /** Retries after a first attempt that got no answer (refused, reset, timed out). */
    retryAttempts: 2,
    /** The methods retried: the idempotent ones (RFC 9110, 9.2.2). */
    retryMethods: IDEMPOTENT_METHODS,
    /** Attempts in a row without an answer (retries count) that open the circuit breaker. */
    breakerFailures: 5,
    /** How long an open breaker answers at once before it lets one trial call through. */
    breakerHalfOpenAfterMs: 10_000,
  },
} as const;

/**
 * The variables the service runtime reads as its own settings, by what they set. The
 * runtime (`loadConfig`, `loadWorkerSettings`) reads them by these names, and the spec
 * refuses a dependency or backing service whose derived variables (`<NAME>_URL`,
 * `<NAME>_TIMEOUT_MS`, ...) would be one of them (`service-variables.ts`, with the `OTEL_*` ones of resolve.ts): a dependency
 * named `shutdown` would otherwise set `SHUTDOWN_TIMEOUT_MS` to its call timeout.
 */
export const RUNTIME_VARIABLES = {
  serviceName: "SERVICE_NAME",
  port: "PORT",
  environment: "PLATFORM_ENVIRONMENT",
  logLevel: "LOG_LEVEL",
  dependencyTimeoutMs: "DEPENDENCY_TIMEOUT_MS",
  loadSheddingMaxEventLoopDelayMs: "LOAD_SHEDDING_MAX_EVENT_LOOP_DELAY_MS",
  loadSheddingMaxEventLoopUtilization: "LOAD_SHEDDING_MAX_EVENT_LOOP_UTILIZATION",
  loadSheddingSampleIntervalMs: "LOAD_SHEDDING_SAMPLE_INTERVAL_MS",
  drainMs: "SHUTDOWN_DRAIN_MS",
  shutdownTimeoutMs: "SHUTDOWN_TIMEOUT_MS",
  backingServiceCheckTimeoutMs: "BACKING_SERVICE_CHECK_TIMEOUT_MS",
  workerPollIntervalMs: "WORKER_POLL_INTERVAL_MS",
} as const;
