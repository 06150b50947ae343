/**
 * Where Alertmanager sends each team's alerts, on Kubernetes: a receiver per owner (the
 * `owner` label every alert carries, from `monitoring.owner` of the service spec) and a
 * default receiver for the rest. Parsers of the settings' values; `environments.ts` reads
 * the variables (and refuses them naming the variable), so that every setting is read in
 * one place.
 *
 * A receiver names a Kubernetes Secret, never a URL or a key: the Secret, in the
 * Alertmanager's namespace, holds the credential, and Alertmanager reads it from the file
 * the Secret is mounted as (kube-prometheus-stack's `alertmanager.alertmanagerSpec.secrets`
 * mounts each at `/etc/alertmanager/secrets/<name>/`). So no credential enters the
 * repository, the synthesized files or the Terraform state.
 */

/**
 * The kinds of receiver, each with a credential Alertmanager 0.25 reads from a file:
 * - `slack`: a Slack incoming webhook (or a Slack-compatible one: Mattermost, Rocket.Chat),
 *   its URL in the Secret's key `url` (`slack_configs[].api_url_file`);
 * - `pagerduty`: a PagerDuty Events API v2 integration, its routing key in the Secret's key
 *   `routing-key` (`pagerduty_configs[].routing_key_file`).
 *
 * A plain webhook is not among them: its `url_file` came after Alertmanager 0.25, whose
 * amtool refuses it, and a webhook's URL in the configuration would put its token in the
 * repository.
 */
export const ALERT_RECEIVER_KINDS = ["slack", "pagerduty"] as const;

/** One of {@link ALERT_RECEIVER_KINDS}. */
export type AlertReceiverKind = (typeof ALERT_RECEIVER_KINDS)[number];

/** The key of the Secret that holds a receiver's credential, by kind. */
export const ALERT_RECEIVER_SECRET_KEYS: Readonly<Record<AlertReceiverKind, string>> = {
  slack: "url",
  pagerduty: "routing-key",
};

/** A receiver: its kind, and the Secret (in the Alertmanager's namespace) that holds its credential. */
export interface AlertReceiverSetting {
  readonly kind: AlertReceiverKind;
  readonly secret: string;
}

/** The alert routing of one Kubernetes environment. */
export interface AlertRoutingSettings {
  /**
   * The receiver of each team's alerts, by owner (`<ENV>_ALERT_RECEIVERS`).
   * @default empty - every alert goes to the default receiver
   */
  readonly receivers: ReadonlyMap<string, AlertReceiverSetting>;
  /**
   * The receiver of the alerts of every other owner, and of alerts without one
   * (`<ENV>_ALERT_DEFAULT_RECEIVER`).
   * @default DEFAULT_ALERT_RECEIVER - slack:platform-alerts
   */
  readonly defaultReceiver: AlertReceiverSetting;
}

/** The default receiver unless `<ENV>_ALERT_DEFAULT_RECEIVER` names another. */
export const DEFAULT_ALERT_RECEIVER: AlertReceiverSetting = { kind: "slack", secret: "platform-alerts" };

/** The variable of `environment`'s receivers by owner: `STAGING_ALERT_RECEIVERS`. */
export function alertReceiversVariable(environment: string): string {
  return `${environment.toUpperCase()}_ALERT_RECEIVERS`;
}

/** The variable of `environment`'s default receiver: `STAGING_ALERT_DEFAULT_RECEIVER`. */
export function defaultAlertReceiverVariable(environment: string): string {
  return `${environment.toUpperCase()}_ALERT_DEFAULT_RECEIVER`;
}

const RECEIVER_ACCEPTED = `[kind:]secret, the kind one of ${ALERT_RECEIVER_KINDS.join(", ")} (default slack) and the secret the name of a Kubernetes Secret in the Alertmanager's namespace (a DNS label: lower-case letters, digits and '-', at most 63 characters) holding the credential under the key ${ALERT_RECEIVER_KINDS.map((kind) => `${ALERT_RECEIVER_SECRET_KEYS[kind]} (${kind})`).join(" or ")}`;

/** What `<ENV>_ALERT_DEFAULT_RECEIVER` accepts. */
export const DEFAULT_ALERT_RECEIVER_ACCEPTED = `a receiver: ${RECEIVER_ACCEPTED}, like slack:platform-alerts`;

/** What `<ENV>_ALERT_RECEIVERS` accepts. */
export const ALERT_RECEIVERS_ACCEPTED = `comma-separated owner=receiver pairs, each owner once, the owner a team name as in monitoring.owner (lower-case letters, digits and '-') and the receiver ${RECEIVER_ACCEPTED}, like team-orders=slack:orders-alerts,team-edge=pagerduty:edge-oncall`;

const TEAM = /^[a-z0-9][a-z0-9-]*$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A receiver written `[kind:]secret`; undefined when `text` is not one. */
export function parseAlertReceiver(text: string): AlertReceiverSetting | undefined {
  const colon = text.indexOf(":");
  const kind = colon === -1 ? "slack" : text.slice(0, colon).trim();
  const secret = (colon === -1 ? text : text.slice(colon + 1)).trim();
  if (!(ALERT_RECEIVER_KINDS as readonly string[]).includes(kind) || !SECRET_NAME.test(secret)) return undefined;
  return { kind: kind as AlertReceiverKind, secret };
}

/**
 * The receivers by owner of `owner=receiver,...`; a string naming the first entry that is
 * not one (an unknown kind, a bad name, an owner twice) when it is refused.
 */
export function parseAlertReceivers(text: string): ReadonlyMap<string, AlertReceiverSetting> | string {
  const receivers = new Map<string, AlertReceiverSetting>();
  for (const entry of text.split(",")) {
    if (entry.trim() === "") continue;
    const equals = entry.indexOf("=");
    const owner = equals === -1 ? "" : entry.slice(0, equals).trim();
    const receiver = equals === -1 ? undefined : parseAlertReceiver(entry.slice(equals + 1));
    if (!TEAM.test(owner) || receiver === undefined) return `the entry ${JSON.stringify(entry.trim())} is not one`;
    if (receivers.has(owner)) return `the owner ${owner} is named twice`;
    receivers.set(owner, receiver);
  }
  return receivers;
}
