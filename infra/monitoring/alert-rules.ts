import type { Environment } from "../environments.js";
import type { Catalogue, ServiceSpec } from "../spec/model.js";
import { dashboardUrl, tracesUrl } from "./dashboard.js";
import { METRICS_CONTRACT, environmentSelector, serviceSelector } from "./metrics-contract.js";
import {
  BURN_RATE_WINDOWS,
  LATENCY_OBJECTIVE_PERCENT,
  RECORDED_WINDOWS,
  SLO_PERIOD,
  errorBudget,
  latencyBucketMatcher,
  latencyBucketsMatcher,
  type BurnRateWindow,
  type Severity,
} from "./slo-policy.js";

/**
 * The rules of an environment, rendered once and used twice: as the `spec` of
 * PrometheusRules on Kubernetes and as rules files of the local Prometheus. Both are the
 * Prometheus rule file format, so the same object serves both and they cannot drift.
 * The recording rules are the environment's (one group for every service); the alerts
 * are each service's.
 */

/** A rule that stores the result of an expression as a new series. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** A rule that fires an alert while its expression returns series. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the expression must hold before the alert fires; absent: at once. */
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * A group of rules. Prometheus evaluates the groups independently: a service's alerts
 * read the ratios the recording group stored at its last evaluation (one interval ago
 * at most), which the burn windows, 5 minutes and longer, do not notice.
 */
export interface RuleGroup {
  readonly name: string;
  readonly rules: ReadonlyArray<RecordingRule | AlertingRule>;
}

/** The content of a Prometheus rules file, and the `spec` of a PrometheusRule. */
export interface RuleGroups {
  readonly groups: readonly RuleGroup[];
}

/** The alerts every service gets. Names are the same for every service; labels say which. */
export const ALERTS = {
  /** Page: the availability error budget burns at 14.4x over 1h and 5m, or 6x over 6h and 30m. */
  availabilityFastBurn: "AvailabilityBudgetBurnFast",
  /** Ticket: the availability error budget burns at 3x over 1d and 2h, or 1x over 3d and 6h. */
  availabilitySlowBurn: "AvailabilityBudgetBurnSlow",
  /** Page: the share of requests slower than `slo.latencyMs` burns its 1 % budget fast. */
  latencyFastBurn: "LatencyBudgetBurnFast",
  /** Ticket: the same, slowly. */
  latencySlowBurn: "LatencyBudgetBurnSlow",
  /** Ticket: one replica's metrics endpoint has not answered for 5 minutes. */
  targetDown: "TargetDown",
  /** Page: no replica answers, or Prometheus finds none (a dead service reports no errors). */
  allTargetsDown: "AllTargetsDown",
  /**
   * Page, for a service with backing services (its own or used) only: every replica that
   * reports finds one of them down (`backing_service_up` 0), so none is ready. One per resource.
   */
  backingServiceDown: "BackingServiceDown",
  /**
   * Ticket, for a service with dependencies only: on every replica that reports, the
   * circuit breaker of calls to one dependency has not closed for 5 minutes
   * (`dependency_circuit_breaker_state` above 0): the calls that need it answer 503. One per dependency.
   */
  dependencyCircuitOpen: "DependencyCircuitOpen",
} as const;

/** How long one replica may fail its scrapes before {@link ALERTS.targetDown} fires. */
export const TARGET_DOWN_FOR = "5m";
/** How long no replica may answer before {@link ALERTS.allTargetsDown} fires. */
export const ALL_TARGETS_DOWN_FOR = "2m";
/** How long every replica may find a backing service down before {@link ALERTS.backingServiceDown} fires. */
export const BACKING_SERVICE_DOWN_FOR = "2m";
/**
 * How long a dependency's breaker may stay open (or half-open: its trial calls fail and
 * it opens again) on every replica before {@link ALERTS.dependencyCircuitOpen} fires.
 */
export const DEPENDENCY_CIRCUIT_OPEN_FOR = "5m";

/**
 * The recorded series, kept once per environment for every service (see
 * {@link renderRecordingRules}): the share of failed requests, and the share of requests
 * slower than each latency threshold in use (that one keeps the bucket's `le` label, since
 * services choose different thresholds).
 */
export const RECORDED_SERIES = {
  errorRatio: (window: string) => `service:http_requests_errors:ratio_rate${window}`,
  slowRatio: (window: string) => `service_le:http_requests_slow:ratio_rate${window}`,
} as const;

/** The name of the environment's rule group of recording rules (one per environment). */
export const RECORDING_RULE_GROUP = "platform-slo-ratios";

/** The name of a service's rule group of alerts (one per service, in its file or its PrometheusRule). */
export function ruleGroupName(service: string): string {
  return `${service}-slo`;
}

/**
 * The recording rules of an environment: the error ratio and the slow-request ratio over
 * every window the alerts use, for every service at once. The ratios only group by the
 * target labels `service` and `environment`, so one rule per window serves the whole
 * catalogue, and a service's own rules are its alerts alone. The slow ratio is kept for
 * each latency threshold the catalogue's services chose (the `le` of a histogram bucket),
 * and each service's alerts pick their own.
 */
export function renderRecordingRules(environment: Environment, catalogue: Catalogue): RuleGroups {
  const env = environment.name;
  const { requests, duration, serverErrorStatusPattern } = METRICS_CONTRACT;
  const by = "sum by (service, environment)";
  const recordings: RecordingRule[] = [];
  for (const window of RECORDED_WINDOWS) {
    const total = `${by} (rate(${requests.name}${environmentSelector(env)}[${window}]))`;
    // Without this "or", a service that never failed has no error series, and its ratio
    // would be missing instead of 0 (dashboards show "no data", budgets look unknown).
    const errors = `(\n  ${by} (rate(${requests.name}${environmentSelector(env, `status=~"${serverErrorStatusPattern}"`)}[${window}]))\n  or\n  0 * ${total}\n)`;
    recordings.push({ record: RECORDED_SERIES.errorRatio(window), expr: `${errors}\n/\n${total}` });
  }
  const thresholds = [...new Set(catalogue.services.map((spec) => spec.monitoring.slo.latencyMs))].sort(
    (a, b) => a - b,
  );
  if (thresholds.length > 0) {
    const buckets = environmentSelector(env, latencyBucketsMatcher(thresholds));
    for (const window of RECORDED_WINDOWS) {
      const within = `sum by (service, environment, le) (rate(${duration.name}_bucket${buckets}[${window}]))`;
      const all = `${by} (rate(${duration.name}_count${environmentSelector(env)}[${window}]))`;
      recordings.push({
        record: RECORDED_SERIES.slowRatio(window),
        expr: `1 - (\n  ${within}\n  / on (service, environment) group_left\n  ${all}\n)`,
      });
    }
  }
  return { groups: [{ name: RECORDING_RULE_GROUP, rules: recordings }] };
}

/**
 * The alerts of one service: the alerts of {@link ALERTS} (BackingServiceDown only for a
 * service with backing services), each labelled with
 * service, environment, owner and severity, and annotated with a summary, a description,
 * the link to the service's dashboard and, where the environment has a trace UI, the
 * link to its traces (`traces`; the latency alerts' to its traces slower than the target). The burn alerts read the ratios of
 * {@link renderRecordingRules}, which Prometheus must load too.
 */
export function renderAlertRules(spec: ServiceSpec, environment: Environment): RuleGroups {
  const service = spec.name;
  const env = environment.name;
  const selector = serviceSelector(service, env);
  const by = "sum by (service, environment)";
  const availability = spec.monitoring.slo.availability;
  const latencyMs = spec.monitoring.slo.latencyMs;
  const errorRatio = (window: string) => `${RECORDED_SERIES.errorRatio(window)}${selector}`;
  // The service's own threshold, out of the recorded ones; "max without (le)" drops the
  // bucket label, so that the alert carries the same labels as the others.
  const slowRatio = (window: string) =>
    `max without (le) (${RECORDED_SERIES.slowRatio(window)}${serviceSelector(service, env, latencyBucketMatcher(latencyMs))})`;

  // Prometheus reads an alerting rule's labels and annotations as Go templates: what comes
  // from the spec enters them only as text (alertTemplateLiteral), never as template code.
  const text = {
    service: alertTemplateLiteral(service),
    environment: alertTemplateLiteral(env),
    owner: alertTemplateLiteral(spec.monitoring.owner),
    metricsPath: alertTemplateLiteral(spec.monitoring.metricsPath),
    link: alertTemplateLiteral(dashboardUrl(spec, environment)),
  };
  const link = text.link;
  // Where the environment has a trace UI: the service's traces, and for the latency alerts its slow ones.
  const traces = (slowerThanMs?: number): { traces?: string } => {
    const url = tracesUrl(spec, environment, slowerThanMs);
    return url === undefined ? {} : { traces: alertTemplateLiteral(url) };
  };
  const labels = (severity: Severity) => ({
    service: text.service,
    environment: text.environment,
    owner: text.owner,
    severity,
  });
  const where = `${text.service} (${text.environment})`;
  const windowsText = (severity: Severity) =>
    BURN_RATE_WINDOWS[severity].map((w) => `${w.factor}x over ${w.longWindow} and ${w.shortWindow}`).join(", or ");
  const spentText = (severity: Severity) =>
    BURN_RATE_WINDOWS[severity]
      .map((w) => `${w.budgetSpentPercent}% of the ${SLO_PERIOD} budget in ${w.longWindow}`)
      .join(" or ");

  const burnAlert = (
    name: string,
    severity: Severity,
    series: (w: string) => string,
    budget: number,
    slo: string,
    allowance: (budget: string) => string,
    traceLink: { traces?: string },
  ): AlertingRule => ({
    alert: name,
    expr: burnExpression(BURN_RATE_WINDOWS[severity], series, budget),
    labels: labels(severity),
    annotations: {
      summary: `${where}: the ${slo} SLO budget burns ${severity === "page" ? "fast" : "slowly"}`,
      description: `${text.service} may ${allowance(formatPercent(budget))} over ${SLO_PERIOD} (${slo} SLO). This fires when that rate is exceeded ${windowsText(severity)}, which spends ${spentText(severity)}.`,
      dashboard: link,
      ...traceLink,
    },
  });

  const availabilitySlo = `${availability}% availability`;
  const availabilityBudget = errorBudget(availability);
  const availabilityAllowance = (budget: string) => `answer ${budget} of its requests with HTTP 5xx`;
  const latencySlo = `p${LATENCY_OBJECTIVE_PERCENT} ${latencyMs} ms latency`;
  const latencyBudget = errorBudget(LATENCY_OBJECTIVE_PERCENT);
  const latencyAllowance = (budget: string) => `answer ${budget} of its requests slower than ${latencyMs} ms`;
  const alerts: AlertingRule[] = [
    burnAlert(
      ALERTS.availabilityFastBurn,
      "page",
      errorRatio,
      availabilityBudget,
      availabilitySlo,
      availabilityAllowance,
      traces(),
    ),
    burnAlert(
      ALERTS.availabilitySlowBurn,
      "ticket",
      errorRatio,
      availabilityBudget,
      availabilitySlo,
      availabilityAllowance,
      traces(),
    ),
    burnAlert(
      ALERTS.latencyFastBurn,
      "page",
      slowRatio,
      latencyBudget,
      latencySlo,
      latencyAllowance,
      traces(latencyMs),
    ),
    burnAlert(
      ALERTS.latencySlowBurn,
      "ticket",
      slowRatio,
      latencyBudget,
      latencySlo,
      latencyAllowance,
      traces(latencyMs),
    ),
    {
      alert: ALERTS.targetDown,
      expr: `up${selector} == 0`,
      for: TARGET_DOWN_FOR,
      labels: labels("ticket"),
      annotations: {
        summary: `${where}: the metrics target {{ $labels.instance }} is down`,
        description: `Prometheus has not scraped ${text.metricsPath} on {{ $labels.instance }} for ${TARGET_DOWN_FOR}: the replica is down, unhealthy, or its metrics port is blocked.`,
        dashboard: link,
        ...traces(),
      },
    },
    {
      alert: ALERTS.allTargetsDown,
      expr: `${by} (up${selector}) == 0\nor\nabsent(up${selector})`,
      for: ALL_TARGETS_DOWN_FOR,
      labels: labels("page"),
      annotations: {
        summary: `${where}: no replica answers`,
        description: `For ${ALL_TARGETS_DOWN_FOR}, no replica of ${text.service} has answered Prometheus on ${text.metricsPath}, or Prometheus finds none: the service is down, and its error ratio cannot show it.`,
        dashboard: link,
        ...traces(),
      },
    },
  ];
  // Its own backing services and those it uses: the runtime reports both in backing_service_up.
  if (spec.backingServices.length + spec.uses.length > 0) {
    const up = METRICS_CONTRACT.backingServiceUp.name;
    // "max": one replica that still reaches it keeps the alert quiet (a network problem of one
    // node is TargetDown's and the readiness probe's business); every replica failing is an outage.
    alerts.push({
      alert: ALERTS.backingServiceDown,
      expr: `max by (service, environment, resource) (${up}${selector}) == 0`,
      for: BACKING_SERVICE_DOWN_FOR,
      labels: labels("page"),
      annotations: {
        summary: `${where}: its backing service {{ $labels.resource }} is down`,
        description: `For ${BACKING_SERVICE_DOWN_FOR}, every replica of ${text.service} that reports has failed its check of {{ $labels.resource }} (${up} is 0): none is ready, and its readiness path answers 503 naming it.`,
        dashboard: link,
        ...traces(),
      },
    });
  }
  if (spec.dependsOn.length > 0) {
    const state = METRICS_CONTRACT.dependencyBreakerState.name;
    // "min": every replica's breaker is open; one replica alone is a problem of its node, which its probes show.
    alerts.push({
      alert: ALERTS.dependencyCircuitOpen,
      expr: `min by (service, environment, dependency) (${state}${selector}) > 0`,
      for: DEPENDENCY_CIRCUIT_OPEN_FOR,
      labels: labels("ticket"),
      annotations: {
        summary: `${where}: calls to {{ $labels.dependency }} are refused by an open circuit breaker`,
        description: `For ${DEPENDENCY_CIRCUIT_OPEN_FOR}, on every replica of ${text.service} that reports, the circuit breaker of its calls to {{ $labels.dependency }} has not closed (${state} above 0): those calls got no answer, and the requests that need them are answered 503 at once. Look at {{ $labels.dependency }} first.`,
        dashboard: link,
      },
    });
  }
  return { groups: [{ name: ruleGroupName(service), rules: alerts }] };
}

/**
 * `value` as literal text of a Prometheus alert template (Go's text/template): each `{{`,
 * which would open an action, is written as an action that prints `{{`. Nothing else
 * of a template needs escaping: `}}` outside an action is text.
 */
export function alertTemplateLiteral(value: string): string {
  return value.replaceAll("{{", '{{ "{{" }}');
}

/** `(long > f*b and short > f*b) or (...)`: any window pair of the severity fires it. */
function burnExpression(windows: readonly BurnRateWindow[], series: (w: string) => string, budget: number): string {
  return windows
    .map((w) => {
      const threshold = `(${w.factor} * ${budget})`;
      return `(\n  ${series(w.longWindow)} > ${threshold}\n  and\n  ${series(w.shortWindow)} > ${threshold}\n)`;
    })
    .join("\nor\n");
}

/** 0.001 -> "0.1%", 0.0005 -> "0.05%". */
function formatPercent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}
