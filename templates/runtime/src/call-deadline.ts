import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from "cockatiel";

/**
 * The time one call to a dependency has, retries and their backoff included: a signal
 * that fires at the deadline, and whether a backoff would have ended past it (the call is
 * then out of time at once: waiting for the deadline to make no attempt helps no one).
 */
export class CallDeadline {
  /** Fires when the call's time has run out. */
  readonly signal: AbortSignal;
  private readonly endsAt: number;
  private outOfTime = false;

  constructor(timeoutMs: number) {
    this.signal = AbortSignal.timeout(timeoutMs);
    this.endsAt = performance.now() + timeoutMs;
  }

  /** True once the deadline has passed, or a backoff would have ended past it. */
  get passed(): boolean {
    return this.outOfTime || this.signal.aborted;
  }

  /** The wait before a retry: `delay` when the call still has time after it, else none and the call is out of time. */
  waitBefore(delay: number): number {
    if (delay < this.endsAt - performance.now()) return delay;
    this.outOfTime = true;
    return 0;
  }
}

type RetryBackoffContext = IRetryBackoffContext<unknown>;

/**
 * A backoff between retries that keeps within each call's {@link CallDeadline}: cockatiel
 * (3.2) waits out a backoff without watching the call's signal, so a call could outlast
 * its timeout by a whole backoff. The deadline is found by the signal the retry policy
 * was given (`execute(fn, deadline.signal)`), which its backoff context carries.
 */
export class BackoffWithinDeadline implements IBackoffFactory<RetryBackoffContext> {
  constructor(
    private readonly backoff: IBackoffFactory<RetryBackoffContext>,
    private readonly deadlines: WeakMap<AbortSignal, CallDeadline>,
  ) {}

  next(context: RetryBackoffContext): IBackoff<RetryBackoffContext> {
    const deadline = this.deadlines.get(context.signal);
    const backoff = this.backoff.next(context);
    return deadline ? withinDeadline(backoff, deadline) : backoff;
  }
}

function withinDeadline(backoff: IBackoff<RetryBackoffContext>, deadline: CallDeadline): IBackoff<RetryBackoffContext> {
  return {
    duration: deadline.waitBefore(backoff.duration),
    next: (context) => withinDeadline(backoff.next(context), deadline),
  };
}
