import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  type RetryPolicy,
  circuitBreaker,
  handleWhen,
  retry,
} from "cockatiel";
import { BackoffWithinDeadline, CallDeadline } from "./call-deadline.js";
import { RetryBudget } from "./retry-budget.js";

/** How the runtime calls one dependency (`<DEPENDENCY>_*` variables, from `resilience` in service.ts). */
export interface DependencySettings {
  /** The whole call, retries and their backoff included. */
  readonly timeoutMs: number;
  /** Retries after an attempt that got no answer; 0 retries nothing. */
  readonly retryAttempts: number;
  /** The methods retried: idempotent ones only. */
  readonly retryMethods: readonly string[];
  /** Attempts in a row without an answer (retries count) that open the circuit breaker. */
  readonly breakerFailures: number;
  /** How long an open breaker answers at once before it lets one trial call through. */
  readonly breakerHalfOpenAfterMs: number;
}

/** A circuit breaker's state, as the metrics report it (0 closed, 1 half-open, 2 open). */
export type BreakerState = "closed" | "half-open" | "open";

/** What the runtime counts of the resilience of its calls (the service's metrics). */
export interface ResilienceObserver {
  /** A call to `dependency` is tried again. */
  retried(dependency: string): void;
  /**
   * The breaker of `dependency` changed state; when it opened, `halfOpenAt` is the time
   * (epoch ms) from which it lets a trial call through (cockatiel moves it to half-open
   * only when a call comes, so that is when a scrape should call it half-open).
   */
  breakerChanged(dependency: string, state: BreakerState, halfOpenAt?: number): void;
}

/** An attempt that got no answer: the connection was refused or reset, or its time ran out. */
export class NoAnswer extends Error {
  constructor(
    readonly cause: unknown,
    /** The attempt, 0 for the first. */
    readonly attempt: number,
    /**
     * `failed`: refused, reset, unreachable (retried while allowed); `timed-out`: the
     * call's time ran out during the attempt (not retried: no time is left); both count
     * against the breaker. `not-made`: no time was left for it (its backoff would have ended past the deadline).
     */
    readonly kind: "failed" | "timed-out" | "not-made",
  ) {
    super("no answer");
    this.name = "NoAnswer";
  }
}

/** A call given up without an answer, and how long a caller should wait before trying again. */
export class Unavailable extends Error {
  constructor(
    /** `circuit-open`: refused at once, no call made; `no-answer`: no attempt got an answer in time. */
    readonly reason: "circuit-open" | "no-answer",
    readonly retryAfterSeconds: number,
    /** The last attempt's failure (`no-answer`). */
    readonly lastAttempt?: NoAnswer,
  ) {
    super(reason);
    this.name = "Unavailable";
  }
}

/** Base delay, and the longest, of the exponential backoff between retries (with decorrelated jitter). */
const BACKOFF = { initialDelay: 50, maxDelay: 1_000 } as const;

/**
 * The resilience of the calls to one dependency, with cockatiel: each call within its
 * timeout (retries included), a retry of an idempotent call that got no answer, with
 * exponential backoff and jitter, while the {@link RetryBudget} allows, and one circuit
 * breaker per dependency that opens after `breakerFailures` attempts in a row (retries
 * count) got no answer
 * and, while open, refuses at once (no call is made) until `breakerHalfOpenAfterMs` has
 * passed and a trial call succeeds. An answer, whatever its status, is not a failure
 * here: the dependency is up, and what its status means is the caller's to decide (a
 * 503 of a dependency counted as a failure would open a breaker for every route over
 * one route's trouble).
 */
export class DependencyResilience {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retrying: RetryPolicy;
  private readonly retried: ReadonlySet<string>;
  private readonly budget = new RetryBudget();
  /** The deadline of each call under way, by its signal (what the retry policy's backoff sees). */
  private readonly deadlines = new WeakMap<AbortSignal, CallDeadline>();
  private readonly observer?: ResilienceObserver;
  private openedAt = 0;

  constructor(
    readonly dependency: string,
    readonly settings: DependencySettings,
    observer?: ResilienceObserver,
  ) {
    this.retried = new Set(settings.retryMethods);
    this.observer = observer;
    // Only attempts reach the breaker (the deadline is checked before it): each failed or timed out.
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof NoAnswer),
      {
        halfOpenAfter: settings.breakerHalfOpenAfterMs,
        breaker: new ConsecutiveBreaker(settings.breakerFailures),
      },
    );
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    // onBreak runs before onStateChange: openedAt is the time this opening happened.
    this.breaker.onStateChange((state) => {
      const name = breakerStateName(state);
      const halfOpenAt = name === "open" ? this.openedAt + settings.breakerHalfOpenAfterMs : undefined;
      observer?.breakerChanged(dependency, name, halfOpenAt);
    });
    const retrying = retry(
      handleWhen(
        (error) =>
          error instanceof NoAnswer &&
          error.kind === "failed" &&
          error.attempt < settings.retryAttempts &&
          // The breaker just opened: a retry would be refused at once.
          this.breaker.state === CircuitState.Closed &&
          this.budget.withdraw(),
      ),
      {
        maxAttempts: settings.retryAttempts,
        backoff: new BackoffWithinDeadline(new ExponentialBackoff(BACKOFF), this.deadlines),
      },
    );
    this.retrying = retrying;
  }

  /** The breaker's state now. */
  get state(): BreakerState {
    return breakerStateName(this.breaker.state);
  }

  /**
   * Runs one call: `attempt` makes one attempt (a request and its whole answer) with the
   * signal it must stop at. Resolves its answer, or rejects with {@link Unavailable}
   * when there was none (the breaker is open, or no attempt got an answer in time).
   */
  async call<T>(method: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.budget.deposit();
    const deadline = new CallDeadline(this.settings.timeoutMs);
    const once = (number: number) => this.throughBreaker(number, deadline, attempt);
    try {
      if (this.settings.retryAttempts === 0 || !this.retried.has(method)) return await once(0);
      this.deadlines.set(deadline.signal, deadline);
      return await this.retrying.execute(({ attempt: number }) => once(number), deadline.signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.unavailable("circuit-open");
      if (error instanceof NoAnswer) throw this.unavailable("no-answer", error);
      throw error;
    }
  }

  /**
   * One attempt through the breaker, within the call's `deadline`. The deadline is checked
   * before the breaker: a call out of time makes no attempt, and the breaker never sees
   * it (cockatiel closes a half-open breaker on an error it does not handle). While the
   * breaker is half-open, its trial call alone goes through and the others are refused at
   * once: cockatiel would make them wait for the trial and then run them without their
   * signal.
   */
  private throughBreaker<T>(number: number, deadline: CallDeadline, attempt: (signal: AbortSignal) => Promise<T>) {
    if (deadline.passed) return Promise.reject(new NoAnswer(deadline.signal.reason, number, "not-made"));
    if (this.breaker.state === CircuitState.HalfOpen) return Promise.reject(new BrokenCircuitError());
    // Counted here, not on cockatiel's onRetry: a retry whose backoff would pass the deadline is not made.
    if (number > 0) this.observer?.retried(this.dependency);
    return this.breaker.execute(async ({ signal }) => {
      try {
        return await attempt(AbortSignal.any([signal, deadline.signal]));
      } catch (error) {
        throw new NoAnswer(error, number, deadline.signal.aborted ? "timed-out" : "failed");
      }
    }, deadline.signal);
  }

  private unavailable(reason: Unavailable["reason"], lastAttempt?: NoAnswer): Unavailable {
    const untilHalfOpen = this.openedAt + this.settings.breakerHalfOpenAfterMs - Date.now();
    const retryAfterSeconds =
      reason === "circuit-open" || this.breaker.state === CircuitState.Open
        ? Math.max(1, Math.ceil(untilHalfOpen / 1000))
        : 1;
    return new Unavailable(reason, retryAfterSeconds, lastAttempt);
  }
}

function breakerStateName(state: CircuitState): BreakerState {
  if (state === CircuitState.Closed) return "closed";
  if (state === CircuitState.HalfOpen) return "half-open";
  return "open";
}
