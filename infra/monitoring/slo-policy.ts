/**
 * How the platform turns a service's SLO into alerts: the multi-window, multi-burn-rate
 * method of the Google SRE workbook ("Alerting on SLOs"), with its four window pairs.
 * It imports only the metrics contract, so that the spec schema can check an SLO
 * against it before anything is rendered.
 */
import { METRICS_CONTRACT } from "./metrics-contract.js";

/** The period an error budget is counted over. */
export const SLO_PERIOD = "30d";
/** {@link SLO_PERIOD} in hours, for the "budget gone in" figures of the annotations. */
export const SLO_PERIOD_HOURS = 30 * 24;

/** The severity of an alert: `page` wakes someone up, `ticket` is for working hours. */
export type Severity = "page" | "ticket";

/**
 * One alert condition: the error ratio over both windows exceeds `factor` times the
 * error budget. The long window says the burn is real, the short one that it is still
 * going on, so the alert clears minutes after the burn stops.
 */
export interface BurnRateWindow {
  /** How many times faster than "exactly the budget over the period" the budget burns. */
  readonly factor: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  /** Share of the period's budget spent when the long window alone fires (for the annotation). */
  readonly budgetSpentPercent: number;
}

/** The window pairs of each severity: any pair firing fires the alert. */
export const BURN_RATE_WINDOWS: Readonly<Record<Severity, readonly BurnRateWindow[]>> = {
  page: [
    { factor: 14.4, longWindow: "1h", shortWindow: "5m", budgetSpentPercent: 2 },
    { factor: 6, longWindow: "6h", shortWindow: "30m", budgetSpentPercent: 5 },
  ],
  ticket: [
    { factor: 3, longWindow: "1d", shortWindow: "2h", budgetSpentPercent: 10 },
    { factor: 1, longWindow: "3d", shortWindow: "6h", budgetSpentPercent: 10 },
  ],
};

/** Every window a ratio is recorded over, shortest first. */
export const RECORDED_WINDOWS: readonly string[] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/** The largest burn factor: a page must be able to fire, so the budget times it must stay below 100 %. */
export const FASTEST_BURN_FACTOR = Math.max(
  ...Object.values(BURN_RATE_WINDOWS)
    .flat()
    .map((w) => w.factor),
);

/**
 * The lowest availability target accepted (exclusive): below it, {@link FASTEST_BURN_FACTOR}
 * times the error budget is more than every request failing, and the fast page could never fire.
 */
export const MIN_AVAILABILITY_PERCENT = Number((100 - 100 / FASTEST_BURN_FACTOR).toFixed(2));

/**
 * The latency objective: `slo.latencyMs` is the 99th percentile target, so 1 % of the
 * requests may be slower than it. Its budget is burnt with the same windows as the
 * availability budget's.
 */
export const LATENCY_OBJECTIVE_PERCENT = 99;

/** The error budget of an availability target, as a ratio: 99.9 -> 0.001. */
export function errorBudget(availabilityPercent: number): number {
  // Rounded so that 99.9 gives 0.001 and not 0.0009999999999998899 in the rules.
  return Number(((100 - availabilityPercent) / 100).toPrecision(10));
}

/** The latency thresholds a service may choose, in milliseconds: the histogram's bucket bounds. */
export const LATENCY_THRESHOLDS_MS: readonly number[] = METRICS_CONTRACT.duration.buckets.map(
  (seconds) => Math.round(seconds * 1_000_000) / 1000,
);

/**
 * The `le` label of the bucket that counts the requests within `latencyMs`, as the
 * services write it (`0.3`, `1`), or undefined when it is not a bucket bound. The ratio
 * of requests slower than the threshold is exact only at a bucket bound, so any other
 * threshold is refused rather than rounded.
 */
export function latencyBucketBound(latencyMs: number): string | undefined {
  return LATENCY_THRESHOLDS_MS.includes(latencyMs) ? String(latencyMs / 1000) : undefined;
}

/**
 * The matcher of the histogram bucket bounded by the latency threshold. Prometheus 3
 * stores `le="1"` as `le="1.0"` (it normalizes the bound), Prometheus 2 as it was
 * exposed: a whole number of seconds matches both spellings.
 */
export function latencyBucketMatcher(latencyMs: number): string {
  const bound = requireBucketBound(latencyMs);
  return Number.isInteger(Number(bound)) ? `le=~"${bound}(\\\\.0)?"` : `le="${bound}"`;
}

/**
 * The matcher of the histogram buckets bounded by any of these latency thresholds, for
 * the recording rules every service shares: `le=~"0\\.4|1(\\.0)?"` (a whole number of
 * seconds in both spellings, as {@link latencyBucketMatcher}; dots escaped).
 */
export function latencyBucketsMatcher(latencyMs: readonly number[]): string {
  const alternatives = latencyMs.map((threshold) => {
    const bound = requireBucketBound(threshold);
    return Number.isInteger(Number(bound)) ? `${bound}(\\\\.0)?` : bound.replaceAll(".", "\\\\.");
  });
  return `le=~"${alternatives.join("|")}"`;
}

function requireBucketBound(latencyMs: number): string {
  const bound = latencyBucketBound(latencyMs);
  if (bound === undefined) {
    throw new Error(
      `slo.latencyMs ${latencyMs} is not a bucket bound of ${METRICS_CONTRACT.duration.name} (accepted: ${LATENCY_THRESHOLDS_MS.join(", ")}); the spec schema should have refused it`,
    );
  }
  return bound;
}
