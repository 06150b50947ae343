import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { METRICS_CONTRACT } from "../../../infra/monitoring/metrics-contract.js";

type RequestLabel = (typeof METRICS_CONTRACT.requests.labels)[number];

/**
 * The service's metrics, named by the platform's metrics contract
 * (infra/monitoring/metrics-contract.ts), which the alert rules and dashboards query:
 * a request counter and a latency histogram by route, method and status, plus the
 * Node.js process metrics. Each instance has its own registry, so tests can run
 * several services in one process.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<RequestLabel>;
  private readonly duration: Histogram<RequestLabel>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const { requests, duration } = METRICS_CONTRACT;
    this.requests = new Counter({
      name: requests.name,
      help: requests.help,
      labelNames: requests.labels,
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: duration.name,
      help: duration.help,
      labelNames: duration.labels,
      buckets: [...duration.buckets],
      registers: [this.registry],
    });
  }

  /**
   * Counts a finished request. `route` is the route pattern (`/orders/:id`), never the
   * raw path, so that the number of series stays bounded.
   */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
