import { type LabelSelector, type PodOwner, selectorMatches } from "../kubernetes-index.js";
import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { manifestSelectorOf, type MeshObject, meshedWorkload, meshObjectOf, meshObjectsIn } from "../mesh-objects.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule, type RuleContext, type RuleOutcome } from "../rule.js";
import { asString, asStringList, block, blocks, isUnresolved, show } from "../values.js";

/** Source fields of an Istio rule that name who may call; a source with none of them matches every caller. */
const ISTIO_SOURCE_FIELDS = ["principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks"] as const;
/** What a "*" or an open CIDR in each source field admits, for messages. */
const ISTIO_OPEN_SOURCES: Readonly<Record<(typeof ISTIO_SOURCE_FIELDS)[number], string>> = {
  principals: "every workload with a mesh identity",
  requestPrincipals: "every request with a token",
  namespaces: "every namespace",
  ipBlocks: "every address",
  remoteIpBlocks: "every address",
};
const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);
/** A source value that matches every caller of its kind. */
const isOpenSource = (value: string): boolean => value === "*" || OPEN_CIDRS.has(value);

const ISTIO_SOURCES_FIX =
  "allow only the service accounts of the services that depend on it (from.source.principals cluster.local/ns/<namespace>/sa/<dependent>), the ingress namespace for a public port and the monitoring namespace for the metrics port";
const LINKERD_SOURCES_FIX =
  "require a MeshTLSAuthentication whose identityRefs are the service accounts of the services that depend on the target (kind ServiceAccount), or a namespace's identities (*.<namespace>.serviceaccount.identity.linkerd.cluster.local) for the ingress and the monitoring";

/**
 * MESH-02 (error): every meshed workload answers only the callers a policy names, and
 * no policy names everyone. Istio: an AuthorizationPolicy with action ALLOW applies to
 * each meshed workload's pods (so that what its rules do not allow is denied), and no
 * ALLOW rule matches every source: no rule without `from` (`rules: [{}]` included), no
 * source without principals, namespaces or IP blocks, no source whose every field is
 * open (`"*"` principals or namespaces, 0.0.0.0/0 or ::/0: its fields must all match, so
 * one narrow field narrows it). Linkerd: each container port of a meshed workload is a port of
 * a Server selecting its pods that an AuthorizationPolicy targets (directly, through one
 * of its HTTPRoutes, or through the namespace) or a ServerAuthorization names, no
 * AuthorizationPolicy requires no authentication, no MeshTLSAuthentication (nor
 * ServerAuthorization) accepts the identity `"*"`, no ServerAuthorization admits
 * unauthenticated clients, and no NetworkAuthentication admits 0.0.0.0/0 or ::/0. Pods
 * that opt out of the mesh (the platform's data pods) and stacks without a mesh are not
 * concerned.
 * Anchor: Istio authorization policy (ALLOW policies deny what they do not match); Linkerd
 * default-deny authorization policy.
 */
export const authorizedCallers: ResourceRule = {
  id: "MESH-02",
  level: "error",
  scope: "resource",
  checks:
    "every meshed workload selected by an authorization policy (Istio; Linkerd Server + AuthorizationPolicy); none allows all sources",
  anchor: "Istio authorization policy; Linkerd default-deny authorization policy",
  appliesTo: ofTypes(["kubernetes_manifest"], POD_RESOURCE_TYPES),
  check(resource, context) {
    const object = meshObjectOf(resource, context.stack);
    if (object !== undefined) return checkObject(object);
    const owner = context.stack.kubernetes.ownerOf(resource);
    return owner === undefined ? NOT_APPLICABLE : checkWorkload(owner, context);
  },
};

function checkObject(object: MeshObject): RuleOutcome {
  const problems = new Problems();
  const { spec, label } = object;
  if (object.mesh === "istio" && object.kind === "AuthorizationPolicy") {
    const action = spec?.action ?? "ALLOW";
    if (action !== "ALLOW") return problems.outcome();
    for (const [i, rule] of blocks(spec?.rules).entries()) {
      const where = `${label} rule ${i + 1}`;
      const from = blocks(rule.from);
      if (from.length === 0) {
        problems.add(`${where} has no from, so it allows every source`, ISTIO_SOURCES_FIX);
        continue;
      }
      for (const [j, entry] of from.entries()) {
        const source = block(entry.source);
        const named = ISTIO_SOURCE_FIELDS.filter((field) => asStringList(source?.[field]).length > 0);
        if (named.length === 0) {
          problems.add(
            `${where}, from ${j + 1} names no principals, namespaces or ipBlocks, so it allows every source`,
            ISTIO_SOURCES_FIX,
          );
          continue;
        }
        const unresolved = named.flatMap((field) => asStringList(source?.[field]).filter(isUnresolved));
        if (unresolved.length > 0) {
          problems.unresolved(`${where} from.source`, unresolved[0], "give the sources as literals");
          continue;
        }
        // The fields of one source must all match (AND): a "*" is everyone only when no other field narrows it.
        const open = named.map((field) => ({ field, value: asStringList(source?.[field]).find(isOpenSource) }));
        if (open.every(({ value }) => value !== undefined))
          for (const { field, value } of open)
            problems.add(`${where} allows ${field} ${show(value)}: ${ISTIO_OPEN_SOURCES[field]}`, ISTIO_SOURCES_FIX);
      }
    }
    return problems.outcome();
  }
  if (object.mesh !== "linkerd") return NOT_APPLICABLE;
  if (object.kind === "AuthorizationPolicy") {
    if (blocks(spec?.requiredAuthenticationRefs).length === 0)
      problems.add(
        `${label} requires no authentication (requiredAuthenticationRefs is empty), so it authorizes every client of its target, meshed or not`,
        LINKERD_SOURCES_FIX,
      );
    return problems.outcome();
  }
  if (object.kind === "MeshTLSAuthentication") {
    for (const identity of asStringList(spec?.identities))
      if (identity === "*")
        problems.add(
          `${label} accepts identities "*": every meshed workload of the cluster may call what it authorizes`,
          LINKERD_SOURCES_FIX,
        );
    return problems.outcome();
  }
  if (object.kind === "ServerAuthorization") {
    const client = block(spec?.client);
    const meshTls = block(client?.meshTLS);
    if (client?.unauthenticated === true || meshTls?.unauthenticatedTLS === true)
      problems.add(
        `${label} authorizes clients without a mesh identity (client.${client?.unauthenticated === true ? "unauthenticated" : "meshTLS.unauthenticatedTLS"})`,
        LINKERD_SOURCES_FIX,
      );
    if (asStringList(meshTls?.identities).includes("*"))
      problems.add(
        `${label} accepts identities "*": every meshed workload of the cluster may call its Servers`,
        LINKERD_SOURCES_FIX,
      );
    return problems.outcome();
  }
  if (object.kind === "NetworkAuthentication") {
    for (const network of blocks(spec?.networks)) {
      const cidr = asString(network.cidr);
      if (cidr !== undefined && OPEN_CIDRS.has(cidr))
        problems.add(
          `${label} admits network ${cidr}: every address, without a mesh identity`,
          "name the CIDRs of the clients that cannot join the mesh, or authenticate callers with a MeshTLSAuthentication",
        );
    }
    return problems.outcome();
  }
  return NOT_APPLICABLE;
}

function checkWorkload(owner: PodOwner, context: RuleContext): RuleOutcome {
  const workload = meshedWorkload(owner, context.stack);
  if (!("meshes" in workload)) return workload;
  const { meshes, namespace } = workload;
  const problems = new Problems();
  if (meshes.includes("istio")) {
    const allowing = meshObjectsIn(context.stack, namespace, "istio", "AuthorizationPolicy").filter((policy) => {
      if ((policy.spec?.action ?? "ALLOW") !== "ALLOW") return false;
      // A policy with targetRefs applies to a waypoint or gateway, not to the pods' own proxy.
      if (policy.spec?.targetRef !== undefined || policy.spec?.targetRefs !== undefined) return false;
      const selector = manifestSelectorOf(policy.spec?.selector);
      if (selector === "unresolved") return false;
      return selector === undefined || selectorMatches(selector, owner.podLabels);
    });
    if (allowing.length === 0)
      problems.add(
        `its pods are in the Istio mesh and no AuthorizationPolicy with action ALLOW selects them, so any caller may reach every port and path`,
        `add an AuthorizationPolicy in namespace "${namespace}" whose spec.selector.matchLabels select its pods and whose rules allow the service accounts of its dependents (the platform generates one per service when the environment's mesh is istio)`,
      );
  }
  if (meshes.includes("linkerd")) {
    const authorized = authorizedServers(context, namespace).filter((server) => {
      const selector = manifestSelectorOf(server.spec?.podSelector);
      return selector !== undefined && selector !== "unresolved" && selectorMatches(selector, owner.podLabels);
    });
    const servedPorts = new Set(authorized.map((server) => String(server.spec?.port)));
    const template = podTemplateOf(owner.resource);
    const ports = containersOf(template?.spec, { includeInit: false }).flatMap((c) => blocks(c.values.port));
    const fix = (port: string) =>
      `add a Server in namespace "${namespace}" whose podSelector selects its pods for port ${port}, and an AuthorizationPolicy targeting it that requires a MeshTLSAuthentication of its dependents' service accounts (the platform generates both when the environment's mesh is linkerd)`;
    if (ports.length === 0 && authorized.length === 0)
      problems.add(
        `its pods are in the Linkerd mesh and no Server an AuthorizationPolicy targets selects them, so the default inbound policy decides who calls them`,
        fix("of each container port"),
      );
    for (const port of ports) {
      const name = asString(port.name);
      const number = port.container_port;
      if ((name !== undefined && servedPorts.has(name)) || servedPorts.has(String(number))) continue;
      const shown = name === undefined ? show(number) : `"${name}" (${show(number)})`;
      problems.add(
        `its port ${shown} is in no Linkerd Server that an AuthorizationPolicy targets, so the default inbound policy decides who calls it`,
        fix(shown),
      );
    }
  }
  return problems.outcome();
}

/**
 * The Linkerd Servers of a namespace that a policy authorizes: an AuthorizationPolicy
 * that targets the Server, one of the Server's HTTPRoutes, or the namespace itself; or a
 * ServerAuthorization (the older API) that names or selects the Server.
 */
function authorizedServers(context: RuleContext, namespace: string): readonly MeshObject[] {
  return context.stack.memo(`mesh-02-authorized-servers:${namespace}`, (stack) => {
    const targets = meshObjectsIn(stack, namespace, "linkerd", "AuthorizationPolicy").map((policy) =>
      block(policy.spec?.targetRef),
    );
    const servers = meshObjectsIn(stack, namespace, "linkerd", "Server");
    if (targets.some((target) => target?.kind === "Namespace")) return servers;
    const named = new Set(targets.filter((t) => t?.kind === "Server").map((t) => asString(t?.name)));
    const routes = new Set(targets.filter((t) => t?.kind === "HTTPRoute").map((t) => asString(t?.name)));
    for (const route of meshObjectsIn(stack, namespace, "linkerd", "HTTPRoute")) {
      if (!routes.has(route.name)) continue;
      for (const parent of blocks(route.spec?.parentRefs))
        if (parent.kind === "Server") named.add(asString(parent.name));
    }
    const selectors: LabelSelector[] = [];
    for (const authorization of meshObjectsIn(stack, namespace, "linkerd", "ServerAuthorization")) {
      const server = block(authorization.spec?.server);
      named.add(asString(server?.name));
      const selector = manifestSelectorOf(server?.selector);
      if (selector !== undefined && selector !== "unresolved") selectors.push(selector);
    }
    return servers.filter(
      (server) => named.has(server.name) || selectors.some((selector) => selectorMatches(selector, server.labels)),
    );
  });
}
