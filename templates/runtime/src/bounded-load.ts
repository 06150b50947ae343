import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A bounded HTTP load, for the fault-injection tests: a fixed number of connections per
 * route, each sending one request after the other at no more than a fixed rate, until the
 * load is stopped or reaches its request cap. A connection is one keep-alive TCP
 * connection of its own (node:http, an agent per connection), so that a request
 * abandoned on one route never delays another route's requests in a shared client pool. Every answer is kept (route, start, end,
 * status, body), so that a test can read what happened in any window of time: during a
 * fault, after it.
 */

/** One route of the load and how many connections send to it. */
export interface LoadRoute {
  /** How the figures name it: `GET /api/products/cup (gateway -> catalog)`. */
  readonly name: string;
  /** Connections (concurrent loops) sending this route's requests. */
  readonly connections: number;
  /** The request to send, made anew for each one. */
  readonly request: () => LoadRequest;
}

/** One request of a route: GET unless a method is given; a body is sent as JSON. */
export interface LoadRequest {
  readonly url: string;
  readonly method?: string;
  readonly json?: unknown;
}

/** Options of {@link BoundedLoad.start}. */
export interface BoundedLoadOptions {
  /** Requests per second one connection sends at most (it waits out the rest of each interval). */
  readonly ratePerConnection: number;
  /** The load stops by itself after this many requests in all. */
  readonly maxRequests: number;
  /**
   * A request still unanswered after this long is abandoned and recorded as no answer
   * (status 0): a hang, as the caller sees it.
   */
  readonly answerTimeoutMs: number;
}

/** One request of the load and its answer. */
export interface LoadSample {
  readonly route: string;
  /** `performance.now()` when it was sent, and when its answer (or the give-up) came. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** 0: no answer (abandoned after the answer timeout, or the connection failed). */
  readonly status: number;
  /** The body, or for status 0 what went wrong. */
  readonly body: string;
  /** The Retry-After header of the answer, if any. */
  readonly retryAfter: string | null;
}

/** Milliseconds from a sample's start to its answer. */
export function latencyMs(sample: LoadSample): number {
  return sample.endedAt - sample.startedAt;
}

/** Whether a sample is a success (a 2xx answer). */
export function succeeded(sample: LoadSample): boolean {
  return sample.status >= 200 && sample.status < 300;
}

/** The nearest-rank percentile `p` (0-100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** What a set of samples sums up to, for the figures. */
export interface LoadSummary {
  readonly requests: number;
  /** Share of the requests that did not succeed (non-2xx or no answer), 0 to 1; NaN without requests. */
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Sums up samples: count, error rate, median, p99 and maximum latency. */
export function summarize(samples: readonly LoadSample[]): LoadSummary {
  const latencies = samples.map(latencyMs);
  return {
    requests: samples.length,
    errorRate: samples.length === 0 ? Number.NaN : samples.filter((s) => !succeeded(s)).length / samples.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
  };
}

/** A running load; see the module comment. */
export class BoundedLoad {
  /** Every answer so far, in the order they came. */
  readonly samples: LoadSample[] = [];
  private stopped = false;
  private sent = 0;
  /** Requests sent and not yet answered (nor given up). */
  private inFlight = 0;
  private readonly loops: Promise<void>[];

  private constructor(
    readonly routes: readonly LoadRoute[],
    readonly options: BoundedLoadOptions,
  ) {
    this.loops = routes.flatMap((route) => Array.from({ length: route.connections }, () => this.loop(route)));
  }

  /** Starts sending at once. */
  static start(routes: readonly LoadRoute[], options: BoundedLoadOptions): BoundedLoad {
    return new BoundedLoad(routes, options);
  }

  /** Whether the load still runs (not stopped, below its request cap). */
  get running(): boolean {
    return !this.stopped && this.sent < this.options.maxRequests;
  }

  /** The samples of one route, optionally only those sent at or after `from`. */
  of(route: string, from = Number.NEGATIVE_INFINITY): LoadSample[] {
    return this.samples.filter((s) => s.route === route && s.startedAt >= from);
  }

  /**
   * Waits until `reached` holds over the samples, checking every 50 ms; fails naming
   * `what` when `budgetMs` passes first or the load ended (stopped, or at its cap, and
   * every request sent answered: the last answers may be the ones that make it hold).
   * Returns when it held: the wait ends with the event.
   */
  async waitFor(what: string, budgetMs: number, reached: (samples: readonly LoadSample[]) => boolean): Promise<number> {
    const started = performance.now();
    while (!reached(this.samples)) {
      if (!this.running && this.inFlight === 0)
        throw new Error(`the load ended (after ${this.sent} requests) before ${what}; so far:\n${this.tally()}`);
      if (performance.now() - started > budgetMs)
        throw new Error(
          `${what}: not within ${(budgetMs / 1000).toFixed(1)}s (the budget derived from the settings); so far:\n${this.tally()}`,
        );
      await sleep(50);
    }
    return performance.now();
  }

  /** Per route, the answers so far by status, and the last one: for failure messages. */
  tally(): string {
    return this.routes
      .map((route) => {
        const samples = this.of(route.name);
        const counts = new Map<number, number>();
        for (const s of samples) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
        const last = samples.at(-1);
        const byStatus = [...counts].map(([status, n]) => `${status} x${n}`).join(", ");
        return `  ${route.name}: ${samples.length} answers (${byStatus || "none"})${last ? `; last: ${last.status} ${last.body.slice(0, 200)}` : ""}`;
      })
      .join("\n");
  }

  /** Stops sending and waits for the requests in flight to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(route: LoadRoute): Promise<void> {
    const intervalMs = 1000 / this.options.ratePerConnection;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (this.running) {
        this.sent++;
        this.inFlight++;
        const startedAt = performance.now();
        const answer = await send(agent, route.request(), this.options.answerTimeoutMs);
        const sample: LoadSample = { route: route.name, startedAt, endedAt: performance.now(), ...answer };
        this.samples.push(sample);
        this.inFlight--;
        const rest = intervalMs - (sample.endedAt - startedAt);
        if (rest > 0) await sleep(rest);
      }
    } finally {
      agent.destroy();
    }
  }
}

/** Sends one request on the connection of `agent`; never throws (status 0 says what went wrong). */
function send(
  agent: http.Agent,
  request: LoadRequest,
  timeoutMs: number,
): Promise<Pick<LoadSample, "status" | "body" | "retryAfter">> {
  const payload = request.json === undefined ? undefined : JSON.stringify(request.json);
  return new Promise((resolve) => {
    const noAnswer = (why: string) => resolve({ status: 0, body: `no answer: ${why}`, retryAfter: null });
    const outgoing = http.request(
      request.url,
      {
        agent,
        method: request.method ?? "GET",
        headers:
          payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error: NodeJS.ErrnoException) => noAnswer(error.code ?? error.name));
        response.on("end", () => {
          const retryAfter = response.headers["retry-after"];
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            retryAfter: retryAfter === undefined ? null : String(retryAfter),
          });
        });
      },
    );
    outgoing.on("error", (error: NodeJS.ErrnoException) =>
      noAnswer(error.name === "AbortError" ? `abandoned after ${timeoutMs} ms` : (error.code ?? error.name)),
    );
    outgoing.end(payload);
  });
}
