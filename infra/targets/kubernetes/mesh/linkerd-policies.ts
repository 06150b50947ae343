import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../../environments.js";
import type { MeshRetriedMethods } from "../../../mesh-settings.js";
import type { Catalogue, DependencyCallSettings, ServiceSpec } from "../../../spec/model.js";
import { ownershipLabels, selectorLabels } from "../../hardening.js";
import { Manifest } from "../resources.js";

/**
 * The Linkerd objects of one service (`PLATFORM_MESH=linkerd`), as read from Linkerd's own
 * policy controller at edge-26.8.3 (policy-controller/k8s/index, linkerd/linkerd2):
 * - inbound: a `Server` per port of the service's pods, and per group of callers a
 *   `MeshTLSAuthentication` and an `AuthorizationPolicy` on that Server. A port a Server
 *   selects no longer falls back to the namespace's default inbound policy: the Server's
 *   `accessPolicy` (default `deny`) applies, so only the authorizations below let anyone in.
 *   Kubelet probes stay allowed: a Server with no inbound HTTPRoute gets Linkerd's default
 *   probe routes, authorized from the probe networks (`http_routes` in inbound/index.rs), and
 *   the platform writes no inbound route.
 * - outbound: the `HTTPRoute`s whose parent is the service's Kubernetes Service, which every
 *   caller's proxy applies to its calls of this service (its timeouts and retries).
 */

/** Linkerd's policy API group. */
export const LINKERD_POLICY_GROUP = "policy.linkerd.io";

/** The identity domain of a Linkerd control plane in namespace `linkerd` with trust domain `cluster.local` (the defaults). */
export const LINKERD_IDENTITY_SUFFIX = "serviceaccount.identity.linkerd.cluster.local";

/**
 * Linkerd's retry condition the routes use (`retry.linkerd.io/http`, parsed by
 * `parse_http_retry`): gateway errors (502, 503, 504, what the proxy answers for an attempt
 * that got no answer), as the runtime retries only attempts without an answer; a service's
 * own 500 is an answer and is not retried (`5xx` would retry it).
 */
export const LINKERD_RETRY_CONDITION = "gateway-error";

/**
 * The path match of every request, written out on each match: the API server would default an
 * omitted path to it (the CRD's `default`), and Terraform then sees a field it did not write.
 */
const EVERY_PATH = { type: "PathPrefix", value: "/" } as const;

/** One object {@link LinkerdPolicies} hands to `kubernetes_manifest`, with its construct id (stable, from its role). */
export interface LinkerdObject {
  readonly id: string;
  readonly manifest: Record<string, unknown>;
}

/** The Kubernetes metadata of a service's Linkerd object. */
const metadataOf = (name: string, spec: ServiceSpec, environment: KubernetesEnvironment, annotations?: object) => ({
  name,
  namespace: environment.namespace,
  labels: ownershipLabels(spec.name, environment.name),
  ...(annotations === undefined ? {} : { annotations }),
});

/** The name of the Server in front of the service's metrics: its own when metrics have a port of their own. */
export function metricsServerName(spec: ServiceSpec): string {
  return spec.monitoring.metricsPort === spec.port ? spec.name : `${spec.name}-metrics`;
}

/**
 * A `policy.linkerd.io/v1beta3` Server: the pods of the service (`selectorLabels`), on the
 * container port named `port` (`http`, or `metrics`: Workload names them), spoken as HTTP/1
 * so that the proxy skips protocol detection (`proxyProtocol`, the `ProxyProtocol::Http1` of
 * policy/server.rs). `accessPolicy: deny`, the CRD's default written out: a client no
 * AuthorizationPolicy of this Server names is refused, whatever the namespace's default policy.
 */
export function linkerdServerManifest(
  name: string,
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  port: "http" | "metrics",
): Record<string, unknown> {
  return {
    apiVersion: "policy.linkerd.io/v1beta3",
    kind: "Server",
    metadata: metadataOf(name, spec, environment),
    spec: {
      podSelector: { matchLabels: selectorLabels(spec.name) },
      port,
      proxyProtocol: "HTTP/1",
      accessPolicy: "deny",
    },
  };
}

/**
 * A `policy.linkerd.io/v1alpha1` MeshTLSAuthentication: the mutually authenticated clients
 * it names. `identityRefs` of kind ServiceAccount resolve to each account's identity in the
 * object's namespace (`service_account_identity`, inbound/meshtls_authentication.rs);
 * `identities` are identity strings, where `*.` matches a whole namespace.
 */
export function meshTlsAuthenticationManifest(
  name: string,
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  clients: { readonly serviceAccounts: readonly string[] } | { readonly identities: readonly string[] },
): Record<string, unknown> {
  return {
    apiVersion: "policy.linkerd.io/v1alpha1",
    kind: "MeshTLSAuthentication",
    metadata: metadataOf(name, spec, environment),
    spec:
      "serviceAccounts" in clients
        ? {
            identityRefs: [...clients.serviceAccounts]
              .sort()
              .map((account) => ({ kind: "ServiceAccount", name: account })),
          }
        : { identities: [...clients.identities] },
  };
}

/**
 * A `policy.linkerd.io/v1alpha1` AuthorizationPolicy: the clients of one
 * MeshTLSAuthentication may reach one Server (every route of it: the target is the Server,
 * `Target::Server` of inbound/authorization_policy.rs).
 */
export function linkerdAuthorizationPolicyManifest(
  name: string,
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  server: string,
  authentication: string,
): Record<string, unknown> {
  return {
    apiVersion: "policy.linkerd.io/v1alpha1",
    kind: "AuthorizationPolicy",
    metadata: metadataOf(name, spec, environment),
    spec: {
      targetRef: { group: LINKERD_POLICY_GROUP, kind: "Server", name: server },
      requiredAuthenticationRefs: [
        { group: LINKERD_POLICY_GROUP, kind: "MeshTLSAuthentication", name: authentication },
      ],
    },
  };
}

/** The identity string of every service account of a namespace (`*.<namespace>.serviceaccount.identity.linkerd.cluster.local`). */
export function namespaceIdentity(namespace: string): string {
  return `*.${namespace}.${LINKERD_IDENTITY_SUFFIX}`;
}

/**
 * How every caller of a service is served by Linkerd, whose timeouts and retries belong to
 * the callee's route, not to a caller: the strictest caller's settings, so that no caller
 * waits or retries more than its own `resilience` says. `undefined` for a service nobody calls.
 */
export interface CalleeRouteSettings {
  /** The smallest `timeoutMs` of the callers: the whole call, retries included. */
  readonly timeoutMs: number;
  /** The fewest retries a caller allows; 0 retries nothing. */
  readonly retryAttempts: number;
  /** The methods every caller retries, sorted; none when the callers share none. */
  readonly retryMethods: readonly string[];
}

/** The strictest of the callers' settings for calls of `callee` (see {@link CalleeRouteSettings}). */
export function calleeRouteSettings(callee: string, catalogue: Catalogue): CalleeRouteSettings | undefined {
  const settings: DependencyCallSettings[] = catalogue
    .dependentsOf(callee)
    .map((caller) => catalogue.get(caller).resilience[callee]!);
  if (settings.length === 0) return undefined;
  return {
    timeoutMs: Math.min(...settings.map((s) => s.timeoutMs)),
    retryAttempts: Math.min(...settings.map((s) => s.retryAttempts)),
    retryMethods: settings
      .map((s) => s.retryMethods)
      .reduce((shared, methods) => shared.filter((method) => methods.includes(method)))
      .slice()
      .sort(),
  };
}

/**
 * The methods the callee's idempotent route retries for every caller: the callers' shared
 * retried methods when each allows a retry; none otherwise (no idempotent route).
 */
export function meshRetriedMethodsOf(settings: CalleeRouteSettings | undefined): readonly string[] {
  return settings !== undefined && settings.retryAttempts > 0 ? settings.retryMethods : [];
}

/**
 * Per dependency, the methods Linkerd retries of the calls to it ({@link meshRetriedMethodsOf}
 * its route settings), for `platformEnvironment`: the caller's runtime retries its other
 * methods, so that a caller whose retries the strictest setting leaves out still gets them, once.
 */
export function linkerdRetriedMethods(catalogue: Catalogue): MeshRetriedMethods {
  return (dependency) => meshRetriedMethodsOf(calleeRouteSettings(dependency, catalogue));
}

/**
 * The `policy.linkerd.io/v1beta3` HTTPRoutes of a called service, parented on its
 * Kubernetes Service and port (group `core`, `is_service` of outbound/index.rs), so every
 * caller's proxy applies them, with Linkerd's route annotations (read by `parse_timeouts`
 * and `parse_http_retry`, outbound/index.rs and index/http.rs; durations in whole `ms`):
 * - `<callee>`: every request (`PathPrefix /`), `timeout.linkerd.io/request` = the
 *   strictest caller's timeout, no retry;
 * - `<callee>-idempotent`, when the callers share retried methods and each allows a retry:
 *   those methods on every path (with equal paths, a method match is the more specific,
 *   Gateway API's precedence, so it wins over `<callee>`),
 *   the same request timeout, `retry.linkerd.io/http: gateway-error`, `retry.linkerd.io/limit` = the
 *   fewest retries a caller allows, and no per-attempt timeout (`retry.linkerd.io/timeout`
 *   would have Linkerd retry an attempt that ran out of time, which the runtime never does:
 *   a timed-out call has used the caller's deadline).
 * Linkerd reads `retry.linkerd.io/limit: "0"` as unset and then retries once when another
 * retry annotation is there: with no retry allowed, no retry annotation is written.
 */
export function linkerdRouteManifests(
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  settings: CalleeRouteSettings,
): LinkerdObject[] {
  const parentRefs = [{ group: "core", kind: "Service", name: spec.name, port: spec.port }];
  const timeout = { "timeout.linkerd.io/request": `${settings.timeoutMs}ms` };
  const route = (name: string, annotations: object, matches: object[]) => ({
    apiVersion: "policy.linkerd.io/v1beta3",
    kind: "HTTPRoute",
    metadata: metadataOf(name, spec, environment, annotations),
    spec: { parentRefs, rules: [{ matches }] },
  });
  const routes: LinkerdObject[] = [{ id: "route", manifest: route(spec.name, timeout, [{ path: EVERY_PATH }]) }];
  const retried = meshRetriedMethodsOf(settings);
  if (retried.length > 0)
    routes.push({
      id: "idempotent-route",
      manifest: route(
        `${spec.name}-idempotent`,
        {
          ...timeout,
          "retry.linkerd.io/http": LINKERD_RETRY_CONDITION,
          "retry.linkerd.io/limit": String(settings.retryAttempts),
        },
        retried.map((method) => ({ path: EVERY_PATH, method })),
      ),
    });
  return routes;
}

/**
 * Every Linkerd object of one service: its Servers, who may call it (its dependents'
 * service accounts, the ingress controller's namespace when public, the monitoring
 * namespace on the metrics port), and, when it is called, its routes. The callers are the
 * same `dependsOn` edges the NetworkPolicies are derived from (`catalogue.dependentsOf`).
 */
export function linkerdPolicyObjects(
  spec: ServiceSpec,
  environment: KubernetesEnvironment,
  catalogue: Catalogue,
): LinkerdObject[] {
  const { ingressNamespace, monitoringNamespace } = environment.kubernetes;
  const objects: LinkerdObject[] = [
    { id: "server", manifest: linkerdServerManifest(spec.name, spec, environment, "http") },
  ];
  const metricsServer = metricsServerName(spec);
  if (metricsServer !== spec.name)
    objects.push({
      id: "metrics-server",
      manifest: linkerdServerManifest(metricsServer, spec, environment, "metrics"),
    });
  const allow = (role: string, server: string, clients: Parameters<typeof meshTlsAuthenticationManifest>[3]) => {
    const name = `${spec.name}-${role}`;
    objects.push(
      { id: `${role}-authentication`, manifest: meshTlsAuthenticationManifest(name, spec, environment, clients) },
      {
        id: `${role}-authorization`,
        manifest: linkerdAuthorizationPolicyManifest(name, spec, environment, server, name),
      },
    );
  };
  const dependents = catalogue.dependentsOf(spec.name);
  if (dependents.length > 0) allow("callers", spec.name, { serviceAccounts: dependents });
  if (spec.expose.kind === "public") allow("ingress", spec.name, { identities: [namespaceIdentity(ingressNamespace)] });
  allow("monitoring", metricsServer, { identities: [namespaceIdentity(monitoringNamespace)] });
  const routeSettings = calleeRouteSettings(spec.name, catalogue);
  if (routeSettings !== undefined) objects.push(...linkerdRouteManifests(spec, environment, routeSettings));
  return objects;
}

/** Props of {@link LinkerdPolicies}. */
export interface LinkerdPoliciesProps {
  readonly spec: ServiceSpec;
  readonly environment: KubernetesEnvironment;
  /** The environment's catalogue: who calls the service, and how. */
  readonly catalogue: Catalogue;
}

/**
 * A service's Linkerd objects (see {@link linkerdPolicyObjects}), each a `kubernetes_manifest`
 * under `<env>/kubernetes/<service>/mesh/`. Beside the NetworkPolicies, not instead of them:
 * both are derived from the same edges.
 */
export class LinkerdPolicies extends Construct {
  readonly manifests: readonly Manifest[];

  constructor(scope: Construct, id: string, props: LinkerdPoliciesProps) {
    super(scope, id);
    this.manifests = linkerdPolicyObjects(props.spec, props.environment, props.catalogue).map(
      (object) => new Manifest(this, object.id, { manifest: object.manifest }),
    );
  }
}
