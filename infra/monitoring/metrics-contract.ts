/**
 * The metrics contract: the names and labels every service exposes on its metrics
 * path. Written down once, here; the templates' code instruments itself with these
 * names, and the alert rules and dashboards query them. This module has no imports, so
 * that a service can bundle it into its image.
 */
export const METRICS_CONTRACT = {
  /** Counter of finished HTTP requests. */
  requests: {
    name: "http_requests_total",
    help: "HTTP requests served, by route, method and status code",
    labels: ["route", "method", "status"],
  },
  /** Histogram of HTTP request durations, in seconds. */
  duration: {
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by route, method and status code",
    labels: ["route", "method", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10],
  },
  /** Counter of jobs a worker finished, by outcome ("success" or "failure"). */
  jobs: {
    name: "worker_jobs_total",
    help: "Jobs processed by the worker, by outcome",
    labels: ["outcome"],
  },
  /** Histogram of job durations, in seconds. */
  jobDuration: {
    name: "worker_job_duration_seconds",
    help: "Job processing duration in seconds",
    labels: ["outcome"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  },
  /**
   * Gauge of each backing service as its owner sees it: 1 when its last check passed
   * (`SELECT 1`, PING, an open channel), 0 when not. Updated by every readiness probe and
   * every few seconds in between.
   */
  backingServiceUp: {
    name: "backing_service_up",
    help: "Whether the backing service answered its last check (1) or not (0), by resource and type",
    labels: ["resource", "type"],
  },
  /** Gauge of a PostgreSQL client pool's connections, by state (`total`, `idle`, `waiting`). */
  backingServicePoolConnections: {
    name: "backing_service_pool_connections",
    help: "Connections of the service's PostgreSQL pool by state: total open, idle, and requests waiting for one",
    labels: ["resource", "state"],
    states: ["total", "idle", "waiting"],
  },
  /** Counter of calls to a dependency tried again (an idempotent call that got no answer, within the retry budget). */
  dependencyRetries: {
    name: "dependency_retries_total",
    help: "Calls to a dependency tried again after an attempt that got no answer, by dependency",
    labels: ["dependency"],
  },
  /**
   * Gauge of each dependency's circuit breaker: 0 closed (calls go through), 1 half-open
   * (one trial call), 2 open (calls refused at once, the caller answers 503).
   */
  dependencyBreakerState: {
    name: "dependency_circuit_breaker_state",
    help: "The circuit breaker of calls to a dependency: 0 closed, 1 half-open, 2 open, by dependency",
    labels: ["dependency"],
    values: { closed: 0, "half-open": 1, open: 2 },
  },
  /** Counter of requests answered 503 at once because the service was overloaded (load shedding). */
  shedRequests: {
    name: "http_requests_shed_total",
    help: "Requests answered 503 with Retry-After without being handled, because the event loop was saturated",
    labels: [],
  },
  /** A status label value at or above this counts against the availability SLO. */
  serverErrorStatus: 500,
  /** The same, as a regular expression on the `status` label (status codes stop at 599). */
  serverErrorStatusPattern: "5..",
  /**
   * Process metrics, which prom-client's `collectDefaultMetrics()` exposes: the
   * dashboards compare them with the container's cpu and memory limits, on both targets.
   */
  process: {
    cpuSeconds: "process_cpu_seconds_total",
    residentMemoryBytes: "process_resident_memory_bytes",
  },
} as const;

/** Labels the platform attaches to every scraped series (not set by services). */
export const TARGET_LABELS = { service: "service", environment: "environment" } as const;

/** The label selector of one service's series in one environment, plus `extra` matchers. */
export function serviceSelector(service: string, environment: string, extra = ""): string {
  return `{${TARGET_LABELS.service}="${service}",${TARGET_LABELS.environment}="${environment}"${extra ? `,${extra}` : ""}}`;
}

/** The label selector of every service's series in one environment, plus `extra` matchers. */
export function environmentSelector(environment: string, extra = ""): string {
  return `{${TARGET_LABELS.environment}="${environment}"${extra ? `,${extra}` : ""}}`;
}
