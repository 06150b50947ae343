import { createHash } from "node:crypto";
import type { Environment } from "../environments.js";
import type { ServiceSpec } from "../spec/model.js";
import { METRICS_CONTRACT, serviceSelector } from "./metrics-contract.js";
import { LATENCY_OBJECTIVE_PERCENT, SLO_PERIOD, errorBudget, latencyBucketMatcher } from "./slo-policy.js";

/**
 * The Grafana dashboard of one service: the golden signals (traffic, errors, latency,
 * saturation), its replicas and what is left of its error budgets; the latency panel
 * links to the service's traces where the environment has a trace UI. The same dashboard
 * on both targets: every panel reads the metrics contract and the `service` and
 * `environment` target labels, and saturation compares the process metrics with the
 * limits of the spec, so it needs neither cAdvisor nor kube-state-metrics.
 */

/** A Grafana dashboard, as its JSON model. */
export interface GrafanaDashboard {
  readonly uid: string;
  readonly title: string;
  readonly [field: string]: unknown;
}

/** Grafana refuses dashboard uids longer than this. */
const MAX_UID_LENGTH = 40;

/** The dashboard's uid, stable per service and environment: `staging-orders`. */
export function dashboardUid(service: string, environment: string): string {
  const uid = `${environment}-${service}`;
  if (uid.length <= MAX_UID_LENGTH) return uid;
  // Long service names (up to 63 characters) keep a readable prefix and a hash that keeps them apart.
  const hash = createHash("sha256").update(uid).digest("hex").slice(0, 8);
  return `${uid.slice(0, MAX_UID_LENGTH - hash.length - 1)}-${hash}`;
}

/** Where the dashboard opens; the alerts link to it. */
export function dashboardUrl(spec: ServiceSpec, environment: Environment): string {
  return `${environment.grafanaUrl}/d/${dashboardUid(spec.name, environment.name)}`;
}

/**
 * Where the service's traces open: the Jaeger UI's search for the service over the last
 * hour, or for its traces slower than `slowerThanMs` (its latency target); undefined when
 * the environment has no trace UI (staging and production without PLATFORM_TRACES_URL).
 */
export function tracesUrl(spec: ServiceSpec, environment: Environment, slowerThanMs?: number): string | undefined {
  const base = environment.tracing.tracesUrl;
  if (base === undefined) return undefined;
  const slower = slowerThanMs === undefined ? "" : `&minDuration=${slowerThanMs}ms`;
  return `${base}/search?service=${encodeURIComponent(spec.name)}&lookback=1h${slower}`;
}

/** The file name of the dashboard (ConfigMap key, provisioned file). */
export function dashboardFileName(service: string, environment: string): string {
  return `${dashboardUid(service, environment)}.json`;
}

// "$datasource", not "${datasource}": the dashboard is a string in the Terraform JSON,
// where Terraform reads "${...}" as an interpolation and fails on an invalid reference.
const DATASOURCE = { type: "prometheus", uid: "$datasource" } as const;

interface Query {
  readonly expr: string;
  readonly legend: string;
}

/** The dashboard of a service in an environment. */
export function renderDashboard(spec: ServiceSpec, environment: Environment): GrafanaDashboard {
  const service = spec.name;
  const sel = (extra?: string) => serviceSelector(service, environment.name, extra);
  const { requests, duration, serverErrorStatusPattern, process } = METRICS_CONTRACT;
  const availabilityBudget = errorBudget(spec.monitoring.slo.availability);
  const latencyBudget = errorBudget(LATENCY_OBJECTIVE_PERCENT);
  const latencyMs = spec.monitoring.slo.latencyMs;
  const latencySeconds = latencyMs / 1000;
  const le = latencyBucketMatcher(latencyMs);
  const cpuLimitCores = spec.resources.limits.cpuMillis / 1000;
  const memoryLimitBytes = spec.resources.limits.memoryMiB * 1024 * 1024;

  const errors = `sum(increase(${requests.name}${sel(`status=~"${serverErrorStatusPattern}"`)}[${SLO_PERIOD}]))`;
  const total = `sum(increase(${requests.name}${sel()}[${SLO_PERIOD}]))`;
  const within = `sum(increase(${duration.name}_bucket${sel(le)}[${SLO_PERIOD}]))`;
  const counted = `sum(increase(${duration.name}_count${sel()}[${SLO_PERIOD}]))`;
  const quantile = (q: number): Query => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${duration.name}_bucket${sel()}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)}`,
  });

  let nextId = 1;
  // Only what differs from Grafana's defaults: a service's dashboard is written into
  // each environment's Terraform JSON, so every field repeated per panel counts once per
  // service. The queries inherit the panel's datasource.
  const panel = (
    type: "stat" | "timeseries",
    title: string,
    description: string,
    gridPos: { x: number; y: number; w: number; h: number },
    queries: Query[],
    unit: string,
    extra: Record<string, unknown> = {},
  ) => ({
    id: nextId++,
    type,
    title,
    description,
    datasource: DATASOURCE,
    gridPos,
    targets: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), expr: q.expr, legendFormat: q.legend })),
    fieldConfig: { defaults: { unit, ...extra } },
    options:
      type === "stat"
        ? { reduceOptions: { calcs: ["lastNotNull"] }, colorMode: "background", graphMode: "none" }
        : { tooltip: { mode: "multi" } },
  });
  const budgetThresholds = {
    thresholds: {
      mode: "absolute",
      steps: [
        { color: "red", value: null },
        { color: "orange", value: 0 },
        { color: "green", value: 0.25 },
      ],
    },
  };
  const limitThresholds = {
    min: 0,
    thresholds: {
      mode: "absolute",
      steps: [
        { color: "green", value: null },
        { color: "orange", value: 0.8 },
        { color: "red", value: 1 },
      ],
    },
  };

  const panels = [
    panel(
      "stat",
      `Availability budget left (${SLO_PERIOD})`,
      `Share of the ${SLO_PERIOD} error budget of the ${spec.monitoring.slo.availability}% availability SLO not yet spent; below 0 the SLO is missed.`,
      { x: 0, y: 0, w: 6, h: 4 },
      [{ expr: `1 - ((${errors} or vector(0)) / ${total}) / ${availabilityBudget}`, legend: "budget left" }],
      "percentunit",
      budgetThresholds,
    ),
    panel(
      "stat",
      `Latency budget left (${SLO_PERIOD})`,
      `Share of the ${SLO_PERIOD} budget of requests slower than ${latencyMs} ms (${100 - LATENCY_OBJECTIVE_PERCENT}% allowed) not yet spent.`,
      { x: 6, y: 0, w: 6, h: 4 },
      [{ expr: `1 - (1 - ${within} / ${counted}) / ${latencyBudget}`, legend: "budget left" }],
      "percentunit",
      budgetThresholds,
    ),
    panel(
      "stat",
      "Replicas up",
      `Replicas whose metrics Prometheus scrapes; scaling: ${spec.scaling.min} to ${spec.scaling.max}.`,
      { x: 12, y: 0, w: 6, h: 4 },
      [{ expr: `sum(up${sel()})`, legend: "up" }],
      "none",
    ),
    panel(
      "stat",
      "Requests per second",
      "All routes, all replicas, over the last 5 minutes.",
      { x: 18, y: 0, w: 6, h: 4 },
      [{ expr: `sum(rate(${requests.name}${sel()}[5m]))`, legend: "req/s" }],
      "reqps",
    ),
    panel(
      "timeseries",
      "Request rate by status",
      "Traffic: requests per second, by HTTP status code.",
      { x: 0, y: 4, w: 12, h: 8 },
      [{ expr: `sum by (status) (rate(${requests.name}${sel()}[$__rate_interval]))`, legend: "{{status}}" }],
      "reqps",
    ),
    panel(
      "timeseries",
      "Error ratio",
      `Errors: share of requests answered with HTTP 5xx, against the error budget (${spec.monitoring.slo.availability}% SLO).`,
      { x: 12, y: 4, w: 12, h: 8 },
      [
        { expr: `service:http_requests_errors:ratio_rate5m${sel()}`, legend: "5m" },
        { expr: `service:http_requests_errors:ratio_rate1h${sel()}`, legend: "1h" },
        { expr: `vector(${availabilityBudget})`, legend: "error budget" },
      ],
      "percentunit",
      { min: 0 },
    ),
    panel(
      "timeseries",
      "Latency p50 / p95 / p99",
      `Latency from the request histogram, against the ${latencyMs} ms p${LATENCY_OBJECTIVE_PERCENT} target.`,
      { x: 0, y: 12, w: 12, h: 8 },
      [quantile(0.5), quantile(0.95), quantile(0.99), { expr: `vector(${latencySeconds})`, legend: "latency target" }],
      "s",
      { min: 0, ...traceLinks(spec, environment) },
    ),
    panel(
      "timeseries",
      "Replicas",
      "Replicas up, against the scaling bounds of the spec.",
      { x: 12, y: 12, w: 12, h: 8 },
      [
        { expr: `sum(up${sel()})`, legend: "up" },
        { expr: `vector(${spec.scaling.min})`, legend: "scaling.min" },
        { expr: `vector(${spec.scaling.max})`, legend: "scaling.max" },
      ],
      "none",
      { min: 0, decimals: 0 },
    ),
    panel(
      "timeseries",
      "CPU against limit",
      `Saturation: cpu used by each replica's process, as a share of its ${spec.resources.limits.cpuMillis}m limit.`,
      { x: 0, y: 20, w: 12, h: 8 },
      [
        {
          expr: `sum by (instance) (rate(${process.cpuSeconds}${sel()}[$__rate_interval])) / ${cpuLimitCores}`,
          legend: "{{instance}}",
        },
      ],
      "percentunit",
      limitThresholds,
    ),
    panel(
      "timeseries",
      "Memory against limit",
      `Saturation: resident memory of each replica's process, as a share of its ${spec.resources.limits.memoryMiB} MiB limit (the OOM killer stops it at 100%).`,
      { x: 12, y: 20, w: 12, h: 8 },
      [
        {
          expr: `sum by (instance) (${process.residentMemoryBytes}${sel()}) / ${memoryLimitBytes}`,
          legend: "{{instance}}",
        },
      ],
      "percentunit",
      limitThresholds,
    ),
  ];
  if (spec.backingServices.length + spec.uses.length > 0) {
    const { backingServiceUp } = METRICS_CONTRACT;
    panels.push(
      panel(
        "timeseries",
        "Backing services up",
        `How many replicas reach each backing service it owns (${spec.backingServices.map((r) => r.name).join(", ")}): a replica that cannot is not ready; none at all pages BackingServiceDown.`,
        { x: 0, y: 28, w: 12, h: 8 },
        [{ expr: `sum by (resource) (${backingServiceUp.name}${sel()})`, legend: "{{resource}}" }],
        "none",
        { min: 0, decimals: 0 },
      ),
    );
  }
  if (spec.backingServices.some((resource) => resource.type === "postgres")) {
    const { backingServicePoolConnections } = METRICS_CONTRACT;
    panels.push(
      panel(
        "timeseries",
        "Database connections",
        "Connections of the PostgreSQL pools of every replica, by state: waiting above zero means the pool is too small for the load.",
        { x: 12, y: 28, w: 12, h: 8 },
        [
          {
            expr: `sum by (resource, state) (${backingServicePoolConnections.name}${sel()})`,
            legend: "{{resource}} {{state}}",
          },
        ],
        "none",
        { min: 0, decimals: 0 },
      ),
    );
  }
  const { shedRequests, dependencyBreakerState, dependencyRetries } = METRICS_CONTRACT;
  panels.push(
    panel(
      "timeseries",
      "Requests shed",
      "Requests per second answered 503 with Retry-After at once because the event loop was saturated (load shedding); a replica that sheds is not ready.",
      { x: 0, y: 36, w: 8, h: 8 },
      [{ expr: `sum(rate(${shedRequests.name}${sel()}[$__rate_interval]))`, legend: "shed" }],
      "reqps",
      { min: 0 },
    ),
  );
  if (spec.dependsOn.length > 0) {
    panels.push(
      panel(
        "timeseries",
        "Circuit breakers",
        "Each dependency's circuit breaker, at its worst replica: 0 closed, 1 half-open (a trial call), 2 open (calls refused at once, answered 503). Open on every replica for 5 minutes opens a DependencyCircuitOpen ticket.",
        { x: 8, y: 36, w: 8, h: 8 },
        [{ expr: `max by (dependency) (${dependencyBreakerState.name}${sel()})`, legend: "{{dependency}}" }],
        "none",
        { min: 0, max: 2, decimals: 0 },
      ),
      panel(
        "timeseries",
        "Dependency retries",
        "Calls to each dependency tried again per second (idempotent calls that got no answer, within the retry budget of a fifth of the calls).",
        { x: 16, y: 36, w: 8, h: 8 },
        [
          {
            expr: `sum by (dependency) (rate(${dependencyRetries.name}${sel()}[$__rate_interval]))`,
            legend: "{{dependency}}",
          },
        ],
        "reqps",
        { min: 0 },
      ),
    );
  }

  return {
    uid: dashboardUid(service, environment.name),
    title: `${service} (${environment.name})`,
    description: spec.description || `Golden signals and SLO of ${service}`,
    tags: [...new Set(["platform", environment.name, spec.monitoring.owner])],
    editable: false,
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: { list: [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" }] },
    panels,
  };
}

/** The latency panel's data links to the service's traces, when the environment has a trace UI. */
function traceLinks(spec: ServiceSpec, environment: Environment): { links?: unknown[] } {
  const all = tracesUrl(spec, environment);
  const slow = tracesUrl(spec, environment, spec.monitoring.slo.latencyMs);
  if (all === undefined || slow === undefined) return {};
  return {
    links: [
      { title: `Traces of ${spec.name} (last hour)`, url: all, targetBlank: true },
      {
        title: `Traces of ${spec.name} slower than ${spec.monitoring.slo.latencyMs} ms (last hour)`,
        url: slow,
        targetBlank: true,
      },
    ],
  };
}
