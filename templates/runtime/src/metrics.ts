import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { METRICS_CONTRACT } from "../../../infra/monitoring/metrics-contract.js";
import type { BreakerState, ResilienceObserver } from "./dependency-resilience.js";
import { RequestDurations } from "./request-durations.js";

type RequestLabel = (typeof METRICS_CONTRACT.requests.labels)[number];
type DependencyLabel = (typeof METRICS_CONTRACT.dependencyRetries.labels)[number];

/**
 * The service's metrics, named by the platform's metrics contract
 * (infra/monitoring/metrics-contract.ts), which the alert rules and dashboards query:
 * a request counter and a latency histogram by route, method and status, the retries and
 * the circuit breaker state of each dependency, the requests shed, plus the Node.js process metrics. Each instance has its own registry, so tests can run
 * several services in one process.
 */
export class ServiceMetrics implements ResilienceObserver {
  readonly registry = new Registry();
  private readonly duration: RequestDurations;
  private readonly retries: Counter<DependencyLabel>;
  private readonly shed: Counter;
  /** Each breaker's last state, and when an open one lets a trial through. */
  private readonly breakers = new Map<string, { state: BreakerState; halfOpenAt?: number }>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const { requests, duration } = METRICS_CONTRACT;
    const metrics = this;
    // Registered in the registry, which reads it through its collect().
    new Counter({
      name: requests.name,
      help: requests.help,
      labelNames: requests.labels,
      registers: [this.registry],
      // Counted at scrape time from the latency histogram's count of the same series, which
      // observeRequest updates anyway: one update a request instead of two. The exposition
      // is the same.
      collect() {
        const series = metrics.duration.get().values;
        // Set from the histogram's counts at each scrape, not added to: nothing to keep between scrapes.
        this.reset();
        for (const { labels, value, metricName } of series)
          if (metricName === `${duration.name}_count`) this.inc(labels as Partial<Record<RequestLabel, string>>, value);
      },
    });
    // Its counts kept by the runtime, not by prom-client's Histogram: see RequestDurations.
    this.duration = new RequestDurations(duration.name, duration.help, duration.buckets, this.registry);
    const { dependencyRetries, dependencyBreakerState, shedRequests } = METRICS_CONTRACT;
    this.retries = new Counter({
      name: dependencyRetries.name,
      help: dependencyRetries.help,
      labelNames: dependencyRetries.labels,
      registers: [this.registry],
    });
    const breakers = this.breakers;
    // Registered in the registry, which reads it through its collect().
    new Gauge({
      name: dependencyBreakerState.name,
      help: dependencyBreakerState.help,
      labelNames: dependencyBreakerState.labels,
      registers: [this.registry],
      // At scrape time: an open breaker past its half-open time lets the next call through
      // as a trial, so it is half-open even while no call has come to move it there (an
      // alert on "open" would otherwise fire for a dependency that may have recovered).
      collect() {
        for (const [dependency, { state, halfOpenAt }] of breakers) {
          const now = state === "open" && halfOpenAt !== undefined && Date.now() >= halfOpenAt ? "half-open" : state;
          this.set({ dependency }, METRICS_CONTRACT.dependencyBreakerState.values[now]);
        }
      },
    });
    this.shed = new Counter({ name: shedRequests.name, help: shedRequests.help, registers: [this.registry] });
  }

  /** Counts a retry of a call to `dependency`. */
  retried(dependency: string): void {
    this.retries.inc({ dependency });
  }

  /**
   * Records the breaker state of `dependency` (also at start, so that each dependency has
   * its series); an open breaker is reported half-open from `halfOpenAt` on.
   */
  breakerChanged(dependency: string, state: BreakerState, halfOpenAt?: number): void {
    this.breakers.set(dependency, { state, halfOpenAt });
  }

  /** Counts a request shed because the service was overloaded. */
  requestShed(): void {
    this.shed.inc();
  }

  /**
   * Counts a finished request. `route` is the route pattern (`/orders/:id`), never the
   * raw path, so that the number of series stays bounded.
   */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    // The request counter follows this histogram's count at scrape time (see the constructor).
    this.duration.observe(route, method, status, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
