/**
 * The defaults of the service spec that a service's code must know too: where the
 * platform probes it and where Prometheus scrapes it. `resolve.ts` (SPEC_DEFAULTS) and
 * the service runtime (`manifestOf`) both read them from here, so the probes and the
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
} as const;
