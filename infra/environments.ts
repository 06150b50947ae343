/**
 * The environments this platform deploys to. `local` runs on the developer's Docker
 * engine (the default a newcomer deploys first); `staging` and `production` run on
 * Kubernetes. Settings that differ per machine or per company come from environment
 * variables, read here and nowhere else, with defaults that keep the synthesized JSON
 * the same on every machine.
 */
import {
  ALERT_RECEIVERS_ACCEPTED,
  type AlertRoutingSettings,
  alertReceiversVariable,
  DEFAULT_ALERT_RECEIVER,
  DEFAULT_ALERT_RECEIVER_ACCEPTED,
  defaultAlertReceiverVariable,
  parseAlertReceiver,
  parseAlertReceivers,
} from "./alert-routing-settings.js";
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import {
  ADDONS_ACCEPTED,
  addonsStackName,
  addonsVariable,
  type AddonName,
  defaultAddons,
  fitsMesh,
  parseAddons,
} from "./addons/addon-names.js";
import {
  DEFAULT_MESH,
  LINKERD_TRUST_ANCHOR_ACCEPTED,
  linkerdTrustAnchorVariable,
  MESH_ACCEPTED,
  type MeshName,
  meshVariable,
  PLATFORM_LINKERD_TRUST_ANCHOR_VARIABLE,
  PLATFORM_MESH_VARIABLE,
  parseMesh,
} from "./mesh-settings.js";
import { PlatformError } from "./platform-error.js";
import { EGRESS_CIDR_ACCEPTED, egressCidrRefusal } from "./spec/egress-cidr.js";
import { LOCAL_GRAFANA_PORT, LOCAL_JAEGER_UI_PORT, LOCAL_PROMETHEUS_PORT } from "./spec/platform-ports.js";
import {
  defaultSamplingRatio,
  OTLP_ENDPOINT_ACCEPTED,
  type OtlpCollectorSettings,
  parseOtlpEndpoint,
  parseSamplingRatio,
  samplingRatioVariable,
  serviceHostNamespace,
  TRACE_SAMPLING_RATIO_ACCEPTED,
} from "./tracing-settings.js";

/** Where Terraform keeps the state of one environment. */
export type BackendSettings =
  | { readonly type: "local"; readonly path: string }
  | { readonly type: "s3"; readonly bucket: string; readonly key: string; readonly region: string }
  | { readonly type: "gcs"; readonly bucket: string; readonly prefix: string }
  | { readonly type: "pg"; readonly schemaName: string }
  | {
      readonly type: "kubernetes";
      readonly secretSuffix: string;
      readonly namespace: string;
      readonly configPath: string;
      readonly configContext: string;
    };

/** The backends a shared environment may use: each one locks the state. */
export const SHARED_BACKEND_TYPES = ["kubernetes", "s3", "gcs", "pg"] as const;

/** How Prometheus finds the pods on Kubernetes. */
export type ScrapeDiscovery = "servicemonitor" | "annotations";

/** Settings of the Kubernetes target. */
export interface KubernetesSettings {
  /** kubeconfig file; the provider expands `~`. */
  readonly configPath: string;
  readonly configContext: string;
  /** Registry the service images are pushed to, like `ghcr.io/acme`. */
  readonly imageRegistry: string;
  readonly ingressClassName: string;
  /**
   * The cert-manager ClusterIssuer that signs the public Ingresses' certificates
   * (`<ENV>_CLUSTER_ISSUER`): each Ingress carries `cert-manager.io/cluster-issuer`, and
   * cert-manager creates the TLS Secret its `tls` block names. cert-manager and the
   * ClusterIssuer must exist in the cluster.
   * @default DEFAULT_CLUSTER_ISSUER - "letsencrypt"
   */
  readonly clusterIssuer: string;
  /** Namespace of the Prometheus that scrapes the services (allowed in by NetworkPolicy). */
  readonly monitoringNamespace: string;
  /** Namespace of the ingress controller (allowed in to public services). */
  readonly ingressNamespace: string;
  /** ServiceMonitor needs the prometheus-operator CRDs; annotations work with any Prometheus. */
  readonly scrape: ScrapeDiscovery;
  /** Namespace of the CloudNativePG operator (allowed in to the database pods on its ports). */
  readonly cnpgNamespace: string;
  /**
   * Where the Kubernetes API server's endpoints are: the database pods' instance manager
   * talks to it, and the namespace's default deny blocks it otherwise.
   * @default undefined - not configured: the database pods get no egress to it (the synth warns;
   * `npm run deploy` of an environment with a database refuses it)
   */
  readonly apiServer?: { readonly cidr: string; readonly ports: readonly number[] };
  /**
   * The object store PostgreSQL backups go to (production only).
   * @default undefined - no backups: the Cluster gets none and no ScheduledBackup is made
   */
  readonly backup?: BackupSettings;
  /**
   * The OpenTelemetry collector the services export traces to (`PLATFORM_OTLP_ENDPOINT`).
   * @default undefined - tracing is off: the services get no OTEL_EXPORTER_OTLP_ENDPOINT (the synth says so)
   */
  readonly otlpCollector?: OtlpCollectorSettings;
  /**
   * Where Alertmanager sends the alerts: each owner's receiver (`<ENV>_ALERT_RECEIVERS`) and
   * the default receiver of the rest (`<ENV>_ALERT_DEFAULT_RECEIVER`); see alert-routing-settings.ts.
   * @default no receiver by owner; the default receiver DEFAULT_ALERT_RECEIVER - slack:platform-alerts
   */
  readonly alerting: AlertRoutingSettings;
  /**
   * The cluster add-ons the environment's add-ons stack (`addons-<env>`) installs
   * (`<ENV>_ADDONS`); those left out are the cluster's own already. A mesh is among them
   * only when it is the environment's `mesh`.
   * @default defaultAddons(mesh) - every one, with the environment's mesh when it has one
   */
  readonly addons: readonly AddonName[];
  /** Where the add-ons stack keeps its state: the environment's backend, under the stack's name. */
  readonly addonsBackend: BackendSettings;
  /**
   * The ACME account of the ClusterIssuer the service stack makes when the add-ons
   * install cert-manager (`PLATFORM_ACME_EMAIL`, `PLATFORM_ACME_SERVER`).
   */
  readonly acme: AcmeSettings;
  /**
   * The service mesh the environment's pods are in (`<ENV>_MESH`, else `PLATFORM_MESH`):
   * with one, the service stack writes its mutual TLS, authorization, timeout and retry
   * objects, and the add-ons stack installs it (see mesh-settings.ts).
   * @default DEFAULT_MESH - "none": no mesh object, nothing changes
   */
  readonly mesh: MeshName;
  /**
   * The PEM certificate of Linkerd's trust anchor, which the add-ons' `linkerd-control-plane`
   * release is installed with (`identityTrustAnchorsPEM`): read from the file
   * `<ENV>_LINKERD_TRUST_ANCHOR_FILE`, else `PLATFORM_LINKERD_TRUST_ANCHOR_FILE`, and only when
   * the add-ons install Linkerd.
   * @default undefined - the add-ons do not install Linkerd
   */
  readonly linkerdTrustAnchor?: string;
}

/** The ACME account a ClusterIssuer registers with its certificate authority. */
export interface AcmeSettings {
  /** Where the certificate authority writes about expiring certificates. @default DEFAULT_ACME_EMAIL */
  readonly email: string;
  /** The ACME directory URL. @default DEFAULT_ACME_SERVER - Let's Encrypt's production directory */
  readonly server: string;
}

/** The ACME account's e-mail unless `PLATFORM_ACME_EMAIL` names another (a placeholder: set yours). */
export const DEFAULT_ACME_EMAIL = "platform@example.com";
/** Let's Encrypt's production ACME directory, the server unless `PLATFORM_ACME_SERVER` names another. */
export const DEFAULT_ACME_SERVER = "https://acme-v02.api.letsencrypt.org/directory";

/** What PLATFORM_KUBE_API_CIDR accepts, and why an environment with a database needs it. */
export const KUBE_API_CIDR_ACCEPTED =
  "the IPv4 CIDR of the Kubernetes API server's endpoints (kubectl get endpoints kubernetes -n default), like 10.0.0.1/32, when the environment has a PostgreSQL backing service: CloudNativePG's instance manager in each database pod talks to the API server, which the namespace's default deny blocks otherwise";

/** Where CloudNativePG writes base backups and WAL (Barman Cloud, S3-compatible). */
export interface BackupSettings {
  /** Like `s3://acme-pg-backups/production`; each database writes below it, in a folder of its own. */
  readonly destinationPath: string;
  /** A Secret in the environment's namespace with keys ACCESS_KEY_ID and ACCESS_SECRET_KEY. */
  readonly credentialsSecret: string;
  /** The object store's addresses, allowed as egress of the database pods on 443. */
  readonly cidr: string;
}

/** Settings of the Docker target. */
export interface DockerSettings {
  /** The Docker engine's address. */
  readonly host: string;
  /** The base image the service Dockerfiles build from (a build argument). */
  readonly baseImage: string;
  /** Pinned Prometheus image for the local monitoring. */
  readonly prometheusImage: string;
  /** Port Prometheus is published on, on 127.0.0.1. */
  readonly prometheusPort: number;
  /** Pinned Jaeger image: the local tracing backend (OTLP receiver and UI). */
  readonly jaegerImage: string;
  /** Port the Jaeger UI is published on, on 127.0.0.1. */
  readonly jaegerUiPort: number;
}

/** How an environment's services trace (the OTEL_* variables the platform sets). */
export interface TracingSettings {
  /** Share of new traces recorded, in [0, 1] (`OTEL_TRACES_SAMPLER_ARG`); see TRACE_SAMPLING_RATIOS. */
  readonly samplingRatio: number;
  /**
   * Base URL of the Jaeger UI that shows this environment's traces: the latency panels and
   * the alerts link to its search for the service.
   * @default undefined - no link (staging and production without PLATFORM_TRACES_URL)
   */
  readonly tracesUrl?: string;
}

interface EnvironmentBase {
  readonly name: string;
  /** Kubernetes namespace, and the name prefix of Docker resources. */
  readonly namespace: string;
  readonly backend: BackendSettings;
  /** Production rules apply (at least two replicas, see guardrail K8S-15). */
  readonly production: boolean;
  /** Base URL of the Grafana that shows this environment's dashboards (the alerts link to them). */
  readonly grafanaUrl: string;
  readonly tracing: TracingSettings;
}

/** An environment on the Docker engine. */
export interface DockerEnvironment extends EnvironmentBase {
  readonly target: "docker";
  readonly docker: DockerSettings;
}

/** An environment on a Kubernetes cluster. */
export interface KubernetesEnvironment extends EnvironmentBase {
  readonly target: "kubernetes";
  readonly kubernetes: KubernetesSettings;
}

/** One deployable environment. */
export type Environment = DockerEnvironment | KubernetesEnvironment;

/** The names of the environments, in deploy order. */
export const ENVIRONMENT_NAMES = ["local", "staging", "production"] as const;

/** The ClusterIssuer of the public Ingresses' certificates unless `<ENV>_CLUSTER_ISSUER` names another. */
export const DEFAULT_CLUSTER_ISSUER = "letsencrypt";
/** What `<ENV>_CLUSTER_ISSUER` accepts. */
export const CLUSTER_ISSUER_ACCEPTED =
  "the name of a cert-manager ClusterIssuer in the cluster (a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters), like letsencrypt or letsencrypt-staging";

/** The variable that names the ClusterIssuer of `environment`'s certificates: `STAGING_CLUSTER_ISSUER`. */
export function clusterIssuerVariable(environment: string): string {
  return `${environment.toUpperCase()}_CLUSTER_ISSUER`;
}

/** Pinned default base image of the service Dockerfiles (override: PLATFORM_BASE_IMAGE). */
export const DEFAULT_BASE_IMAGE = "node:20.19.5-bookworm-slim";
/** Grafana of the local environment, on the developer's machine. */
export const LOCAL_GRAFANA_URL = `http://127.0.0.1:${LOCAL_GRAFANA_PORT}`;
/** Placeholder Grafana of the shared environments (override: PLATFORM_GRAFANA_URL). */
export const DEFAULT_GRAFANA_URL = "https://grafana.example.com";
/** Pinned Prometheus image of the local environment. */
export const DEFAULT_PROMETHEUS_IMAGE = "prom/prometheus:v3.5.0";
/**
 * Pinned Jaeger v2 image of the local environment (all in one: OTLP receiver, in-memory
 * store, UI), by tag and by the digest of its multi-arch index; Jaeger v1's
 * `jaegertracing/all-in-one` reached its end of life at the end of 2025.
 */
export const DEFAULT_JAEGER_IMAGE =
  "jaegertracing/jaeger:2.21.0@sha256:3d0ac795ff98aa04d1be04311d2dac6c25b4bfc8322dc02e53bc5b170c5018c3";
/** The Jaeger UI of the local environment, on the developer's machine. */
export const LOCAL_JAEGER_URL = `http://127.0.0.1:${LOCAL_JAEGER_UI_PORT}`;

/** A configuration variable with a value this platform cannot use, or not set where it is needed. */
export class EnvironmentConfigError extends PlatformError {
  /** @param value what the variable holds; `undefined` when it is not set (said so, not shown as `""`) */
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    accepted: string,
  ) {
    super(
      "ENVIRONMENT_CONFIG_INVALID",
      value === undefined
        ? `environment variable ${variable} is not set; accepted: ${accepted}`
        : `environment variable ${variable}: ${JSON.stringify(value)} is not accepted; accepted: ${accepted}`,
    );
  }
}

/** The name of one of the platform's environments. */
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Whether `name` is one of the platform's environments. */
export function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

/**
 * The environments named in `names` (in deploy order), configured from `variables`
 * (normally `process.env`):
 * - `KUBECONFIG` (default `~/.kube/config`), `STAGING_KUBE_CONTEXT` (default `staging`),
 *   `PRODUCTION_KUBE_CONTEXT` (default `production`);
 * - `PLATFORM_STATE_BACKEND` for staging and production: `kubernetes` (default: state in
 *   a Secret of the cluster itself, locked with a Lease), `s3` (with `PLATFORM_STATE_BUCKET`,
 *   `PLATFORM_STATE_REGION`; locked by an S3 lock file), `gcs` (`PLATFORM_STATE_BUCKET`),
 *   or `pg` (connection from `PG_CONN_STR` at `terraform init`);
 * - `PLATFORM_IMAGE_REGISTRY`, `PLATFORM_INGRESS_CLASS`, `PLATFORM_SCRAPE` (`servicemonitor`
 *   or `annotations`), `PLATFORM_GRAFANA_URL` (the Grafana of staging and production, which
 *   alerts link to), `DOCKER_HOST`, `PLATFORM_BASE_IMAGE`;
 * - for PostgreSQL backing services (CloudNativePG): `PLATFORM_CNPG_NAMESPACE` (default
 *   `cnpg-system`), `PLATFORM_KUBE_API_CIDR` and `PLATFORM_KUBE_API_PORTS` (default
 *   `443,6443`: the API server, which the database pods must reach), and for production's
 *   backups `PLATFORM_BACKUP_DESTINATION` (an `s3://` path; unset: no backups), with
 *   `PLATFORM_BACKUP_CIDR` (the object store's addresses) and
 *   `PLATFORM_BACKUP_CREDENTIALS_SECRET` (default `platform-backup-credentials`);
 * - for the public Ingresses' certificates: `STAGING_CLUSTER_ISSUER`, `PRODUCTION_CLUSTER_ISSUER`
 *   (the cert-manager ClusterIssuer of each; default `letsencrypt`);
 * - for Alertmanager's routing: `<ENV>_ALERT_RECEIVERS` (`STAGING_`, `PRODUCTION_`: each
 *   owner's receiver, like `team-orders=slack:orders-alerts,team-edge=pagerduty:edge-oncall`;
 *   default none) and `<ENV>_ALERT_DEFAULT_RECEIVER` (the rest; default `slack:platform-alerts`);
 *   (the cert-manager ClusterIssuer of each; default `letsencrypt`), and the ACME account of
 *   the ClusterIssuer the platform makes: `PLATFORM_ACME_EMAIL` (default DEFAULT_ACME_EMAIL),
 *   `PLATFORM_ACME_SERVER` (default Let's Encrypt's production directory);
 * - for the cluster add-ons: `STAGING_ADDONS`, `PRODUCTION_ADDONS` (the add-ons the
 *   `addons-<env>` stack installs, comma-separated from ADDON_NAMES, or `none`; default every one);
 * - for the service mesh: `PLATFORM_MESH` (`none`, `istio` or `linkerd`; default `none`) and
 *   `STAGING_MESH`, `PRODUCTION_MESH` (one environment's, over PLATFORM_MESH); when the
 *   add-ons install Linkerd, `PLATFORM_LINKERD_TRUST_ANCHOR_FILE` (or `<ENV>_LINKERD_TRUST_ANCHOR_FILE`
 *   over it): the PEM file of Linkerd's trust anchor certificate;
 * - for tracing: `<ENV>_TRACE_SAMPLING_RATIO` (`LOCAL_`, `STAGING_`, `PRODUCTION_`; default
 *   TRACE_SAMPLING_RATIOS of tracing-settings.ts), and for staging and production `PLATFORM_OTLP_ENDPOINT`
 *   (the collector; unset: tracing off), `PLATFORM_OTLP_CIDR` (its addresses, when it is not
 *   an in-cluster `<name>.<namespace>.svc`) and `PLATFORM_TRACES_URL` (the Jaeger UI the
 *   dashboards and alerts link to; unset: no link).
 *
 * Only the settings of the named environments are read: a setting that only staging and
 * production use (the state backend, the Kubernetes settings) fails them, never `local`.
 * @param names the environments wanted
 * @default names ENVIRONMENT_NAMES - every environment
 */
export function loadEnvironments(
  variables: Readonly<Record<string, string | undefined>> = process.env,
  names: readonly EnvironmentName[] = ENVIRONMENT_NAMES,
): Environment[] {
  const wanted = ENVIRONMENT_NAMES.filter((name) => names.includes(name));
  const clusterNames = wanted.filter((name): name is "staging" | "production" => name !== "local");
  const cluster = clusterNames.length > 0 ? clusterSettings(variables, clusterNames) : undefined;

  const kubernetesEnvironment = (name: "staging" | "production", contextVariable: string): KubernetesEnvironment => {
    const settings = cluster!;
    const configContext = variables[contextVariable] || name;
    const namespace = `platform-${name}`;
    const environmentMesh = mesh(variables, name);
    const environmentAddons = addons(variables, name, environmentMesh);
    return {
      name,
      target: "kubernetes",
      namespace,
      production: name === "production",
      grafanaUrl: settings.grafanaUrl,
      tracing: { samplingRatio: samplingRatio(variables, name), tracesUrl: settings.tracesUrl },
      backend: settings.backend(name, configContext),
      kubernetes: {
        configPath: settings.kubeconfig,
        configContext,
        imageRegistry: variables.PLATFORM_IMAGE_REGISTRY || "registry.example.com/platform",
        ingressClassName: variables.PLATFORM_INGRESS_CLASS || "nginx",
        clusterIssuer: clusterIssuer(variables, name),
        monitoringNamespace: "monitoring",
        ingressNamespace: "ingress-nginx",
        scrape: settings.scrape,
        cnpgNamespace: settings.cnpgNamespace,
        apiServer: settings.apiServer,
        backup: name === "production" ? settings.backup : undefined,
        otlpCollector: settings.otlpCollector,
        alerting: alertRouting(variables, name),
        addons: environmentAddons,
        mesh: environmentMesh,
        ...(environmentAddons.includes("linkerd") ? { linkerdTrustAnchor: linkerdTrustAnchor(variables, name) } : {}),
        addonsBackend: settings.backend(addonsStackName(name), configContext),
        acme: settings.acme,
      },
    };
  };

  return wanted.map(
    (name): Environment =>
      name === "local"
        ? {
            name,
            target: "docker",
            namespace: "platform-local",
            production: false,
            grafanaUrl: LOCAL_GRAFANA_URL,
            tracing: { samplingRatio: samplingRatio(variables, name), tracesUrl: LOCAL_JAEGER_URL },
            backend: { type: "local", path: "terraform.local.tfstate" },
            docker: {
              host: variables.DOCKER_HOST || "unix:///var/run/docker.sock",
              baseImage: variables.PLATFORM_BASE_IMAGE || DEFAULT_BASE_IMAGE,
              prometheusImage: DEFAULT_PROMETHEUS_IMAGE,
              prometheusPort: LOCAL_PROMETHEUS_PORT,
              jaegerImage: DEFAULT_JAEGER_IMAGE,
              jaegerUiPort: LOCAL_JAEGER_UI_PORT,
            },
          }
        : kubernetesEnvironment(name, name === "staging" ? "STAGING_KUBE_CONTEXT" : "PRODUCTION_KUBE_CONTEXT"),
  );
}

/** The settings staging and production share, read and checked once. */
interface ClusterSettings {
  readonly kubeconfig: string;
  readonly scrape: ScrapeDiscovery;
  readonly grafanaUrl: string;
  readonly apiServer: KubernetesSettings["apiServer"];
  readonly backup: BackupSettings | undefined;
  readonly cnpgNamespace: string;
  readonly otlpCollector: OtlpCollectorSettings | undefined;
  readonly tracesUrl: string | undefined;
  readonly acme: AcmeSettings;
  /** The state backend of one of them. */
  backend(environment: string, configContext: string): BackendSettings;
}

/** The settings of the Kubernetes environments `names`: a problem names them, as theirs alone. */
function clusterSettings(
  variables: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): ClusterSettings {
  const kubeconfig = variables.KUBECONFIG?.split(":")[0] || "~/.kube/config";
  const backendType = oneOf(variables, "PLATFORM_STATE_BACKEND", SHARED_BACKEND_TYPES, "kubernetes");
  return {
    kubeconfig,
    scrape: oneOf(variables, "PLATFORM_SCRAPE", ["servicemonitor", "annotations"] as const, "servicemonitor"),
    grafanaUrl: baseUrl(variables, "PLATFORM_GRAFANA_URL", DEFAULT_GRAFANA_URL),
    apiServer: apiServerSettings(variables),
    backup: backupSettings(variables),
    cnpgNamespace: namespaceVariable(variables, "PLATFORM_CNPG_NAMESPACE", "cnpg-system"),
    otlpCollector: otlpCollectorSettings(variables),
    tracesUrl: variables.PLATFORM_TRACES_URL ? baseUrl(variables, "PLATFORM_TRACES_URL", "") : undefined,
    acme: acmeSettings(variables),
    backend: stateBackend(backendType, variables, names, kubeconfig),
  };
}

/**
 * The state backend of the Kubernetes environments `names`, one environment at a time.
 * The variables `type` needs (bucket, region) are checked here, once: one that is not set
 * is refused, naming the environments that keep their state there.
 */
function stateBackend(
  type: (typeof SHARED_BACKEND_TYPES)[number],
  variables: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  configPath: string,
): (environment: string, configContext: string) => BackendSettings {
  const required = (variable: string): string => {
    const value = variables[variable];
    if (!value)
      throw new EnvironmentConfigError(
        variable,
        variables[variable],
        `a non-empty value when PLATFORM_STATE_BACKEND=${type}, the state backend of ${names.join(" and ")} (local keeps its state in a file and needs none)`,
      );
    return value;
  };
  switch (type) {
    case "kubernetes":
      return (environment, configContext) => ({
        type,
        secretSuffix: `platform-${environment}`,
        namespace: "kube-system",
        configPath,
        configContext,
      });
    case "s3": {
      const bucket = required("PLATFORM_STATE_BUCKET");
      const region = required("PLATFORM_STATE_REGION");
      return (environment) => ({ type, bucket, key: `platform/${environment}.tfstate`, region });
    }
    case "gcs": {
      const bucket = required("PLATFORM_STATE_BUCKET");
      return (environment) => ({ type, bucket, prefix: `platform/${environment}` });
    }
    case "pg":
      return (environment) => ({ type, schemaName: `platform_${environment}` });
  }
}

function cidrVariable(variables: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = variables[name];
  if (value === undefined || value === "") return undefined;
  if (egressCidrRefusal(value) !== undefined) throw new EnvironmentConfigError(name, value, EGRESS_CIDR_ACCEPTED);
  return value;
}

function apiServerSettings(
  variables: Readonly<Record<string, string | undefined>>,
): KubernetesSettings["apiServer"] | undefined {
  const cidr = cidrVariable(variables, "PLATFORM_KUBE_API_CIDR");
  if (cidr === undefined) return undefined;
  const text = variables.PLATFORM_KUBE_API_PORTS || "443,6443";
  const ports = text.split(",").map((p) => Number(p.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
    throw new EnvironmentConfigError(
      "PLATFORM_KUBE_API_PORTS",
      text,
      "ports from 1 to 65535, comma-separated, like 443,6443",
    );
  return { cidr, ports };
}

function backupSettings(variables: Readonly<Record<string, string | undefined>>): BackupSettings | undefined {
  const destinationPath = variables.PLATFORM_BACKUP_DESTINATION;
  if (destinationPath === undefined || destinationPath === "") return undefined;
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._-]+)*\/?$/.test(destinationPath))
    throw new EnvironmentConfigError(
      "PLATFORM_BACKUP_DESTINATION",
      destinationPath,
      "an s3:// bucket path like s3://acme-pg-backups/production",
    );
  const cidr = cidrVariable(variables, "PLATFORM_BACKUP_CIDR");
  if (cidr === undefined)
    throw new EnvironmentConfigError(
      "PLATFORM_BACKUP_CIDR",
      variables.PLATFORM_BACKUP_CIDR,
      "the object store's IPv4 CIDR when PLATFORM_BACKUP_DESTINATION is set (the database pods may reach only it)",
    );
  const credentialsSecret = variables.PLATFORM_BACKUP_CREDENTIALS_SECRET || "platform-backup-credentials";
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(credentialsSecret))
    throw new EnvironmentConfigError(
      "PLATFORM_BACKUP_CREDENTIALS_SECRET",
      credentialsSecret,
      "a Kubernetes Secret name",
    );
  return { destinationPath: destinationPath.replace(/\/+$/, ""), credentialsSecret, cidr };
}

/**
 * The sampling ratio of `environment`: its `<ENV>_TRACE_SAMPLING_RATIO`, or its entry of
 * TRACE_SAMPLING_RATIOS; a value outside [0, 1] is refused, naming where it came from.
 */
function samplingRatio(variables: Readonly<Record<string, string | undefined>>, environment: EnvironmentName): number {
  const variable = samplingRatioVariable(environment);
  const text = variables[variable];
  if (text !== undefined && text !== "") {
    const value = parseSamplingRatio(text);
    if (value === undefined) throw new EnvironmentConfigError(variable, text, TRACE_SAMPLING_RATIO_ACCEPTED);
    return value;
  }
  return defaultSamplingRatio(environment);
}

/** The ClusterIssuer of `environment`: its `<ENV>_CLUSTER_ISSUER`, or DEFAULT_CLUSTER_ISSUER. */
function clusterIssuer(variables: Readonly<Record<string, string | undefined>>, environment: string): string {
  const variable = clusterIssuerVariable(environment);
  const value = variables[variable];
  if (value === undefined || value === "") return DEFAULT_CLUSTER_ISSUER;
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value))
    throw new EnvironmentConfigError(variable, value, CLUSTER_ISSUER_ACCEPTED);
  return value;
}

/** The alert routing of `environment`: its `<ENV>_ALERT_RECEIVERS` and `<ENV>_ALERT_DEFAULT_RECEIVER`. */
function alertRouting(
  variables: Readonly<Record<string, string | undefined>>,
  environment: string,
): AlertRoutingSettings {
  const receiversVariable = alertReceiversVariable(environment);
  const receiversText = variables[receiversVariable] ?? "";
  const receivers = parseAlertReceivers(receiversText);
  if (typeof receivers === "string")
    throw new EnvironmentConfigError(receiversVariable, receiversText, `${ALERT_RECEIVERS_ACCEPTED} (${receivers})`);
  const defaultVariable = defaultAlertReceiverVariable(environment);
  const defaultText = variables[defaultVariable];
  if (defaultText === undefined || defaultText === "") return { receivers, defaultReceiver: DEFAULT_ALERT_RECEIVER };
  const defaultReceiver = parseAlertReceiver(defaultText);
  if (defaultReceiver === undefined)
    throw new EnvironmentConfigError(defaultVariable, defaultText, DEFAULT_ALERT_RECEIVER_ACCEPTED);
  return { receivers, defaultReceiver };
}

/**
 * The add-ons of `environment`: its `<ENV>_ADDONS`, or every one that fits its `mesh`; a
 * value naming a mesh other than the environment's is refused.
 */
function addons(
  variables: Readonly<Record<string, string | undefined>>,
  environment: string,
  mesh: MeshName,
): readonly AddonName[] {
  const variable = addonsVariable(environment);
  const value = variables[variable];
  if (value === undefined || value === "") return defaultAddons(mesh);
  const parsed = parseAddons(value);
  if (parsed === undefined) throw new EnvironmentConfigError(variable, value, ADDONS_ACCEPTED);
  const otherMesh = parsed.find((addon) => !fitsMesh(addon, mesh));
  if (otherMesh !== undefined)
    throw new EnvironmentConfigError(
      variable,
      value,
      `${ADDONS_ACCEPTED} (${otherMesh} is not ${environment}'s mesh, which is ${mesh})`,
    );
  return parsed;
}

/**
 * The PEM of Linkerd's trust anchor of `environment`, from the file its
 * `<ENV>_LINKERD_TRUST_ANCHOR_FILE` or `PLATFORM_LINKERD_TRUST_ANCHOR_FILE` names; refused
 * when neither is set, the file cannot be read, or it holds no PEM CA certificate.
 */
function linkerdTrustAnchor(variables: Readonly<Record<string, string | undefined>>, environment: string): string {
  const variable = [linkerdTrustAnchorVariable(environment), PLATFORM_LINKERD_TRUST_ANCHOR_VARIABLE].find(
    (name) => variables[name] !== undefined && variables[name] !== "",
  );
  if (variable === undefined)
    throw new EnvironmentConfigError(PLATFORM_LINKERD_TRUST_ANCHOR_VARIABLE, undefined, LINKERD_TRUST_ANCHOR_ACCEPTED);
  const file = variables[variable]!;
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    throw new EnvironmentConfigError(
      variable,
      file,
      `${LINKERD_TRUST_ANCHOR_ACCEPTED} (it cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let certificate: X509Certificate | undefined;
  try {
    certificate = pem.includes("-----BEGIN CERTIFICATE-----") ? new X509Certificate(pem) : undefined;
  } catch {
    certificate = undefined;
  }
  if (certificate === undefined)
    throw new EnvironmentConfigError(variable, file, `${LINKERD_TRUST_ANCHOR_ACCEPTED} (it holds no PEM certificate)`);
  if (!certificate.ca)
    throw new EnvironmentConfigError(
      variable,
      file,
      `${LINKERD_TRUST_ANCHOR_ACCEPTED} (its certificate, ${certificate.subject.replace(/\n/g, ", ")}, is not a CA)`,
    );
  return pem;
}

/** The mesh of `environment`: its `<ENV>_MESH`, else `PLATFORM_MESH`, else none. */
function mesh(variables: Readonly<Record<string, string | undefined>>, environment: string): MeshName {
  for (const variable of [meshVariable(environment), PLATFORM_MESH_VARIABLE]) {
    const value = variables[variable];
    if (value === undefined || value === "") continue;
    const parsed = parseMesh(value);
    if (parsed === undefined) throw new EnvironmentConfigError(variable, value, MESH_ACCEPTED);
    return parsed;
  }
  return DEFAULT_MESH;
}

/** The ACME account of PLATFORM_ACME_EMAIL and PLATFORM_ACME_SERVER. */
function acmeSettings(variables: Readonly<Record<string, string | undefined>>): AcmeSettings {
  const email = variables.PLATFORM_ACME_EMAIL || DEFAULT_ACME_EMAIL;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new EnvironmentConfigError(
      "PLATFORM_ACME_EMAIL",
      email,
      "an e-mail address for the certificate authority's notices, like platform@acme.com",
    );
  const server = variables.PLATFORM_ACME_SERVER || DEFAULT_ACME_SERVER;
  if (!/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(server))
    throw new EnvironmentConfigError(
      "PLATFORM_ACME_SERVER",
      server,
      `an https URL of an ACME directory, like ${DEFAULT_ACME_SERVER} (Let's Encrypt) or https://acme-staging-v02.api.letsencrypt.org/directory (its staging)`,
    );
  return { email, server };
}

/** The collector of PLATFORM_OTLP_ENDPOINT, and who the services may reach for it; undefined when it is not set. */
function otlpCollectorSettings(
  variables: Readonly<Record<string, string | undefined>>,
): OtlpCollectorSettings | undefined {
  const text = variables.PLATFORM_OTLP_ENDPOINT;
  if (text === undefined || text === "") return undefined;
  const parsed = parseOtlpEndpoint(text);
  if (parsed === undefined) throw new EnvironmentConfigError("PLATFORM_OTLP_ENDPOINT", text, OTLP_ENDPOINT_ACCEPTED);
  // An in-cluster Service is reached at its pods' addresses (a NetworkPolicy sees them
  // after the Service's translation), so its namespace is the peer, not a CIDR.
  const namespace = serviceHostNamespace(parsed.host);
  if (namespace !== undefined) return { endpoint: parsed.endpoint, port: parsed.port, peer: { namespace } };
  const cidr = cidrVariable(variables, "PLATFORM_OTLP_CIDR");
  if (cidr !== undefined) return { endpoint: parsed.endpoint, port: parsed.port, peer: { cidr } };
  throw new EnvironmentConfigError(
    "PLATFORM_OTLP_CIDR",
    variables.PLATFORM_OTLP_CIDR,
    `the IPv4 CIDR of the collector at ${parsed.host} (PLATFORM_OTLP_ENDPOINT is not an in-cluster <name>.<namespace>.svc host, so the services' egress to it needs its addresses): ${EGRESS_CIDR_ACCEPTED}`,
  );
}

/** A namespace name: a DNS-1123 label (what Kubernetes accepts for a namespace). */
function namespaceVariable(
  variables: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: string,
): string {
  const value = variables[name];
  if (value === undefined || value === "") return fallback;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value))
    throw new EnvironmentConfigError(
      name,
      value,
      `a Kubernetes namespace name (a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), like ${fallback}`,
    );
  return value;
}

function baseUrl(variables: Readonly<Record<string, string | undefined>>, name: string, fallback: string): string {
  const value = variables[name];
  if (value === undefined || value === "") return fallback;
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value))
    throw new EnvironmentConfigError(
      name,
      value,
      "an http(s) URL without query or fragment, like https://grafana.acme.com",
    );
  return value.replace(/\/+$/, "");
}

function oneOf<T extends string>(
  variables: Readonly<Record<string, string | undefined>>,
  name: string,
  accepted: readonly T[],
  fallback: T,
): T {
  const value = variables[name];
  if (value === undefined || value === "") return fallback;
  if (!(accepted as readonly string[]).includes(value))
    throw new EnvironmentConfigError(name, value, accepted.join(", "));
  return value as T;
}
