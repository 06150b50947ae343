import {
  ALERT_RECEIVER_SECRET_KEYS,
  type AlertReceiverSetting,
  type AlertRoutingSettings,
} from "../alert-routing-settings.js";
import type { KubernetesEnvironment } from "../environments.js";
import type { Catalogue } from "../spec/model.js";
import { emitYaml } from "./yaml-emitter.js";

/**
 * The Alertmanager configuration of a Kubernetes environment: every alert goes to the
 * receiver of the team in its `owner` label (the alerts of alert-rules.ts carry the
 * service's `monitoring.owner`), and the rest to the default receiver. It is plain data,
 * for the `alertmanager.config` value of kube-prometheus-stack, and rendered as
 * `cdktf.out/monitoring/<env>/alertmanager.yml` for reviewers and `amtool`.
 */

/**
 * Where kube-prometheus-stack mounts the Secrets of `alertmanager.alertmanagerSpec.secrets`
 * in the Alertmanager container: each at `<this>/<secret name>/`.
 */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

/**
 * How alerts are batched into notifications. A notification holds the alerts of one
 * alert name and service (the burn alerts of one SLO fire together, one service's
 * TargetDown per replica come as one); Alertmanager's own defaults for the timing: wait
 * 30 s for the rest of a group, send a group's changes at most every 5 minutes, and
 * repeat a group that still fires every 4 hours.
 */
export const ALERT_GROUPING = {
  groupBy: ["alertname", "service"],
  groupWait: "30s",
  groupInterval: "5m",
  repeatInterval: "4h",
} as const;

/** The receiver that drops what it gets: nothing is configured on it. */
export const DISCARD_RECEIVER = "null";

/**
 * The alerts of kube-prometheus-stack's own rules that fire by design and page no one:
 * `Watchdog` always fires (a dead man's switch, for an external check), `InfoInhibitor`
 * only silences info alerts. They go to {@link DISCARD_RECEIVER}, as the chart's own
 * configuration does.
 */
export const ALWAYS_FIRING_ALERTS = ["Watchdog", "InfoInhibitor"] as const;

/** A route of the tree: the alerts its matchers select go to its receiver. */
export interface AlertmanagerRoute {
  readonly receiver: string;
  /** Alertmanager matchers, like `owner="team-orders"`; all must match. */
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly routes?: readonly AlertmanagerRoute[];
}

/** A Slack (or Slack-compatible) incoming webhook, its URL read from a file. */
export interface SlackReceiverConfig {
  readonly api_url_file: string;
  readonly send_resolved: boolean;
  readonly title: string;
  readonly text: string;
}

/** A PagerDuty Events API v2 integration, its routing key read from a file. */
export interface PagerDutyReceiverConfig {
  readonly routing_key_file: string;
  readonly send_resolved: boolean;
  readonly severity: string;
}

/** A receiver: where the notifications of the routes that name it go (nowhere when it has no configs). */
export interface AlertmanagerReceiver {
  readonly name: string;
  readonly slack_configs?: readonly SlackReceiverConfig[];
  readonly pagerduty_configs?: readonly PagerDutyReceiverConfig[];
}

/** A rule that mutes the alerts `target_matchers` select while one `source_matchers` selects fires with the same `equal` labels. */
export interface AlertmanagerInhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

/** The content of `alertmanager.yml`. */
export interface AlertmanagerConfig {
  readonly route: AlertmanagerRoute;
  readonly inhibit_rules: readonly AlertmanagerInhibitRule[];
  readonly receivers: readonly AlertmanagerReceiver[];
}

/**
 * A page mutes the ticket of the same service in the same environment: a fast burn of
 * the error budget also trips the slow windows, and the team needs the one notification.
 */
const PAGE_MUTES_TICKET: AlertmanagerInhibitRule = {
  source_matchers: ['severity="page"'],
  target_matchers: ['severity="ticket"'],
  equal: ["service", "environment"],
};

/**
 * The Alertmanager configuration of `environment` for the services of `catalogue`: a
 * route per owner (each owner of the catalogue, and each team of the setting), to the
 * team's receiver when the setting names one and to the default receiver otherwise; the
 * default receiver for alerts of no known owner; one receiver per Secret.
 */
export function renderAlertmanagerConfig(environment: KubernetesEnvironment, catalogue: Catalogue): AlertmanagerConfig {
  const { receivers, defaultReceiver } = environment.kubernetes.alerting;
  const owners = [...new Set([...catalogue.services.map((spec) => spec.monitoring.owner), ...receivers.keys()])].sort();
  const ownerRoutes = owners.map(
    (owner): AlertmanagerRoute => ({
      matchers: [`owner=${alertmanagerMatcherValue(owner)}`],
      receiver: alertReceiverName(receivers.get(owner) ?? defaultReceiver),
    }),
  );
  const always = ALWAYS_FIRING_ALERTS.join("|");
  return {
    route: {
      receiver: alertReceiverName(defaultReceiver),
      group_by: [...ALERT_GROUPING.groupBy],
      group_wait: ALERT_GROUPING.groupWait,
      group_interval: ALERT_GROUPING.groupInterval,
      repeat_interval: ALERT_GROUPING.repeatInterval,
      routes: [
        { matchers: [`alertname=~${alertmanagerMatcherValue(always)}`], receiver: DISCARD_RECEIVER },
        ...ownerRoutes,
      ],
    },
    inhibit_rules: [PAGE_MUTES_TICKET],
    receivers: [{ name: DISCARD_RECEIVER }, ...usedReceivers(environment.kubernetes.alerting).map(receiverConfig)],
  };
}

/**
 * The Secrets the configuration of `settings` reads, sorted: each must exist in the
 * Alertmanager's namespace and be listed in kube-prometheus-stack's
 * `alertmanager.alertmanagerSpec.secrets` (which mounts it where the configuration reads it).
 */
export function alertReceiverSecrets(settings: AlertRoutingSettings): string[] {
  return [...new Set(usedReceivers(settings).map((receiver) => receiver.secret))].sort();
}

/** The file a receiver's credential is read from: its Secret's key, where the Secret is mounted. */
export function alertReceiverCredentialFile(receiver: AlertReceiverSetting): string {
  return `${ALERTMANAGER_SECRETS_DIR}/${receiver.secret}/${ALERT_RECEIVER_SECRET_KEYS[receiver.kind]}`;
}

/** A receiver's name in the configuration: `slack/orders-alerts` (one receiver per kind and Secret). */
export function alertReceiverName(receiver: AlertReceiverSetting): string {
  return `${receiver.kind}/${receiver.secret}`;
}

/**
 * `value` as the quoted value of an Alertmanager matcher (`owner="..."`): inside the
 * quotes, `\` and `"` are escaped and a line break is written `\n`, so that any string
 * stays one value, however it is made.
 */
export function alertmanagerMatcherValue(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`;
}

/** `config` as the YAML of `alertmanager.yml`, under a header that says where it comes from. */
export function alertmanagerConfigYaml(config: AlertmanagerConfig, header: string): string {
  return `# ${header}\n${emitYaml(config)}`;
}

/** The default receiver and each team's, once each, sorted by name. */
function usedReceivers(settings: AlertRoutingSettings): AlertReceiverSetting[] {
  const byName = new Map<string, AlertReceiverSetting>();
  for (const receiver of [settings.defaultReceiver, ...settings.receivers.values()])
    byName.set(alertReceiverName(receiver), receiver);
  return [...byName.keys()].sort().map((name) => byName.get(name)!);
}

// The notification's text: each alert's summary, description and dashboard (the alert
// rules' annotations; what a service file said is data there, never template code).
const SLACK_TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} {{ .CommonLabels.service }} ({{ .CommonLabels.environment }})';
const SLACK_TEXT =
  "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n{{ .Annotations.dashboard }}\n{{ end }}";
// A page is a PagerDuty incident that wakes someone; a ticket is a low-urgency one.
const PAGERDUTY_SEVERITY = '{{ if eq .CommonLabels.severity "page" }}critical{{ else }}warning{{ end }}';

function receiverConfig(receiver: AlertReceiverSetting): AlertmanagerReceiver {
  const name = alertReceiverName(receiver);
  const file = alertReceiverCredentialFile(receiver);
  switch (receiver.kind) {
    case "slack":
      return {
        name,
        slack_configs: [{ api_url_file: file, send_resolved: true, title: SLACK_TITLE, text: SLACK_TEXT }],
      };
    case "pagerduty":
      return {
        name,
        pagerduty_configs: [{ routing_key_file: file, send_resolved: true, severity: PAGERDUTY_SEVERITY }],
      };
  }
}
