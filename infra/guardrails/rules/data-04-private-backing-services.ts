import { INGRESS_TYPES } from "../kubernetes-index.js";
import { clientsOf, type DataObject, DATA_OBJECT_TYPES, dataObjectOf, mayConnect } from "../data-objects.js";
import {
  KUBERNETES_TYPES,
  isEmptySelector,
  mapSelectorOf,
  policyTypesOf,
  selectorMatches,
  selectorOf,
  showSelector,
} from "../kubernetes-index.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule, type RuleContext } from "../rule.js";
import type { SynthesizedResource, SynthesizedStack } from "../synthesized-stack.js";
import { asBoolean, asString, asStringMap, block, blocks, firstUnresolved, show } from "../values.js";

const PUBLISHED_SERVICE_TYPES = new Set(["NodePort", "LoadBalancer"]);
/**
 * The operators that must reach the pods they run (`app.kubernetes.io/name` of their
 * pods): a NetworkPolicy peer that names one of them, in a namespace selector AND a pod
 * selector, admits the operator alone.
 */
const OPERATOR_NAMES = new Set(["cloudnative-pg", "rabbitmq-cluster-operator"]);
/** The Services an operator makes for its custom resource, by data object kind: what an Ingress could route to. */
const OPERATOR_SERVICES: Partial<Record<DataObject["kind"], (name: string) => string[]>> = {
  "postgres-cluster": (name) => [`${name}-rw`, `${name}-ro`, `${name}-r`],
  "rabbitmq-cluster": (name) => [name, `${name}-nodes`],
};

/**
 * DATA-04 (error): a backing service is never published and only its owner and its
 * declared users can connect to it. A declared user is a workload that says it reads
 * the backing service (`platform.dev/uses`: its Docker containers' label, its
 * Deployment's annotation; see `declaredUsesOf`). On Docker, its container publishes
 * no port at all (not even on 127.0.0.1) and joins only internal networks of the stack
 * that no other container joins than its owner's and its declared users', each network
 * with the containers of one of them only (else the owner and a reader, or two readers,
 * reach each other through it, which their `dependsOn` may not allow). On
 * Kubernetes, no Service of type NodePort or LoadBalancer selects its pods (nor its
 * `RabbitmqCluster`'s or `Cluster`'s own service settings ask for one), no Ingress
 * routes to it, and NetworkPolicies select its pods for Ingress, admitting only pods of
 * its owner and its declared users, its own pods (replication) and its operator's pods:
 * no other pod selector, no namespace-wide or address peer.
 * Anchor: CIS Docker 5.7 (no unneeded ports); Polaris missingNetworkPolicy.
 */
export const privateBackingServices: ResourceRule = {
  id: "DATA-04",
  level: "error",
  scope: "resource",
  checks:
    "backing services publish no port, no NodePort/LoadBalancer/Ingress; only their owner's and declared users' workloads reach them",
  anchor: "CIS Docker 5.7; Polaris missingNetworkPolicy",
  appliesTo: ofTypes(DATA_OBJECT_TYPES),
  check(resource, context) {
    const object = dataObjectOf(resource, context.stack);
    if (object === undefined) return NOT_APPLICABLE;
    const problems = new Problems();
    if (object.kind === "container") checkContainer(object, context.stack, problems);
    else checkKubernetes(object, context, problems);
    return problems.outcome();
  },
};

/** Who may connect, for messages: `orders`, `orders (or its declared users reports)`. */
function owners(object: DataObject, stack: SynthesizedStack): string {
  const users = clientsOf(object, stack).filter((client) => client !== object.owner);
  const owner = object.owner ?? "no service (it has no owner)";
  return users.length === 0 ? owner : `${owner} (or its declared users ${users.join(", ")})`;
}

function checkContainer(object: DataObject, stack: SynthesizedStack, problems: Problems): void {
  const values = object.resource.values;
  const ports = blocks(values.ports);
  if (ports.length > 0)
    problems.add(
      `${object.label} publishes port ${ports.map((p) => show(p.external ?? p.internal)).join(", ")}; a backing service is reached over its network only`,
      "remove its ports (its owner reaches it by name on its internal network)",
    );
  if (asBoolean(values.publish_all_ports) === true)
    problems.add(
      `${object.label} has publish_all_ports, so every port of its image is published`,
      "remove publish_all_ports",
    );
  if (values.network_mode !== undefined && values.network_mode !== null)
    problems.add(
      `${object.label} has network_mode ${show(values.network_mode)} instead of an internal network of its own`,
      "remove network_mode; attach it to its internal docker_network (networks_advanced)",
    );
  const networks = blocks(values.networks_advanced);
  if (networks.length === 0 && (values.network_mode === undefined || values.network_mode === null))
    problems.add(
      `${object.label} joins no network of its own, so Docker puts it on the default bridge`,
      "attach it to an internal docker_network that only its owner's containers join",
    );
  for (const attached of networks) {
    const network = networkResourceOf(attached.name, stack);
    if (network === undefined) {
      problems.add(
        `${object.label} joins network ${show(attached.name)}, which is no docker_network of this stack`,
        "attach it to an internal docker_network of the stack that only its owner's containers join",
      );
      continue;
    }
    const name = show(network.values.name);
    if (asBoolean(network.values.internal) !== true)
      problems.add(
        `${object.label} joins network ${name}, which is not internal, so the backing service can reach and be reached beyond its owner`,
        `set internal = true on ${network.address}`,
      );
    const clients = new Set<string>();
    for (const other of containersOn(network, stack)) {
      if (other === object.resource) continue;
      if (mayConnect(object, other, other.service)) {
        clients.add(other.service ?? other.address);
        continue;
      }
      problems.add(
        `${object.label}'s network ${name} is joined by ${other.address} (${other.service === undefined ? "the platform" : `service ${other.service}`}), not only by its owner ${owners(object, stack)}`,
        "give the backing service a network of its own that only its owner's containers join, and the containers of services that declare they use it (uses)",
      );
    }
    if (clients.size > 1)
      problems.add(
        `${object.label}'s network ${name} is shared by ${[...clients].sort().join(", ")}, which reach each other's containers through it, not only the backing service`,
        "give the owner and each service that uses it (uses) a network of its own with the backing service, which no other service joins",
      );
  }
}

/** The docker_network a `networks_advanced.name` names: by reference, or by its literal name. */
function networkResourceOf(name: unknown, stack: SynthesizedStack): SynthesizedResource | undefined {
  const reference = stack.referencedBy(name);
  if (reference !== undefined) return reference.resource.type === "docker_network" ? reference.resource : undefined;
  const byName = stack.memo(
    "data-04-networks-by-name",
    (s) => new Map(s.ofType("docker_network").map((network) => [network.values.name, network])),
  );
  return byName.get(name);
}

/** The containers of the stack that join a network. */
function containersOn(network: SynthesizedResource, stack: SynthesizedStack): SynthesizedResource[] {
  const byNetwork = stack.memo("data-04-containers-by-network", (s) => {
    const map = new Map<SynthesizedResource, SynthesizedResource[]>();
    for (const container of s.ofType("docker_container"))
      for (const attached of blocks(container.values.networks_advanced)) {
        const joined = networkResourceOf(attached.name, s);
        if (joined !== undefined) map.set(joined, [...(map.get(joined) ?? []), container]);
      }
    return map;
  });
  return byNetwork.get(network) ?? [];
}

function checkKubernetes(object: DataObject, context: RuleContext, problems: Problems): void {
  const { namespace, podLabels } = object;
  if (namespace === undefined || podLabels === undefined) {
    const metadata = block(block(object.resource.values.manifest)?.metadata ?? object.resource.values.metadata);
    problems.unresolved(
      "metadata.name or metadata.namespace",
      firstUnresolved([metadata?.name, metadata?.namespace]),
      "give its name and namespace as literals",
    );
    return;
  }
  const spec = block(block(object.resource.values.manifest)?.spec);
  const ownType =
    object.kind === "rabbitmq-cluster"
      ? [["spec.service.type", block(spec?.service)?.type]]
      : object.kind === "postgres-cluster"
        ? blocks(block(block(spec?.managed)?.services)?.additional).map((service, i) => [
            `spec.managed.services.additional[${i}].serviceTemplate.spec.type`,
            block(block(service.serviceTemplate)?.spec)?.type,
          ])
        : [];
  for (const [field, type] of ownType)
    if (typeof type === "string" && PUBLISHED_SERVICE_TYPES.has(type))
      problems.add(
        `${object.label} asks its operator for a ${type} Service (${field}), which publishes it outside the cluster`,
        `remove ${field} (ClusterIP is the default)`,
      );

  const index = context.stack.kubernetes;
  const selecting = KUBERNETES_TYPES.service
    .flatMap((type) => context.stack.ofType(type))
    .filter((service) => {
      const selector = mapSelectorOf(block(service.values.spec)?.selector);
      return (
        index.namespaceOf(service) === namespace &&
        selector !== undefined &&
        selector !== "unresolved" &&
        !isEmptySelector(selector) &&
        selectorMatches(selector, podLabels)
      );
    });
  for (const service of selecting) {
    const type = block(service.values.spec)?.type;
    if (typeof type === "string" && PUBLISHED_SERVICE_TYPES.has(type))
      problems.add(
        `${object.label} is published by ${service.address}, a Service of type ${type}`,
        "remove the Service or make it ClusterIP: a backing service is never reachable from outside the cluster",
      );
  }
  const routable = new Set([
    ...selecting.map((service) => index.nameOf(service)).filter((name) => name !== undefined),
    ...(OPERATOR_SERVICES[object.kind]?.(
      index.resolveName(block(block(object.resource.values.manifest)?.metadata)?.name) ?? object.name,
    ) ?? []),
  ]);
  for (const ingress of INGRESS_TYPES.flatMap((type) => context.stack.ofType(type))) {
    if (index.namespaceOf(ingress) !== namespace) continue;
    const ingressSpec = block(ingress.values.spec);
    const backends = [
      block(ingressSpec?.default_backend),
      ...blocks(ingressSpec?.rule).flatMap((rule) => blocks(block(rule.http)?.path).map((path) => block(path.backend))),
    ];
    for (const backend of backends) {
      const name = index.resolveName(block(backend?.service)?.name);
      if (name !== undefined && routable.has(name))
        problems.add(
          `${object.label} is published by ${ingress.address}, which routes to its Service "${name}"`,
          "remove the route: a backing service is never exposed by an Ingress",
        );
    }
  }
  checkNetworkPolicies(object, namespace, podLabels, context, problems);
}

function checkNetworkPolicies(
  object: DataObject,
  namespace: string,
  podLabels: Readonly<Record<string, string>>,
  context: RuleContext,
  problems: Problems,
): void {
  const index = context.stack.kubernetes;
  const policies = index.networkPoliciesSelecting(namespace, podLabels).filter((p) => policyTypesOf(p).has("Ingress"));
  const own = policies.filter((policy) => {
    const selector = selectorOf(block(policy.values.spec)?.pod_selector);
    return selector !== undefined && selector !== "unresolved" && !isEmptySelector(selector);
  });
  if (own.length === 0)
    problems.add(
      `no NetworkPolicy selects the pods of ${object.label} for Ingress, so nothing limits who connects to it to its owner ${owners(object, context.stack)}`,
      "add a NetworkPolicy selecting its pods whose ingress admits its owner's pods only",
    );
  const fix = `admit only the pods of ${owners(object, context.stack)} (pod_selector app.kubernetes.io/name), its own pods and its operator's`;
  for (const policy of policies) {
    const where = `${policy.address} (selecting the pods of ${object.label})`;
    for (const rule of blocks(block(policy.values.spec)?.ingress)) {
      const peers = blocks(rule.from);
      if (peers.length === 0)
        problems.add(`${where} has an ingress rule with no "from", which admits every source`, fix);
      for (const peer of peers) {
        const podSelector = selectorOf(peer.pod_selector);
        const namespaceSelector = selectorOf(peer.namespace_selector);
        if (block(peer.ip_block) !== undefined) {
          problems.add(`${where} admits addresses ${show(block(peer.ip_block)?.cidr)}, not pods of its owner`, fix);
        } else if (namespaceSelector !== undefined) {
          const operator =
            namespaceSelector !== "unresolved" &&
            !isEmptySelector(namespaceSelector) &&
            podSelector !== undefined &&
            podSelector !== "unresolved" &&
            OPERATOR_NAMES.has(podSelector.matchLabels["app.kubernetes.io/name"] ?? "");
          if (!operator)
            problems.add(
              `${where} admits pods of other namespaces (namespace_selector ${namespaceSelector === "unresolved" ? "computed" : showSelector(namespaceSelector)}), not only its owner's`,
              fix,
            );
        } else if (podSelector === "unresolved") {
          problems.unresolved("ingress.from.pod_selector", peer.pod_selector, fix);
        } else if (podSelector === undefined || isEmptySelector(podSelector)) {
          problems.add(`${where} admits every pod of namespace "${namespace}"`, fix);
        } else {
          for (const pods of index.ownersSelectedBy(namespace, podSelector)) {
            const service = pods.resource.service ?? asString(asStringMap(pods.podLabels)?.["app.kubernetes.io/name"]);
            if (pods.resource === object.resource || mayConnect(object, pods.resource, service)) continue;
            problems.add(
              `${where} admits the pods of ${pods.resource.address} (${showSelector(podSelector)}), which is not its owner ${owners(object, context.stack)}`,
              fix,
            );
          }
          for (const pods of index.operatorPodsSelectedBy(namespace, podSelector)) {
            if (pods.resource === object.resource) continue;
            problems.add(
              `${where} admits the pods of ${pods.resource.address}, which is not its owner ${owners(object, context.stack)}`,
              fix,
            );
          }
        }
      }
    }
  }
}
