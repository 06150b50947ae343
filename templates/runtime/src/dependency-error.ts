/**
 * A dependency that did not answer, or answered with an error. Unhandled, the runtime
 * answers 503 with `Retry-After` when the dependency is unavailable (no answer, or its
 * breaker is open), else 502.
 */
export class DependencyError extends Error {
  constructor(
    readonly dependency: string,
    message: string,
    /** The dependency's HTTP status, when it answered. */
    readonly status?: number,
    /**
     * Set when the dependency is unavailable (it did not answer in time, or its breaker is
     * open and no call was made): the seconds a caller should wait before trying again.
     */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${dependency}: ${message}`);
    this.name = "DependencyError";
  }
}
