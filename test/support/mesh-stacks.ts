import type { StackJson } from "../../infra/guardrails/synthesized-stack.js";
import type { MeshName } from "../../infra/mesh-settings.js";
import { ownershipLabels, PLATFORM_MANAGED_LABELS, selectorLabels } from "../../infra/targets/hardening.js";

/**
 * Hand-written synthesized service stacks (`cdk.tf.json`) with the service mesh objects
 * of issue 21, in the shapes the helpers agreed on (every object a `kubernetes_manifest`
 * in the environment's namespace; a service's under `<env>/kubernetes/<service>/mesh/`,
 * the namespace-wide ones under `<env>/kubernetes/platform/mesh/`), for the infra:diff
 * tests until the platform synthesizes them itself. Only what the diff reads is there:
 * the namespace, a service account per service (so that a service exists apart from its
 * mesh objects) and the mesh objects.
 */

/** A service of the fixture catalogue. */
export interface MeshService {
  readonly name: string;
  readonly port: number;
  /** Its own metrics port, or undefined when metrics are served on `port`. */
  readonly metricsPort?: number;
  /** The services that depend on it (call it). */
  readonly dependents: readonly string[];
  readonly public: boolean;
}

/** gateway (public, its metrics on a port of their own) and reports call orders, and orders calls catalog. */
export const MESH_SERVICES: readonly MeshService[] = [
  { name: "catalog", port: 8080, dependents: ["orders"], public: false },
  { name: "gateway", port: 8082, metricsPort: 9090, dependents: [], public: true },
  { name: "orders", port: 8081, dependents: ["gateway", "reports"], public: false },
  { name: "reports", port: 8083, dependents: [], public: false },
];

const INGRESS_NAMESPACE = "ingress-nginx";
const MONITORING_NAMESPACE = "monitoring";
const METRICS_PATH = "/metrics";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** A stack JSON whose resources are mutable, for a test to change as a pull request would. */
export type MeshStackJson = StackJson & { resource: Resources };

/** The synthesized service stack of `environment` with `mesh`. */
export function meshStack(environment: string, mesh: MeshName, services = MESH_SERVICES): MeshStackJson {
  const namespace = `platform-${environment}`;
  const resource: Resources = {};
  let counter = 0;
  const add = (type: string, path: string, values: Record<string, unknown>) => {
    const segments = path.split("/").slice(1);
    const hash = (0x10000000 + counter++).toString(16).toUpperCase();
    const name = `${segments.join("_")}_${hash}`;
    resource[type] ??= {};
    resource[type]![name] = { "//": { metadata: { path, uniqueId: name } }, ...values };
  };
  const manifest = (owner: string | null, id: string, apiVersion: string, kind: string, name: string, spec: unknown) =>
    add("kubernetes_manifest", `${environment}/kubernetes/${owner ?? "platform"}/mesh/${id}`, {
      manifest: {
        apiVersion,
        kind,
        metadata: {
          name,
          namespace,
          labels: owner ? ownershipLabels(owner, environment) : { ...PLATFORM_MANAGED_LABELS },
        },
        spec,
      },
    });

  const labels: Record<string, string> = {
    ...PLATFORM_MANAGED_LABELS,
    "platform.dev/environment": environment,
    "pod-security.kubernetes.io/enforce": "restricted",
  };
  if (mesh === "istio") labels["istio-injection"] = "enabled";
  const annotations =
    mesh === "linkerd"
      ? { "linkerd.io/inject": "enabled", "config.linkerd.io/default-inbound-policy": "all-authenticated" }
      : undefined;
  add("kubernetes_namespace_v1", `${environment}/kubernetes/platform/namespace`, {
    metadata: { name: namespace, labels, ...(annotations ? { annotations } : {}) },
  });
  for (const service of services)
    add("kubernetes_service_account_v1", `${environment}/kubernetes/${service.name}/workload/service-account`, {
      metadata: { name: service.name, namespace, labels: ownershipLabels(service.name, environment) },
      automount_service_account_token: false,
    });

  if (mesh === "istio") {
    manifest(null, "peer-authentication", "security.istio.io/v1beta1", "PeerAuthentication", "default", {
      mtls: { mode: "STRICT" },
    });
    for (const service of services) {
      const port = String(service.port);
      const rules: unknown[] = [];
      if (service.dependents.length)
        rules.push({
          from: [
            {
              source: {
                principals: [...service.dependents].sort().map((d) => `cluster.local/ns/${namespace}/sa/${d}`),
              },
            },
          ],
          to: [{ operation: { ports: [port] } }],
        });
      if (service.public)
        rules.push({
          from: [{ source: { namespaces: [INGRESS_NAMESPACE] } }],
          to: [{ operation: { ports: [port] } }],
        });
      rules.push({
        from: [{ source: { namespaces: [MONITORING_NAMESPACE] } }],
        to: [
          {
            operation: {
              ports: [String(service.metricsPort ?? service.port)],
              methods: ["GET"],
              paths: [METRICS_PATH],
            },
          },
        ],
      });
      manifest(service.name, "authorization-policy", "security.istio.io/v1beta1", "AuthorizationPolicy", service.name, {
        selector: { matchLabels: selectorLabels(service.name) },
        action: "ALLOW",
        rules,
      });
      if (service.dependents.length === 0) continue;
      const host = `${service.name}.${namespace}.svc.cluster.local`;
      manifest(service.name, "destination-rule", "networking.istio.io/v1beta1", "DestinationRule", service.name, {
        host,
        trafficPolicy: {
          tls: { mode: "ISTIO_MUTUAL" },
          connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100 } },
          outlierDetection: {
            consecutive5xxErrors: 5,
            interval: "10s",
            baseEjectionTime: "30s",
            maxEjectionPercent: 50,
          },
        },
      });
      manifest(service.name, "virtual-service", "networking.istio.io/v1beta1", "VirtualService", service.name, {
        hosts: [host],
        http: [...service.dependents].sort().map((caller) => ({
          match: [{ sourceLabels: selectorLabels(caller) }],
          route: [{ destination: { host } }],
          retries: { attempts: 0 },
          timeout: "2s",
        })),
      });
    }
  }

  if (mesh === "linkerd") {
    const identity = (ns: string) => `*.${ns}.serviceaccount.identity.linkerd.cluster.local`;
    const server = (service: MeshService, name: string, port: string) =>
      manifest(service.name, `server-${port}`, "policy.linkerd.io/v1beta3", "Server", name, {
        podSelector: { matchLabels: selectorLabels(service.name) },
        port,
        proxyProtocol: "HTTP/1",
      });
    const authorize = (
      service: MeshService,
      suffix: string,
      serverName: string,
      identities: Record<string, unknown>,
    ) => {
      const name = `${service.name}-${suffix}`;
      manifest(
        service.name,
        `${suffix}-authentication`,
        "policy.linkerd.io/v1alpha1",
        "MeshTLSAuthentication",
        name,
        identities,
      );
      manifest(service.name, `${suffix}-authorization`, "policy.linkerd.io/v1alpha1", "AuthorizationPolicy", name, {
        targetRef: { group: "policy.linkerd.io", kind: "Server", name: serverName },
        requiredAuthenticationRefs: [{ group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name }],
      });
    };
    for (const service of services) {
      server(service, service.name, "http");
      const metricsServer = service.metricsPort !== undefined ? `${service.name}-metrics` : service.name;
      if (service.metricsPort !== undefined) server(service, metricsServer, "metrics");
      if (service.dependents.length)
        authorize(service, "callers", service.name, {
          identityRefs: [...service.dependents].sort().map((d) => ({ kind: "ServiceAccount", name: d })),
        });
      if (service.public) authorize(service, "ingress", service.name, { identities: [identity(INGRESS_NAMESPACE)] });
      authorize(service, "monitoring", metricsServer, { identities: [identity(MONITORING_NAMESPACE)] });
    }
  }
  return { resource };
}

/** A deep copy of a stack, for a test to change. */
export function copyStack(stack: MeshStackJson): MeshStackJson {
  return structuredClone(stack);
}

/** The `manifest` of the stack's object of this kind and name, to change in place. */
export function manifestIn(stack: MeshStackJson, kind: string, name: string): Record<string, any> {
  const found = Object.values(stack.resource.kubernetes_manifest ?? {}).find((r) => {
    const m = r.manifest as { kind: string; metadata: { name: string } };
    return m.kind === kind && m.metadata.name === name;
  });
  if (!found) throw new Error(`no ${kind} ${name} in the stack`);
  return found.manifest as Record<string, any>;
}

/** Removes the stack's object of this kind and name. */
export function withoutManifest(stack: MeshStackJson, kind: string, name: string): MeshStackJson {
  const manifests = stack.resource.kubernetes_manifest ?? {};
  for (const [address, r] of Object.entries(manifests)) {
    const m = r.manifest as { kind: string; metadata: { name: string } };
    if (m.kind === kind && m.metadata.name === name) delete manifests[address];
  }
  return stack;
}

/** The namespace's metadata, to change in place. */
export function namespaceIn(stack: MeshStackJson): {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
} {
  return Object.values(stack.resource.kubernetes_namespace_v1!)[0]!.metadata as {
    labels: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/** Adds a copy of the stack's object of this kind and name, renamed and changed (a second policy a pull request writes). */
export function withCopyOf(
  stack: MeshStackJson,
  kind: string,
  name: string,
  newName: string,
  change: (manifest: Record<string, any>) => void,
): MeshStackJson {
  const manifests = stack.resource.kubernetes_manifest!;
  const [address, original] = Object.entries(manifests).find(([, r]) => {
    const m = r.manifest as { kind: string; metadata: { name: string } };
    return m.kind === kind && m.metadata.name === name;
  })!;
  const copy = structuredClone(original);
  const manifest = copy.manifest as Record<string, any>;
  manifest.metadata.name = newName;
  change(manifest);
  const newAddress = address.replace(/_[0-9A-F]{8}$/, `-${newName}_0FFFFFFF`);
  (copy["//"] as { metadata: { path: string } }).metadata.path += `-${newName}`;
  manifests[newAddress] = copy;
  return stack;
}

/**
 * A Terraform plan (`terraform show -json`) that takes an environment from one stack to
 * another, as `terraform plan` would print it for resources already applied: every
 * resource of either side, created, updated, deleted or left alone.
 */
export function planBetween(before: MeshStackJson, after: MeshStackJson): Record<string, unknown> {
  const values = (raw: Record<string, unknown> | undefined) => {
    if (raw === undefined) return null;
    const { "//": _metadata, ...rest } = raw;
    return rest;
  };
  const resource_changes: unknown[] = [];
  for (const type of new Set([...Object.keys(before.resource), ...Object.keys(after.resource)]))
    for (const name of new Set([
      ...Object.keys(before.resource[type] ?? {}),
      ...Object.keys(after.resource[type] ?? {}),
    ])) {
      const was = values(before.resource[type]?.[name]);
      const is = values(after.resource[type]?.[name]);
      const actions =
        was === null
          ? ["create"]
          : is === null
            ? ["delete"]
            : JSON.stringify(was) === JSON.stringify(is)
              ? ["no-op"]
              : ["update"];
      resource_changes.push({
        address: `${type}.${name}`,
        mode: "managed",
        type,
        name,
        change: { actions, before: was, after: is, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
      });
    }
  return { format_version: "1.2", terraform_version: "1.13.0", resource_changes };
}
