import {
  addAmounts,
  NO_AMOUNTS,
  parseCpuMillis,
  parseMemoryMiB,
  type ResourceAmounts,
} from "../../infra/spec/quantity.js";
import { BACKING_SERVICE_LABEL } from "../../infra/spec/backing-services.js";
import { selectorLabels } from "../../infra/targets/hardening.js";
import {
  readMeshManifest,
  readMeshNamespace,
  readMeshPodTemplate,
  type MeshContext,
  type MeshFacts,
} from "./mesh-facts.js";
import type { ConfigBlock, StackSnapshot } from "./stack-snapshot.js";
import { labelsAt, objectsAt, scalarAt, stringsAt, valueAt, type JsonObject } from "./values.js";

/**
 * What a resource says about its service, read by one reader per resource type:
 * the image it runs, its replicas and the cpu and memory they request, whom it may
 * call and who may call it, and what it exposes, and what its service mesh objects let in
 * and protect (mesh-facts.ts). The diff
 * compares these facts between the two sides to write each service's summary line
 * and to find the risks. A type without a reader contributes no facts; its changes
 * still show attribute by attribute.
 */

/** A destination outside the services: a CIDR (or a network) and the ports allowed to it. */
export interface EgressFact {
  /** `203.0.113.0/24`, or a description like `outside network platform-local-outside` (a Docker network that is not internal). */
  readonly destination: string;
  /** `443/TCP`, or `all`. */
  readonly ports: readonly string[];
}

/** The facts one resource contributes; every field is optional. */
export interface ResourceFacts extends MeshFacts {
  readonly images?: readonly string[];
  /** What one pod requests (the sum of its containers). */
  readonly podRequests?: ResourceAmounts;
  /** A replica count fixed in the workload itself. */
  readonly fixedReplicas?: number;
  /** An autoscaler's bounds. */
  readonly autoscaler?: { readonly min: number; readonly max: number };
  /** One running replica with these limits (Docker has no requests). */
  readonly replicaLimits?: ResourceAmounts;
  /** Services this one may call. */
  readonly calls?: readonly string[];
  /** Services that may call this one. */
  readonly calledBy?: readonly string[];
  readonly egress?: readonly EgressFact[];
  /** Sources other than services that may connect: namespaces, address blocks, anyone. */
  readonly inbound?: readonly string[];
  /** Ways in from outside the platform: public hosts, published ports, node ports. */
  readonly endpoints?: readonly string[];
}

/** What a reader may look up besides its own resource. */
export interface ReaderContext extends MeshContext {
  readonly stack: StackSnapshot;
  /** A Docker network block by its `name` attribute. */
  dockerNetwork(name: string): ConfigBlock | undefined;
  /** The service that owns a backing service, by the backing service's name (`orders-db` -> `orders`). */
  backingServiceOwner(name: string): string | undefined;
}

/** Reads the facts of one resource type. */
export type ResourceReader = (block: ConfigBlock, context: ReaderContext) => ResourceFacts;

/** The label that names a service's pods (`app.kubernetes.io/name`), as the targets set it. */
const SERVICE_LABEL = Object.keys(selectorLabels("service"))[0]!;
/** The label by which CloudNativePG selects a database's pods: the Cluster's name. */
const CNPG_CLUSTER_LABEL = "cnpg.io/cluster";
/** The label the Docker target puts on an edge network: `<caller>-><callee>` (infra/targets/docker/network-rules.ts). */
const DOCKER_EDGE_LABEL = "platform.dev/edge";

/** The readers, by resource type. */
export const RESOURCE_READERS: Readonly<Record<string, ResourceReader>> = {
  kubernetes_deployment_v1: readKubernetesWorkload,
  kubernetes_deployment: readKubernetesWorkload,
  kubernetes_stateful_set_v1: readKubernetesWorkload,
  kubernetes_horizontal_pod_autoscaler_v2: readAutoscaler,
  kubernetes_horizontal_pod_autoscaler_v1: readAutoscaler,
  kubernetes_network_policy_v1: readNetworkPolicy,
  kubernetes_ingress_v1: readIngress,
  kubernetes_service_v1: readKubernetesService,
  kubernetes_manifest: readMeshManifest,
  kubernetes_namespace_v1: readMeshNamespace,
  kubernetes_namespace: readMeshNamespace,
  docker_container: readDockerContainer,
};

/** The facts of one block, or none when no reader knows its type. */
export function readFacts(block: ConfigBlock, context: ReaderContext): ResourceFacts {
  const reader = block.kind === "resource" ? RESOURCE_READERS[block.type] : undefined;
  return reader ? reader(block, context) : {};
}

// ---------------------------------------------------------------------------- Kubernetes

/**
 * A Deployment or StatefulSet: its images, host ports, and, for a service's own workload,
 * what one pod requests and a fixed replica count. A backing service's workload (labelled
 * {@link BACKING_SERVICE_LABEL}, like a Redis StatefulSet) gives only its images and host
 * ports: its pods do not scale with the service's autoscaler, so they are not the service's
 * replicas (as the CloudNativePG and RabbitMQ clusters, read by no reader, are not).
 */
function readKubernetesWorkload(block: ConfigBlock): ResourceFacts {
  const spec = block.values.spec;
  const backingService = labelsAt(block.values.metadata, "labels")[BACKING_SERVICE_LABEL] !== undefined;
  const pod = valueAt(spec, "template.spec");
  const containers = objectsAt(pod, "container");
  const allContainers = [...containers, ...objectsAt(pod, "init_container")];
  const requests = containers.map((c) => ({
    cpuMillis: cpuMillisOf(scalarAt(c, "resources.requests.cpu")),
    memoryMiB: memoryMiBOf(scalarAt(c, "resources.requests.memory")),
  }));
  const replicas = scalarAt(spec, "replicas");
  const hostPorts = allContainers.flatMap((c) =>
    objectsAt(c, "port")
      .map((p) => scalarAt(p, "host_port"))
      .filter((p): p is string => p !== undefined && p !== "0"),
  );
  const images = allContainers.map((c) => scalarAt(c, "image")).filter((i): i is string => i !== undefined);
  const endpoints = hostPorts.map((port) => `host port ${port} on every node running a pod`);
  if (backingService) return { images, endpoints };
  return {
    // A service's own opt-out of the mesh (a data pod's opt-out is the platform's, and not read).
    ...readMeshPodTemplate(block),
    images,
    podRequests: requests.reduce(addAmounts, NO_AMOUNTS),
    fixedReplicas: replicas !== undefined && /^\d+$/.test(replicas) ? Number(replicas) : undefined,
    endpoints,
  };
}

function readAutoscaler(block: ConfigBlock): ResourceFacts {
  const spec = block.values.spec;
  const min = Number(scalarAt(spec, "min_replicas") ?? 1);
  const max = Number(scalarAt(spec, "max_replicas") ?? min);
  return { autoscaler: { min, max } };
}

/**
 * A NetworkPolicy's edges, inbound sources and egress. A peer that selects a backing
 * service's pods stands for the service that owns it, as on Docker: a service reaching
 * another's data calls that service, and a service reaching its own data (or a backing
 * service its own pods) is no edge.
 */
function readNetworkPolicy(block: ConfigBlock, context: ReaderContext): ResourceFacts {
  const spec = block.values.spec;
  const serviceOf = (peer: JsonObject) => serviceOfPeer(peer, context);
  const calls: string[] = [];
  const calledBy: string[] = [];
  const egress: EgressFact[] = [];
  const inbound: string[] = [];
  for (const rule of objectsAt(spec, "ingress")) {
    const ports = portsOf(rule);
    const peers = objectsAt(rule, "from");
    if (peers.length === 0) inbound.push(`anyone${onPorts(ports)}`);
    for (const peer of peers) {
      const service = serviceOf(peer);
      if (service !== undefined) {
        if (service !== block.owner) calledBy.push(service);
      } else inbound.push(`${describePeer(peer)}${onPorts(ports)}`);
    }
  }
  for (const rule of objectsAt(spec, "egress")) {
    const ports = portsOf(rule);
    const peers = objectsAt(rule, "to");
    if (peers.length === 0) egress.push({ destination: "anywhere", ports });
    for (const peer of peers) {
      const service = serviceOf(peer);
      if (service !== undefined) {
        if (service !== block.owner) calls.push(service);
      } else egress.push({ destination: describePeer(peer), ports });
    }
  }
  return { calls, calledBy, egress, inbound };
}

/**
 * The service a policy peer selects, in the same namespace: pods by the service label, or a
 * backing service's pods (by that label or CloudNativePG's) standing for the service that owns it.
 */
function serviceOfPeer(peer: JsonObject, context: ReaderContext): string | undefined {
  if (valueAt(peer, "namespace_selector") !== undefined || valueAt(peer, "ip_block") !== undefined) return undefined;
  const labels = labelsAt(peer, "pod_selector.match_labels");
  const keys = Object.keys(labels);
  if (keys.length !== 1) return undefined;
  if (keys[0] === SERVICE_LABEL) return context.backingServiceOwner(labels[SERVICE_LABEL]!) ?? labels[SERVICE_LABEL];
  if (keys[0] === CNPG_CLUSTER_LABEL) return context.backingServiceOwner(labels[CNPG_CLUSTER_LABEL]!);
  return undefined;
}

function describePeer(peer: JsonObject): string {
  const block = valueAt(peer, "ip_block");
  if (block !== undefined) {
    const except = stringsAt(block, "except");
    return `${scalarAt(block, "cidr")}${except.length ? ` except ${except.join(", ")}` : ""}`;
  }
  const parts: string[] = [];
  if (valueAt(peer, "namespace_selector") !== undefined)
    parts.push(`namespace ${describeSelector(valueAt(peer, "namespace_selector"), "any")}`);
  if (valueAt(peer, "pod_selector") !== undefined)
    parts.push(`pods ${describeSelector(valueAt(peer, "pod_selector"), "any pod")}`);
  return parts.join(", ") || "anyone";
}

function describeSelector(selector: unknown, whenEmpty: string): string {
  const labels = labelsAt(selector, "match_labels");
  const name = labels["kubernetes.io/metadata.name"];
  const rendered =
    name !== undefined && Object.keys(labels).length === 1
      ? name
      : Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
  const expressions = objectsAt(selector, "match_expressions").map((e) =>
    `${scalarAt(e, "key")} ${scalarAt(e, "operator")} ${stringsAt(e, "values").join("|")}`.trim(),
  );
  return [rendered, ...expressions].filter(Boolean).join(",") || whenEmpty;
}

function portsOf(rule: JsonObject): string[] {
  const ports = objectsAt(rule, "ports").map(
    (p) =>
      `${scalarAt(p, "port") ?? "all"}${scalarAt(p, "end_port") ? `-${scalarAt(p, "end_port")}` : ""}/${scalarAt(p, "protocol") ?? "TCP"}`,
  );
  return ports.length > 0 ? ports : ["all"];
}

function onPorts(ports: readonly string[]): string {
  return ports.length === 1 && ports[0] === "all" ? "" : ` on ${ports.join(", ")}`;
}

function readIngress(block: ConfigBlock): ResourceFacts {
  const spec = block.values.spec;
  const tlsHosts = new Set(objectsAt(spec, "tls").flatMap((t) => stringsAt(t, "hosts")));
  const endpoints: string[] = [];
  for (const rule of objectsAt(spec, "rule")) {
    const host = scalarAt(rule, "host") ?? "*";
    const scheme = tlsHosts.has(host) ? "https" : "http";
    const paths = objectsAt(rule, "http.path").map((p) => scalarAt(p, "path") ?? "/");
    for (const p of paths.length ? paths : ["/"]) endpoints.push(`${scheme}://${host}${p}`);
  }
  if (valueAt(spec, "default_backend") !== undefined) endpoints.push("ingress default backend (any host)");
  return { endpoints };
}

function readKubernetesService(block: ConfigBlock): ResourceFacts {
  const spec = block.values.spec;
  const type = scalarAt(spec, "type") ?? "ClusterIP";
  const endpoints: string[] = [];
  if (type === "NodePort" || type === "LoadBalancer") endpoints.push(`Service type ${type}`);
  for (const ip of stringsAt(spec, "external_ips")) endpoints.push(`external IP ${ip}`);
  return { endpoints };
}

// ---------------------------------------------------------------------------- Docker

function readDockerContainer(block: ConfigBlock, context: ReaderContext): ResourceFacts {
  const values = block.values;
  const image = scalarAt(values, "image");
  const calls: string[] = [];
  const calledBy: string[] = [];
  const egress: EgressFact[] = [];
  for (const name of stringsAt(values, "networks_advanced.name")) {
    const network = context.dockerNetwork(name);
    const labels = network ? labelsAt(network.values, "labels") : {};
    const edge = labels[DOCKER_EDGE_LABEL];
    const [caller, callee] = edge?.split("->") ?? [];
    // A backing service's network, labelled with its owner: another service joining it reads the owner's data (`uses`).
    const dataOwner = labels[BACKING_SERVICE_LABEL] !== undefined ? labels["app.kubernetes.io/name"] : undefined;
    if (caller !== undefined && callee !== undefined) {
      if (caller === block.owner) calls.push(callee);
      else if (callee === block.owner) calledBy.push(caller);
    } else if (dataOwner !== undefined) {
      if (dataOwner !== block.owner) calls.push(dataOwner);
    } else if (network !== undefined && valueAt(network.values, "internal") !== true) {
      egress.push({ destination: `outside network ${name}`, ports: ["all"] });
    }
  }
  const endpoints = objectsAt(values, "ports").map((p) => {
    const ip = scalarAt(p, "ip") ?? "0.0.0.0";
    return `${ip === "0.0.0.0" ? "every interface (0.0.0.0)" : ip}:${scalarAt(p, "external") ?? "random"} -> ${scalarAt(p, "internal")}/${scalarAt(p, "protocol") ?? "tcp"}`;
  });
  if (valueAt(values, "publish_all_ports") === true) endpoints.push("every exposed port, on every interface");

  // A backing service's container (its data) is no replica of the service, as on Kubernetes.
  const backingService = labelsAt(values, "labels")[BACKING_SERVICE_LABEL] !== undefined;
  return {
    images: image !== undefined ? [resolveDockerImage(image, context)] : [],
    replicaLimits: backingService
      ? undefined
      : { cpuMillis: cpuMillisOf(scalarAt(values, "cpus")), memoryMiB: Number(scalarAt(values, "memory") ?? 0) },
    calls,
    calledBy,
    egress,
    endpoints,
  };
}

/** `${docker_image.x.image_id}` -> the name of that image resource (`platform-local/orders:1.2.0`). */
function resolveDockerImage(image: string, context: ReaderContext): string {
  const reference = /^\$\{(docker_image\.[^.}]+)\.[a-z_]+\}$/.exec(image);
  if (!reference) return image;
  const name = scalarAt(context.stack.blocks.get(reference[1]!)?.values, "name");
  return name ?? image;
}

// ---------------------------------------------------------------------------- shared

/** A cpu quantity in millicores; 0 when absent or not a quantity. */
function cpuMillisOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const millis = parseCpuMillis(value) ?? Math.round(Number.parseFloat(value) * 1000);
  return Number.isFinite(millis) ? millis : 0;
}

const DECIMAL_MEMORY = /^(\d+(?:\.\d+)?)(k|M|G|T)?$/;

/** A memory quantity in MiB (binary or decimal suffixes, or bytes); 0 when absent. */
function memoryMiBOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const binary = parseMemoryMiB(value);
  if (binary !== undefined) return binary;
  const match = DECIMAL_MEMORY.exec(value);
  if (!match) return 0;
  const bytes = Number(match[1]) * { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[match[2] ?? ""]!;
  return bytes / (1024 * 1024);
}
