import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../../environments.js";
import type { Catalogue, DependencyCallSettings, ServiceSpec } from "../../../spec/model.js";
import { ownershipLabels, PLATFORM_MANAGED_LABELS, selectorLabels } from "../../hardening.js";
import type { NamespaceIsolation } from "../namespace-isolation.js";
import { Manifest } from "../resources.js";

/**
 * The Istio objects of an environment whose mesh is Istio (sidecar mode), all from the
 * catalogue's edges and the callers' `resilience` settings:
 * - namespace-wide, under the platform's construct: a `PeerAuthentication` that makes
 *   every pod of the namespace take mutual TLS only (`STRICT`);
 * - per service, under its construct (`<service>/mesh/...`): an `AuthorizationPolicy`
 *   that allows its port to the service accounts of the services that depend on it (and
 *   to the ingress namespace when public) and `GET <metricsPath>` on its metrics port to
 *   the monitoring namespace; and, when it has callers, a `DestinationRule` (mutual TLS,
 *   connection timeout, outlier detection) and a `VirtualService` (each caller's timeout,
 *   and its retries of the idempotent methods: the mesh retries, the runtime does not,
 *   see `retryLayer`).
 *
 * The NetworkPolicies stay: both layers are written from the same `dependsOn` edges.
 */

/**
 * What a mesh retry retries: an attempt that got no answer (no connection, a refused
 * stream, a reset), as the runtime does; an answer, whatever its status, is not retried
 * (dependency-resilience.ts in the runtime).
 */
export const ISTIO_RETRY_ON = "connect-failure,refused-stream,reset";

/** How often the outlier detection looks at the hosts' errors (Istio's default). */
export const OUTLIER_DETECTION_INTERVAL = "10s";

/**
 * The most of a service's pods the outlier detection ejects at once: at least half keep
 * taking calls (the callers' own breakers still open for the whole service).
 */
export const OUTLIER_MAX_EJECTION_PERCENT = 50;

/** The fully qualified name of a service in the mesh: `catalog.shop-staging.svc.cluster.local`. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The SPIFFE principal of a service's pods (its service account is its name): `cluster.local/ns/<namespace>/sa/<service>`. */
export function servicePrincipal(service: string, namespace: string): string {
  return `cluster.local/ns/${namespace}/sa/${service}`;
}

/** A duration as Istio reads it: milliseconds as seconds (`2000` is `2s`, `1500` is `1.5s`). */
export function istioDuration(milliseconds: number): string {
  return `${milliseconds / 1000}s`;
}

/** One service that calls another, with its settings for those calls (`resilience.<callee>`). */
export interface IstioCaller {
  readonly name: string;
  readonly settings: DependencyCallSettings;
}

/** The callers of `callee` in the catalogue, sorted by name, each with its settings for the callee. */
export function callersOf(catalogue: Catalogue, callee: string): IstioCaller[] {
  return catalogue.dependentsOf(callee).map((name) => {
    const settings = catalogue.get(name).resilience[callee];
    if (settings === undefined) throw new Error(`${name} depends on ${callee} but has no resilience.${callee}`);
    return { name, settings };
  });
}

/** The `PeerAuthentication` of the namespace: mutual TLS only, for every pod in it (no selector). */
export function peerAuthenticationManifest(namespace: string): Record<string, unknown> {
  return {
    apiVersion: "security.istio.io/v1beta1",
    kind: "PeerAuthentication",
    metadata: { name: "default", namespace, labels: { ...PLATFORM_MANAGED_LABELS } },
    spec: { mtls: { mode: "STRICT" } },
  };
}

/**
 * The `AuthorizationPolicy` of a service: ALLOW rules for its dependents' service accounts
 * on its port, for the ingress namespace on its port when public, and for the monitoring
 * namespace on its metrics port (GET of its metrics path). Any other call is refused: with
 * an ALLOW policy selecting a workload, Istio denies what no rule allows. (On a metrics port
 * of its own, the monitoring rule names the port alone: see the comment in the function.)
 * @param dependents the services that depend on it (`catalogue.dependentsOf`)
 */
export function authorizationPolicyManifest(
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  dependents: readonly string[],
): Record<string, unknown> {
  const { namespace, kubernetes } = environment;
  const port = [String(spec.port)];
  const rules: Record<string, unknown>[] = [];
  if (dependents.length > 0)
    rules.push({
      from: [{ source: { principals: [...dependents].sort().map((d) => servicePrincipal(d, namespace)) } }],
      to: [{ operation: { ports: port } }],
    });
  if (spec.expose.kind === "public")
    rules.push({
      from: [{ source: { namespaces: [kubernetes.ingressNamespace] } }],
      to: [{ operation: { ports: port } }],
    });
  // On the service's port (the Service's "http", which Istio reads as HTTP), GET of the metrics
  // path only. On a metrics port of its own (the Service's "metrics", whose protocol Istio
  // guesses), the port alone: Prometheus's TLS does not carry Istio's ALPN, so Istio takes the
  // connection as TCP and ignores an ALLOW rule with HTTP-only fields (methods, paths), which
  // would refuse every scrape; that port serves the metrics alone.
  const sharedPort = spec.monitoring.metricsPort === spec.port;
  rules.push({
    from: [{ source: { namespaces: [kubernetes.monitoringNamespace] } }],
    to: [
      {
        operation: {
          ports: [String(spec.monitoring.metricsPort)],
          ...(sharedPort ? { methods: ["GET"], paths: [spec.monitoring.metricsPath] } : {}),
        },
      },
    ],
  });
  return {
    apiVersion: "security.istio.io/v1beta1",
    kind: "AuthorizationPolicy",
    metadata: { name: spec.name, namespace, labels: ownershipLabels(spec.name, environment.name) },
    spec: { selector: { matchLabels: selectorLabels(spec.name) }, action: "ALLOW", rules },
  };
}

/**
 * The `DestinationRule` of a service that has callers: Istio's mutual TLS to it, a
 * connection timeout no longer than the shortest caller's whole call, and outlier
 * detection from the callers' breakers. Istio applies a DestinationRule to every caller
 * alike, so the strictest caller's setting applies: the fewest failures, the shortest
 * ejection.
 */
export function destinationRuleManifest(
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  callers: readonly IstioCaller[],
): Record<string, unknown> {
  if (callers.length === 0) throw new Error(`${spec.name} has no callers: it gets no DestinationRule`);
  const smallest = (pick: (settings: DependencyCallSettings) => number) =>
    Math.min(...callers.map(({ settings }) => pick(settings)));
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "DestinationRule",
    metadata: {
      name: spec.name,
      namespace: environment.namespace,
      labels: ownershipLabels(spec.name, environment.name),
    },
    spec: {
      host: serviceHost(spec.name, environment.namespace),
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL" },
        connectionPool: { tcp: { connectTimeout: istioDuration(smallest((s) => s.timeoutMs)) } },
        outlierDetection: {
          // Gateway errors (502, 503, 504: what the proxy answers for a refused, reset or timed
          // out attempt), not every 5xx: the runtime's breaker counts attempts without an
          // answer, and a service's own 500 is an answer.
          consecutiveGatewayErrors: smallest((s) => s.breakerFailures),
          interval: OUTLIER_DETECTION_INTERVAL,
          baseEjectionTime: istioDuration(smallest((s) => s.breakerHalfOpenAfterMs)),
          maxEjectionPercent: OUTLIER_MAX_EJECTION_PERCENT,
        },
      },
    },
  };
}

/** The name of a caller's route of its idempotent methods in a {@link virtualServiceManifest}. */
export const idempotentRouteName = (caller: string): string => `${caller}-idempotent`;

/**
 * The `VirtualService` of a service that has callers: per caller (matched by its pods'
 * labels) a route of its retried methods (`retryMethods`, idempotent ones) with its
 * `retryAttempts`, and a route of its other methods without retries, both within its
 * `timeoutMs`; a last route, without retries or timeout, for any other client in the mesh
 * (its AuthorizationPolicy refuses those that are not allowed).
 */
export function virtualServiceManifest(
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  callers: readonly IstioCaller[],
): Record<string, unknown> {
  if (callers.length === 0) throw new Error(`${spec.name} has no callers: it gets no VirtualService`);
  const host = serviceHost(spec.name, environment.namespace);
  const route = [{ destination: { host, port: { number: spec.port } } }];
  const noRetries = { attempts: 0 };
  const http = callers.flatMap(({ name, settings }) => {
    const sourceLabels = selectorLabels(name);
    const timeout = istioDuration(settings.timeoutMs);
    const idempotent =
      settings.retryMethods.length > 0
        ? [
            {
              name: idempotentRouteName(name),
              match: [{ sourceLabels, method: { regex: `^(${settings.retryMethods.join("|")})$` } }],
              route,
              timeout,
              retries:
                settings.retryAttempts > 0 ? { attempts: settings.retryAttempts, retryOn: ISTIO_RETRY_ON } : noRetries,
            },
          ]
        : [];
    return [...idempotent, { name, match: [{ sourceLabels }], route, timeout, retries: noRetries }];
  });
  return {
    apiVersion: "networking.istio.io/v1beta1",
    kind: "VirtualService",
    metadata: {
      name: spec.name,
      namespace: environment.namespace,
      labels: ownershipLabels(spec.name, environment.name),
    },
    spec: { hosts: [host], http: [...http, { name: "others", route, retries: noRetries }] },
  };
}

/** Props of {@link IstioServicePolicies}. */
export interface IstioServicePoliciesProps {
  readonly spec: ServiceSpec;
  readonly environment: KubernetesEnvironment;
  /** The environment's catalogue: who calls the service, and how. */
  readonly catalogue: Catalogue;
}

/** One service's Istio objects (`<service>/mesh/...`): see {@link IstioPolicies}. */
export class IstioServicePolicies extends Construct {
  readonly authorizationPolicy: Manifest;
  /** Only for a service that has callers. */
  readonly destinationRule?: Manifest;
  /** Only for a service that has callers. */
  readonly virtualService?: Manifest;

  constructor(scope: Construct, id: string, props: IstioServicePoliciesProps) {
    super(scope, id);
    const { spec, environment, catalogue } = props;
    const callers = callersOf(catalogue, spec.name);
    this.authorizationPolicy = new Manifest(this, "authorization-policy", {
      manifest: authorizationPolicyManifest(
        spec,
        environment,
        callers.map(({ name }) => name),
      ),
    });
    if (callers.length === 0) return;
    this.destinationRule = new Manifest(this, "destination-rule", {
      manifest: destinationRuleManifest(spec, environment, callers),
    });
    this.virtualService = new Manifest(this, "virtual-service", {
      manifest: virtualServiceManifest(spec, environment, callers),
    });
  }
}

/** Props of {@link IstioPolicies}. */
export interface IstioPoliciesProps {
  readonly environment: KubernetesEnvironment;
  readonly catalogue: Catalogue;
  /** The platform's construct (the namespace's): the PeerAuthentication goes under it, `platform/mesh`. */
  readonly platform: NamespaceIsolation;
  /** The services' constructs, each with the service's name as id: each one's objects go under it, `<service>/mesh`. */
  readonly services: readonly Construct[];
}

/**
 * The Istio objects of an environment (see this file's first comment), each under the
 * construct it belongs to, so that its path names the service (or the platform).
 */
export class IstioPolicies {
  readonly peerAuthentication: Manifest;
  /** Each service's objects, by service name. */
  readonly services: ReadonlyMap<string, IstioServicePolicies>;

  constructor(props: IstioPoliciesProps) {
    const { environment, catalogue } = props;
    const namespaceWide = new Construct(props.platform, "mesh");
    this.peerAuthentication = new Manifest(namespaceWide, "peer-authentication", {
      manifest: peerAuthenticationManifest(environment.namespace),
      dependsOn: [props.platform.namespace],
    });
    this.services = new Map(
      props.services.map((service) => [
        service.node.id,
        new IstioServicePolicies(service, "mesh", { spec: catalogue.get(service.node.id), environment, catalogue }),
      ]),
    );
  }
}
