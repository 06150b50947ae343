import type { Environment } from "../environments.js";
import type { ServiceSpec } from "../spec/model.js";
import {
  ALERTS,
  ALL_TARGETS_DOWN_FOR,
  BACKING_SERVICE_DOWN_FOR,
  DEPENDENCY_CIRCUIT_OPEN_FOR,
  TARGET_DOWN_FOR,
  renderAlertRules,
  type AlertingRule,
  type RuleGroups,
} from "./alert-rules.js";
import { METRICS_CONTRACT, TARGET_LABELS } from "./metrics-contract.js";
import { BURN_RATE_WINDOWS, LATENCY_OBJECTIVE_PERCENT, errorBudget, latencyBucketBound } from "./slo-policy.js";

/**
 * Unit tests of a service's alert rules, in the format of `promtool test rules`,
 * generated from its SLO so that every service's own thresholds are exercised:
 * - healthy: half the error budget and half the latency budget for 130 minutes: nothing fires;
 * - fast error spike: the page fires within the 1h window, at the minute the
 *   arithmetic of the thresholds says;
 * - slow error burn (4.5x the budget): only the ticket fires, for hours;
 * - the same two for latency;
 * - dead targets: TargetDown for the dead replica, AllTargetsDown once none is left;
 * - for a service with backing services: BackingServiceDown once every replica finds one down,
 *   not while one replica still reaches it;
 * - for a service with dependencies: DependencyCircuitOpen once every replica's breaker of
 *   one stays open, not while one replica's is closed.
 */

/** A `promtool test rules` file. */
export interface RuleTestFile {
  readonly rule_files: readonly string[];
  readonly evaluation_interval: string;
  readonly tests: readonly RuleTestGroup[];
}

/** One scenario: input series, and which alerts fire at which times. */
export interface RuleTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: ReadonlyArray<{ readonly series: string; readonly values: string }>;
  readonly alert_rule_test: ReadonlyArray<{
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts: ReadonlyArray<{
      readonly exp_labels: Record<string, string>;
      readonly exp_annotations: Record<string, string>;
    }>;
  }>;
}

/** Requests per minute in every scenario: enough for ratios of a tenth of a percent. */
const REQUESTS_PER_MINUTE = 1000;
/** Minutes of healthy traffic before a spike. */
const LEAD_MINUTES = 60;
/** A slow burn runs at this many times the budget: above the tickets' 3x, below the pages' 6x. */
const SLOW_BURN_FACTOR = 4.5;
/**
 * Length of the steady scenarios, in minutes: past the 2h window of the tickets, short
 * enough that promtool evaluates a service's tests in about two seconds.
 */
const STEADY_MINUTES = 130;
/** The minute each replica of the dead-target scenario stops answering. */
const DEATH_MINUTES = [10, 30] as const;

/** A stretch of time in a scenario with a constant share of bad (failed or slow) requests. */
interface Stretch {
  readonly minutes: number;
  readonly badRatio: number;
}

/**
 * The minute after a spike's start at which the page fires: the first minute when the
 * 1h ratio (spike minutes at `spike`, the rest at `healthy`) is above 14.4x the budget,
 * and at least 5 minutes, so that the 5m window is all spike.
 */
export function fastBurnDetectionMinutes(budget: number, healthy: number, spike: number): number {
  const page = BURN_RATE_WINDOWS.page[0]!;
  const longMinutes = 60;
  const minutes = Math.floor((longMinutes * (page.factor * budget - healthy)) / (spike - healthy)) + 1;
  return Math.max(5, minutes);
}

/** The share of bad requests during a fast spike: 100x the budget, at most every request. */
export function spikeRatio(budget: number): number {
  return Math.min(1, 100 * budget);
}

/**
 * The unit tests of one service's rules. `ruleFiles` are the paths, relative to the test
 * file (promtool resolves them from there), of the environment's recording rules and of
 * the service's alerts: the alerts read the recorded ratios. `alertRules` are the
 * service's alerts, when the caller has rendered them already (rendered here otherwise).
 */
export function renderRuleTests(
  spec: ServiceSpec,
  environment: Environment,
  ruleFiles: readonly string[],
  alertRules: RuleGroups = renderAlertRules(spec, environment),
): RuleTestFile {
  const service = spec.name;
  const env = environment.name;
  const rules = new Map(
    alertRules.groups
      .flatMap((g) => g.rules)
      .filter((r): r is AlertingRule => "alert" in r)
      .map((r) => [r.alert, r]),
  );
  const availabilityBudget = errorBudget(spec.monitoring.slo.availability);
  const latencyBudget = errorBudget(LATENCY_OBJECTIVE_PERCENT);
  const bound = latencyBucketBound(spec.monitoring.slo.latencyMs)!;
  const target = `${TARGET_LABELS.service}="${service}",${TARGET_LABELS.environment}="${env}"`;
  const replicas = [1, 2].map((i) => `${service}-replica-${i}:${spec.monitoring.metricsPort}`);

  /** The alert as promtool reports it: its labels (with the series' own) and expanded annotations. */
  const expected = (alert: string, seriesLabels: Record<string, string> = {}) => {
    const rule = rules.get(alert)!;
    const labels = { ...seriesLabels, ...rule.labels };
    const annotations = Object.fromEntries(
      Object.entries(rule.annotations).map(([k, v]) => [
        k,
        v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l as keyof typeof labels] ?? ""),
      ]),
    );
    return { exp_labels: labels, exp_annotations: annotations };
  };
  const firing = (minute: number, alert: string, seriesLabels: Array<Record<string, string>> = [{}]) => ({
    eval_time: `${minute}m`,
    alertname: alert,
    exp_alerts: seriesLabels.map((l) => expected(alert, l)),
  });
  const silent = (minute: number, alert: string) => ({ eval_time: `${minute}m`, alertname: alert, exp_alerts: [] });
  const allSilent = (minute: number, except: readonly string[] = []) =>
    Object.values(ALERTS)
      .filter((a) => rules.has(a) && !except.includes(a))
      .map((a) => silent(minute, a));

  const requests = (errors: readonly Stretch[]) => [
    {
      series: `${METRICS_CONTRACT.requests.name}{${target},route="/",method="GET",status="200"}`,
      values: counter(errors.map((s) => ({ minutes: s.minutes, perMinute: REQUESTS_PER_MINUTE * (1 - s.badRatio) }))),
    },
    {
      series: `${METRICS_CONTRACT.requests.name}{${target},route="/",method="GET",status="500"}`,
      values: counter(errors.map((s) => ({ minutes: s.minutes, perMinute: REQUESTS_PER_MINUTE * s.badRatio }))),
    },
  ];
  const durations = (slow: readonly Stretch[]) => {
    const name = METRICS_CONTRACT.duration.name;
    const labels = `${target},route="/",method="GET",status="200"`;
    const all = counter(slow.map((s) => ({ minutes: s.minutes, perMinute: REQUESTS_PER_MINUTE })));
    return [
      {
        series: `${name}_bucket{${labels},le="${bound}"}`,
        values: counter(slow.map((s) => ({ minutes: s.minutes, perMinute: REQUESTS_PER_MINUTE * (1 - s.badRatio) }))),
      },
      { series: `${name}_bucket{${labels},le="+Inf"}`, values: all },
      { series: `${name}_count{${labels}}`, values: all },
    ];
  };
  const up = (replica: string, values: string) => ({
    series: `up{${target},job="${service}",instance="${replica}"}`,
    values,
  });
  const allUp = (minutes: number) => replicas.map((r) => up(r, `1x${minutes}`));
  const traffic = (errors: readonly Stretch[], slow: readonly Stretch[]) => [
    ...requests(errors),
    ...durations(slow),
    ...allUp(errors.reduce((m, s) => m + s.minutes, 0)),
  ];

  const healthyErrors = availabilityBudget / 2;
  const healthySlow = latencyBudget / 2;
  const errorSpike = spikeRatio(availabilityBudget);
  const slowSpike = spikeRatio(latencyBudget);
  const errorDetection = fastBurnDetectionMinutes(availabilityBudget, healthyErrors, errorSpike);
  const latencyDetection = fastBurnDetectionMinutes(latencyBudget, healthySlow, slowSpike);
  const spikeLength = LEAD_MINUTES + 60;

  const tests: RuleTestGroup[] = [
    {
      name: `${service}: healthy traffic (half of each budget) fires nothing`,
      interval: "1m",
      input_series: traffic(
        [{ minutes: STEADY_MINUTES, badRatio: healthyErrors }],
        [{ minutes: STEADY_MINUTES, badRatio: healthySlow }],
      ),
      alert_rule_test: [...allSilent(10), ...allSilent(60), ...allSilent(STEADY_MINUTES)],
    },
    {
      name: `${service}: an error spike of ${percent(errorSpike)} pages ${errorDetection} minutes after it starts`,
      interval: "1m",
      input_series: traffic(
        [
          { minutes: LEAD_MINUTES, badRatio: healthyErrors },
          { minutes: 60, badRatio: errorSpike },
        ],
        [{ minutes: spikeLength, badRatio: healthySlow }],
      ),
      alert_rule_test: [
        ...allSilent(LEAD_MINUTES),
        firing(LEAD_MINUTES + errorDetection, ALERTS.availabilityFastBurn),
        ...[ALERTS.latencyFastBurn, ALERTS.latencySlowBurn, ALERTS.targetDown, ALERTS.allTargetsDown].map((a) =>
          silent(LEAD_MINUTES + errorDetection, a),
        ),
      ],
    },
    {
      name: `${service}: errors at ${SLOW_BURN_FACTOR}x the budget open a ticket and do not page`,
      interval: "1m",
      input_series: traffic(
        [{ minutes: STEADY_MINUTES, badRatio: SLOW_BURN_FACTOR * availabilityBudget }],
        [{ minutes: STEADY_MINUTES, badRatio: healthySlow }],
      ),
      alert_rule_test: [120, STEADY_MINUTES].flatMap((minute) => [
        firing(minute, ALERTS.availabilitySlowBurn),
        ...allSilent(minute, [ALERTS.availabilitySlowBurn]),
      ]),
    },
    {
      name: `${service}: ${percent(slowSpike)} of requests slower than ${spec.monitoring.slo.latencyMs} ms pages ${latencyDetection} minutes after it starts`,
      interval: "1m",
      input_series: traffic(
        [{ minutes: spikeLength, badRatio: healthyErrors }],
        [
          { minutes: LEAD_MINUTES, badRatio: healthySlow },
          { minutes: 60, badRatio: slowSpike },
        ],
      ),
      alert_rule_test: [
        ...allSilent(LEAD_MINUTES),
        firing(LEAD_MINUTES + latencyDetection, ALERTS.latencyFastBurn),
        ...[ALERTS.availabilityFastBurn, ALERTS.availabilitySlowBurn, ALERTS.targetDown, ALERTS.allTargetsDown].map(
          (a) => silent(LEAD_MINUTES + latencyDetection, a),
        ),
      ],
    },
    {
      name: `${service}: ${percent(SLOW_BURN_FACTOR * latencyBudget)} of requests slower than ${spec.monitoring.slo.latencyMs} ms open a ticket and do not page`,
      interval: "1m",
      input_series: traffic(
        [{ minutes: STEADY_MINUTES, badRatio: healthyErrors }],
        [{ minutes: STEADY_MINUTES, badRatio: SLOW_BURN_FACTOR * latencyBudget }],
      ),
      alert_rule_test: [120, STEADY_MINUTES].flatMap((minute) => [
        firing(minute, ALERTS.latencySlowBurn),
        ...allSilent(minute, [ALERTS.latencySlowBurn]),
      ]),
    },
    deadTargets(),
    ...(spec.backingServices.length > 0
      ? [backingServiceDown(spec.backingServices[0]!.name, spec.backingServices[0]!.type)]
      : spec.uses.length > 0
        ? [backingServiceDown(`${spec.uses[0]!.owner}.${spec.uses[0]!.name}`, "used")]
        : []),
    ...(spec.dependsOn.length > 0 ? [dependencyCircuitOpen(spec.dependsOn[0]!)] : []),
  ];
  return { rule_files: [...ruleFiles], evaluation_interval: "1m", tests };

  function dependencyCircuitOpen(dependency: string): RuleTestGroup {
    const [first, second] = DEATH_MINUTES;
    const end = second + minutesOf(DEPENDENCY_CIRCUIT_OPEN_FOR) + 5;
    const { open, closed } = { open: 2, closed: 0 };
    const seen = (replica: string, values: string) => ({
      series: `${METRICS_CONTRACT.dependencyBreakerState.name}{${target},instance="${replica}",dependency="${dependency}"}`,
      values,
    });
    return {
      name: `${service}: every replica's breaker of ${dependency} open raises DependencyCircuitOpen; one replica alone does not`,
      interval: "1m",
      input_series: [
        seen(replicas[0]!, `${closed}x${first} ${open}x${end}`),
        seen(replicas[1]!, `${closed}x${second} ${open}x${end}`),
      ],
      alert_rule_test: [
        silent(first + minutesOf(DEPENDENCY_CIRCUIT_OPEN_FOR) + 5, ALERTS.dependencyCircuitOpen),
        firing(end, ALERTS.dependencyCircuitOpen, [{ service, environment: env, dependency }]),
      ],
    };
  }

  function backingServiceDown(resource: string, type: string): RuleTestGroup {
    const [first, second] = DEATH_MINUTES;
    const end = second + minutesOf(BACKING_SERVICE_DOWN_FOR) + 5;
    const seen = (replica: string, values: string) => ({
      series: `${METRICS_CONTRACT.backingServiceUp.name}{${target},instance="${replica}",resource="${resource}",type="${type}"}`,
      values,
    });
    return {
      name: `${service}: every replica finding ${resource} down pages BackingServiceDown; one replica alone does not`,
      interval: "1m",
      input_series: [seen(replicas[0]!, `1x${first} 0x${end}`), seen(replicas[1]!, `1x${second} 0x${end}`)],
      alert_rule_test: [
        silent(first + minutesOf(BACKING_SERVICE_DOWN_FOR) + 5, ALERTS.backingServiceDown),
        firing(end, ALERTS.backingServiceDown, [{ service, environment: env, resource }]),
      ],
    };
  }

  function deadTargets(): RuleTestGroup {
    const [first, second] = DEATH_MINUTES;
    const afterFirst = first + minutesOf(TARGET_DOWN_FOR) + 5;
    const afterSecond = second + Math.max(minutesOf(TARGET_DOWN_FOR), minutesOf(ALL_TARGETS_DOWN_FOR)) + 5;
    const replicaLabels = (replica: string) => ({ service, environment: env, job: service, instance: replica });
    return {
      name: `${service}: a dead replica raises TargetDown; with none left, AllTargetsDown pages`,
      interval: "1m",
      input_series: [up(replicas[0]!, `1x${first} 0x${afterSecond}`), up(replicas[1]!, `1x${second} 0x${afterSecond}`)],
      alert_rule_test: [
        silent(first, ALERTS.targetDown),
        firing(afterFirst, ALERTS.targetDown, [replicaLabels(replicas[0]!)]),
        silent(afterFirst, ALERTS.allTargetsDown),
        firing(afterSecond, ALERTS.targetDown, replicas.map(replicaLabels)),
        firing(afterSecond, ALERTS.allTargetsDown, [{ service, environment: env }]),
      ],
    };
  }
}

/** promtool's expanding notation for a counter: `0 a+bxn ...`, one value per minute. */
function counter(stretches: ReadonlyArray<{ minutes: number; perMinute: number }>): string {
  let current = 0;
  const parts = ["0"];
  for (const { minutes, perMinute } of stretches) {
    parts.push(`${number(current + perMinute)}+${number(perMinute)}x${minutes - 1}`);
    current += perMinute * minutes;
  }
  return parts.join(" ");
}

function number(value: number): string {
  return String(Number(value.toFixed(6)));
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}

function minutesOf(duration: string): number {
  const match = /^(\d+)([mh])$/.exec(duration);
  if (!match) throw new Error(`cannot read the duration ${duration}; expected minutes or hours like 5m or 1h`);
  return Number(match[1]) * (match[2] === "h" ? 60 : 1);
}
