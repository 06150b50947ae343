/**
 * A retry budget: retries may add at most `ratio` of the calls made (plus a small
 * `reserve` for a service that makes few), so that when a dependency fails, its callers
 * add at most that share of load instead of multiplying it by the retry count. A token
 * bucket with no timer: each call puts `ratio` of a token in, up to `reserve`; each retry
 * takes a whole one, or is not made. cockatiel (3.2) has retries but no budget, so it is
 * written here; it is Finagle's and Envoy's retry budget without their time window (the
 * bucket's size is the window: `reserve / ratio` calls).
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    /** The share of calls that may be retried, like 0.2. */
    readonly ratio = 0.2,
    /** Retries the bucket holds at most, and at start. */
    readonly reserve = 10,
  ) {
    this.tokens = reserve;
  }

  /** One call made: its share of a retry is added. */
  deposit(): void {
    this.tokens = Math.min(this.reserve, this.tokens + this.ratio);
  }

  /** Takes one retry from the budget; false when it is spent, and the retry is not made. */
  withdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
