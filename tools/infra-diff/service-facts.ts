import { addAmounts, multiplyAmounts, NO_AMOUNTS, type ResourceAmounts } from "../../infra/spec/quantity.js";
import type { MeshGrant, MeshGuard, MeshProtection } from "./mesh-facts.js";
import { readFacts, type ReaderContext } from "./resource-facts.js";
import type { ConfigBlock, StackSnapshot } from "./stack-snapshot.js";
import { BACKING_SERVICE_LABEL } from "../../infra/spec/backing-services.js";
import { labelsAt, scalarAt } from "./values.js";

/** Everything the readers found about one service (or the platform) in one environment. */
export interface ServiceFacts {
  readonly images: Set<string>;
  podRequests?: ResourceAmounts;
  fixedReplicas?: number;
  autoscaler?: { readonly min: number; readonly max: number };
  /** One entry per running container (Docker). */
  readonly replicaLimits: ResourceAmounts[];
  readonly calls: Set<string>;
  readonly calledBy: Set<string>;
  /** Destination -> allowed ports. */
  readonly egress: Map<string, Set<string>>;
  readonly inbound: Set<string>;
  readonly endpoints: Set<string>;
  /** Who its mesh authorization objects let in, to what. */
  readonly meshGrants: MeshGrant[];
  /** The targets its mesh objects guard (only their grants get in). */
  readonly meshGuards: MeshGuard[];
  /** Its settings that protect traffic, by what they are (`Istio PeerAuthentication default: mtls.mode`). */
  readonly meshProtections: Map<string, MeshProtection>;
}

/** How many replicas run, and what each requests (or, without requests, is limited to). */
export interface Capacity {
  readonly replicas: { readonly min: number; readonly max: number };
  /** `request` on Kubernetes, `limit` on Docker, which has no requests. */
  readonly basis: "request" | "limit";
  readonly perReplica: ResourceAmounts;
  readonly atMin: ResourceAmounts;
  readonly atMax: ResourceAmounts;
}

function emptyFacts(): ServiceFacts {
  return {
    images: new Set(),
    replicaLimits: [],
    calls: new Set(),
    calledBy: new Set(),
    egress: new Map(),
    inbound: new Set(),
    endpoints: new Set(),
    meshGrants: [],
    meshGuards: [],
    meshProtections: new Map(),
  };
}

/** The facts of every owner (service or platform) of a stack, by owner. */
export function factsOfStack(stack: StackSnapshot): Map<string, ServiceFacts> {
  let networksByName: Map<string, ConfigBlock> | undefined;
  let ownersOfBackingServices: Map<string, string> | undefined;
  let manifestsByKindAndName: Map<string, ConfigBlock> | undefined;
  const context: ReaderContext = {
    stack,
    backingServiceOwner(name) {
      // Each backing service's resources carry its name in BACKING_SERVICE_LABEL (a manifest in its manifest's metadata).
      ownersOfBackingServices ??= new Map(
        [...stack.blocks.values()].flatMap((b) => {
          const labels = {
            ...labelsAt(b.values, "metadata.labels"),
            ...labelsAt(b.values, "manifest.metadata.labels"),
          };
          const backingService = labels[BACKING_SERVICE_LABEL];
          return backingService !== undefined ? [[backingService, b.owner] as const] : [];
        }),
      );
      return ownersOfBackingServices.get(name);
    },
    manifest(kind, name) {
      manifestsByKindAndName ??= new Map(
        [...stack.blocks.values()]
          .filter((b) => b.type === "kubernetes_manifest")
          .map(
            (b) =>
              [`${scalarAt(b.values, "manifest.kind")}/${scalarAt(b.values, "manifest.metadata.name")}`, b] as const,
          ),
      );
      return manifestsByKindAndName.get(`${kind}/${name}`);
    },
    dockerNetwork(name) {
      networksByName ??= new Map(
        [...stack.blocks.values()]
          .filter((b) => b.type === "docker_network")
          .map((b) => [String(scalarAt(b.values, "name")), b] as const),
      );
      return networksByName.get(name);
    },
  };
  const byOwner = new Map<string, ServiceFacts>();
  for (const block of stack.blocks.values()) {
    const facts = readFacts(block, context);
    let service = byOwner.get(block.owner);
    if (!service) {
      service = emptyFacts();
      byOwner.set(block.owner, service);
    }
    for (const image of facts.images ?? []) service.images.add(image);
    if (facts.podRequests) service.podRequests = addAmounts(service.podRequests ?? NO_AMOUNTS, facts.podRequests);
    if (facts.fixedReplicas !== undefined) service.fixedReplicas = facts.fixedReplicas;
    if (facts.autoscaler) service.autoscaler = facts.autoscaler;
    if (facts.replicaLimits) service.replicaLimits.push(facts.replicaLimits);
    for (const callee of facts.calls ?? []) service.calls.add(callee);
    for (const caller of facts.calledBy ?? []) service.calledBy.add(caller);
    for (const { destination, ports } of facts.egress ?? []) {
      const known = service.egress.get(destination) ?? new Set<string>();
      for (const port of ports) known.add(port);
      service.egress.set(destination, known);
    }
    for (const source of facts.inbound ?? []) service.inbound.add(source);
    for (const endpoint of facts.endpoints ?? []) service.endpoints.add(endpoint);
    service.meshGrants.push(...(facts.meshGrants ?? []));
    service.meshGuards.push(...(facts.meshGuards ?? []));
    for (const protection of facts.meshProtections ?? []) service.meshProtections.set(protection.what, protection);
  }
  return byOwner;
}

/**
 * The replicas and the cpu and memory they ask for: on Kubernetes, a pod's requests
 * times the autoscaler's bounds (or the fixed count, or 1); on Docker, the limits of
 * every container, each one replica. Undefined when the owner runs nothing.
 */
export function capacityOf(facts: ServiceFacts | undefined): Capacity | undefined {
  if (!facts) return undefined;
  if (facts.podRequests) {
    const replicas =
      facts.autoscaler ??
      (facts.fixedReplicas !== undefined ? { min: facts.fixedReplicas, max: facts.fixedReplicas } : { min: 1, max: 1 });
    const per = facts.podRequests;
    return {
      replicas,
      basis: "request",
      perReplica: per,
      atMin: multiplyAmounts(per, replicas.min),
      atMax: multiplyAmounts(per, replicas.max),
    };
  }
  if (facts.replicaLimits.length > 0) {
    const total = facts.replicaLimits.reduce(addAmounts, NO_AMOUNTS);
    const count = facts.replicaLimits.length;
    const distinct = new Set(facts.replicaLimits.map((a) => `${a.cpuMillis}/${a.memoryMiB}`));
    const per =
      distinct.size === 1
        ? facts.replicaLimits[0]!
        : { cpuMillis: total.cpuMillis / count, memoryMiB: total.memoryMiB / count };
    return { replicas: { min: count, max: count }, basis: "limit", perReplica: per, atMin: total, atMax: total };
  }
  return undefined;
}
