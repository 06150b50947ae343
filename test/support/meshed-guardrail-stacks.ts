import type { RenderedStack } from "./guardrails.js";

/**
 * Hand-written mesh objects of the example catalogue (gateway, public, calls orders and
 * catalog; orders calls catalog), as the service stack holds them when the environment's
 * mesh is Istio or Linkerd: the shapes of the mesh contract of issue 21, written here by
 * hand so that the MESH rules are tested on the objects the generator is meant to write,
 * not on whatever it writes.
 */

/** The mesh of a fixture. */
export type FixtureMesh = "istio" | "linkerd";

/** A service of the example catalogue as the mesh objects see it. */
interface MeshedService {
  readonly name: string;
  /** The services that call it, sorted. */
  readonly dependents: readonly string[];
  readonly public: boolean;
}

/** The example catalogue's services (test/support/platform.ts exampleServices). */
export const MESHED_SERVICES: readonly MeshedService[] = [
  { name: "catalog", dependents: ["gateway", "orders"], public: false },
  { name: "orders", dependents: ["gateway"], public: false },
  { name: "gateway", dependents: [], public: true },
];

const ENVIRONMENT = "staging";
const NAMESPACE = "platform-staging";
const INGRESS_NAMESPACE = "ingress-nginx";
const MONITORING_NAMESPACE = "monitoring";
const PORTS: Readonly<Record<string, number>> = { catalog: 8080, orders: 8081, gateway: 8082 };

const MANAGED = { "app.kubernetes.io/part-of": "platform", "app.kubernetes.io/managed-by": "cdktf" };
const ownership = (service: string) => ({
  "app.kubernetes.io/name": service,
  ...MANAGED,
  "platform.dev/environment": ENVIRONMENT,
});
const selectorLabels = (service: string) => ({ "app.kubernetes.io/name": service });

/** The logical id of a mesh object of a service (or of `platform`) in the fixture's JSON. */
export function meshObjectId(owner: string, part: string): string {
  return `kubernetes_${owner}_mesh_${part}`;
}

/** The address of a mesh object of the fixture, as a finding names it. */
export function meshObjectAddress(owner: string, part: string): string {
  return `kubernetes_manifest.${meshObjectId(owner, part)}`;
}

/** A `kubernetes_manifest` of the stack's JSON, under `<env>/kubernetes/<owner>/mesh/<part>`. */
function manifest(owner: string, part: string, body: Record<string, any>) {
  return [
    meshObjectId(owner, part),
    {
      "//": {
        metadata: { path: `${ENVIRONMENT}/kubernetes/${owner}/mesh/${part}`, uniqueId: meshObjectId(owner, part) },
      },
      manifest: body,
    },
  ] as const;
}

function istioObjects(): Array<readonly [string, Record<string, any>]> {
  const objects = [
    manifest("platform", "peer-authentication", {
      apiVersion: "security.istio.io/v1beta1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: NAMESPACE, labels: { ...MANAGED } },
      spec: { mtls: { mode: "STRICT" } },
    }),
  ];
  for (const { name, dependents, public: isPublic } of MESHED_SERVICES) {
    const port = String(PORTS[name]);
    const metadata = { name, namespace: NAMESPACE, labels: ownership(name) };
    const host = `${name}.${NAMESPACE}.svc.cluster.local`;
    const rules = [
      ...(dependents.length > 0
        ? [
            {
              from: [{ source: { principals: dependents.map((d) => `cluster.local/ns/${NAMESPACE}/sa/${d}`) } }],
              to: [{ operation: { ports: [port] } }],
            },
          ]
        : []),
      ...(isPublic
        ? [{ from: [{ source: { namespaces: [INGRESS_NAMESPACE] } }], to: [{ operation: { ports: [port] } }] }]
        : []),
      {
        from: [{ source: { namespaces: [MONITORING_NAMESPACE] } }],
        to: [{ operation: { ports: [port], methods: ["GET"], paths: ["/metrics"] } }],
      },
    ];
    objects.push(
      manifest(name, "authorization-policy", {
        apiVersion: "security.istio.io/v1beta1",
        kind: "AuthorizationPolicy",
        metadata,
        spec: { selector: { matchLabels: selectorLabels(name) }, action: "ALLOW", rules },
      }),
    );
    if (dependents.length === 0) continue;
    objects.push(
      manifest(name, "destination-rule", {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "DestinationRule",
        metadata,
        spec: {
          host,
          trafficPolicy: {
            tls: { mode: "ISTIO_MUTUAL" },
            connectionPool: { http: { http1MaxPendingRequests: 64, maxRequestsPerConnection: 0 } },
            outlierDetection: {
              consecutive5xxErrors: 5,
              interval: "10s",
              baseEjectionTime: "30s",
              maxEjectionPercent: 50,
            },
          },
        },
      }),
      manifest(name, "virtual-service", {
        apiVersion: "networking.istio.io/v1beta1",
        kind: "VirtualService",
        metadata,
        spec: {
          hosts: [host],
          http: dependents.map((caller) => ({
            match: [{ sourceLabels: selectorLabels(caller) }],
            route: [{ destination: { host } }],
            retries: { attempts: 2, perTryTimeout: "1s", retryOn: "5xx,reset,connect-failure" },
            timeout: "2s",
          })),
        },
      }),
    );
  }
  return objects;
}

function linkerdObjects(): Array<readonly [string, Record<string, any>]> {
  const objects: Array<readonly [string, Record<string, any>]> = [];
  const meshTls = (owner: string, name: string, spec: Record<string, any>) =>
    manifest(owner, `${name.slice(owner.length + 1)}-authentication`, {
      apiVersion: "policy.linkerd.io/v1alpha1",
      kind: "MeshTLSAuthentication",
      metadata: { name, namespace: NAMESPACE, labels: ownership(owner) },
      spec,
    });
  const authorization = (owner: string, name: string, server: string) =>
    manifest(owner, `${name.slice(owner.length + 1)}-authorization-policy`, {
      apiVersion: "policy.linkerd.io/v1alpha1",
      kind: "AuthorizationPolicy",
      metadata: { name, namespace: NAMESPACE, labels: ownership(owner) },
      spec: {
        targetRef: { group: "policy.linkerd.io", kind: "Server", name: server },
        requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name }],
      },
    });
  const identitiesOf = (namespace: string) => [`*.${namespace}.serviceaccount.identity.linkerd.cluster.local`];
  for (const { name, dependents, public: isPublic } of MESHED_SERVICES) {
    objects.push(
      manifest(name, "server", {
        apiVersion: "policy.linkerd.io/v1beta3",
        kind: "Server",
        metadata: { name, namespace: NAMESPACE, labels: ownership(name) },
        spec: { podSelector: { matchLabels: selectorLabels(name) }, port: "http", proxyProtocol: "HTTP/1" },
      }),
    );
    if (dependents.length > 0)
      objects.push(
        meshTls(name, `${name}-callers`, {
          identityRefs: dependents.map((dependent) => ({ kind: "ServiceAccount", name: dependent })),
        }),
        authorization(name, `${name}-callers`, name),
      );
    if (isPublic)
      objects.push(
        meshTls(name, `${name}-ingress`, { identities: identitiesOf(INGRESS_NAMESPACE) }),
        authorization(name, `${name}-ingress`, name),
      );
    // The example services serve their metrics on their one port: the monitoring policy targets the same Server.
    objects.push(
      meshTls(name, `${name}-monitoring`, { identities: identitiesOf(MONITORING_NAMESPACE) }),
      authorization(name, `${name}-monitoring`, name),
    );
  }
  return objects;
}

/**
 * Puts a mesh on a rendered service stack of the example catalogue (staging): the
 * namespace's injection switch, the data pods' opt-out, and every mesh object.
 */
export function withMesh(json: RenderedStack, mesh: FixtureMesh): void {
  const [namespace] = Object.values(json.resource.kubernetes_namespace_v1 ?? {});
  if (namespace === undefined) throw new Error("the stack has no namespace to mesh");
  if (mesh === "istio") namespace.metadata.labels = { ...namespace.metadata.labels, "istio-injection": "enabled" };
  else
    namespace.metadata.annotations = {
      ...namespace.metadata.annotations,
      "linkerd.io/inject": "enabled",
      "config.linkerd.io/default-inbound-policy": "all-authenticated",
    };
  json.resource.kubernetes_manifest = {
    ...json.resource.kubernetes_manifest,
    ...Object.fromEntries(mesh === "istio" ? istioObjects() : linkerdObjects()),
  };
}

/** The logical id of the data StatefulSet {@link withDataPods} adds. */
export const DATA_STATEFUL_SET = "kubernetes_catalog_backing-services_cache_stateful-set";

/**
 * Adds a Redis StatefulSet of catalog whose pods opt out of the mesh as the platform's
 * data pods do (or, with `optOut: false`, do not).
 */
export function withDataPods(json: RenderedStack, mesh: FixtureMesh, optOut = true): void {
  const podLabels = { ...ownership("catalog-cache"), "platform.dev/backing-service": "catalog-cache" };
  const metadata =
    mesh === "istio"
      ? { labels: { ...podLabels, ...(optOut ? { "sidecar.istio.io/inject": "false" } : {}) } }
      : { labels: podLabels, annotations: optOut ? { "linkerd.io/inject": "disabled" } : {} };
  json.resource.kubernetes_stateful_set_v1 = {
    ...json.resource.kubernetes_stateful_set_v1,
    [DATA_STATEFUL_SET]: {
      "//": { metadata: { path: `${ENVIRONMENT}/kubernetes/catalog/backing-services/cache/stateful-set` } },
      metadata: { name: "catalog-cache", namespace: NAMESPACE, labels: podLabels },
      spec: {
        selector: { match_labels: { "app.kubernetes.io/name": "catalog-cache" } },
        template: {
          metadata,
          spec: { container: [{ name: "redis", port: [{ container_port: 6379, name: "redis" }] }] },
        },
      },
    },
  };
}
