import { isEmptySelector, KUBERNETES_TYPES, type PodOwner, selectorMatches } from "../kubernetes-index.js";
import {
  AUTHENTICATED_LINKERD_POLICIES,
  LINKERD_DEFAULT_POLICY_ANNOTATION,
  manifestSelectorOf,
  MESH_RULE_TYPES,
  type MeshObject,
  meshesOfNamespace,
  meshedWorkload,
  meshObjectOf,
  meshObjectsIn,
  namespaceResourceNamed,
} from "../mesh-objects.js";
import { podTemplateOf } from "../kubernetes-pods.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule, type RuleContext, type RuleOutcome } from "../rule.js";
import type { JsonObject, SynthesizedResource } from "../synthesized-stack.js";
import { asStringMap, block, blocks, isUnresolved, show } from "../values.js";

const NAMESPACE_TYPES = new Set<string>(KUBERNETES_TYPES.namespace);

/** Istio mTLS modes that let a peer in without mutual TLS. */
const PLAIN_TEXT_MODES: Readonly<Record<string, string>> = {
  PERMISSIVE: "so its pods accept plain-text connections besides mutual TLS",
  DISABLE: "so its pods take plain text only, with no peer identity",
};

const STRICT_FIX =
  'set spec.mtls.mode to STRICT (the platform generates PeerAuthentication "default" with STRICT for the namespace when the environment has a mesh)';
const LINKERD_POLICY_FIX = `set ${LINKERD_DEFAULT_POLICY_ANNOTATION} to all-authenticated (or cluster-authenticated, or deny): the platform annotates the namespace so when the environment's mesh is linkerd`;

/**
 * MESH-01 (error): in a meshed namespace every call is mutual TLS, and nothing leaves
 * plain text on. Istio: every meshed workload has a PeerAuthentication that applies to
 * it (namespace-wide, or selecting its pods with a mode of its own), no
 * PeerAuthentication sets PERMISSIVE or DISABLE (nor a port of `portLevelMtls`), a
 * namespace-wide one sets a mode (else it inherits the mesh-wide one, PERMISSIVE by
 * Istio's default), and no DestinationRule turns the client side off (`tls.mode:
 * DISABLE`). Linkerd: the namespace's (or a pod's) default inbound policy admits only
 * authenticated clients (`all-authenticated`, `cluster-authenticated` or `deny`), and no
 * Server's `accessPolicy` lets unauthenticated traffic in. Pods that opt out of the mesh
 * (the platform's data pods) and stacks without a mesh are not concerned.
 * Anchor: Istio security best practices (PeerAuthentication STRICT); Linkerd default
 * inbound policy.
 */
export const strictMutualTls: ResourceRule = {
  id: "MESH-01",
  level: "error",
  scope: "resource",
  checks:
    "meshed pods take mutual TLS only: Istio PeerAuthentication STRICT, Linkerd default policy authenticated; no PERMISSIVE or DISABLE",
  anchor: "Istio security best practices (PeerAuthentication STRICT); Linkerd default inbound policy",
  appliesTo: ofTypes(MESH_RULE_TYPES),
  check(resource, context) {
    const object = meshObjectOf(resource, context.stack);
    if (object !== undefined) return checkObject(object);
    if (NAMESPACE_TYPES.has(resource.type)) return checkNamespace(resource, context);
    const owner = context.stack.kubernetes.ownerOf(resource);
    return owner === undefined ? NOT_APPLICABLE : checkWorkload(owner, context);
  },
};

function checkObject(object: MeshObject): RuleOutcome {
  const problems = new Problems();
  const { spec, label } = object;
  if (object.mesh === "istio" && object.kind === "PeerAuthentication") {
    const mode = block(spec?.mtls)?.mode;
    const selector = manifestSelectorOf(spec?.selector);
    const namespaceWide = selector === undefined || (selector !== "unresolved" && isEmptySelector(selector));
    if (isUnresolved(mode)) problems.unresolved("spec.mtls.mode", mode, "give the mode as a literal");
    else if (typeof mode === "string" && Object.hasOwn(PLAIN_TEXT_MODES, mode))
      problems.add(`${label} sets mtls.mode ${mode}, ${PLAIN_TEXT_MODES[mode]}`, STRICT_FIX);
    else if (namespaceWide && (mode === undefined || mode === "UNSET"))
      problems.add(
        `${label} applies to the whole namespace and sets no mtls.mode (${show(mode)}), so it inherits the mesh-wide mode, which Istio leaves PERMISSIVE by default`,
        STRICT_FIX,
      );
    for (const [port, setting] of Object.entries(block(spec?.portLevelMtls) ?? {})) {
      const portMode = block(setting)?.mode;
      if (typeof portMode === "string" && Object.hasOwn(PLAIN_TEXT_MODES, portMode))
        problems.add(
          `${label} sets port ${port} to ${portMode} (portLevelMtls), ${PLAIN_TEXT_MODES[portMode]} on that port`,
          `remove port ${port} from spec.portLevelMtls, or set its mode to STRICT`,
        );
    }
    return problems.outcome();
  }
  if (object.mesh === "istio" && object.kind === "DestinationRule") {
    const host = show(spec?.host);
    for (const { where, policy } of trafficPoliciesOf(spec)) {
      const settings = [
        { at: `${where}.tls`, tls: block(policy.tls) },
        ...blocks(policy.portLevelSettings).map((setting, i) => ({
          at: `${where}.portLevelSettings[${i}].tls`,
          tls: block(setting.tls),
        })),
      ];
      for (const { at, tls } of settings)
        if (tls?.mode === "DISABLE")
          problems.add(
            `${label} sets ${at}.mode DISABLE, so its clients call host ${host} in plain text, which only a PERMISSIVE or DISABLE server accepts`,
            `set ${at}.mode to ISTIO_MUTUAL, or remove it (Istio's auto mTLS then applies)`,
          );
    }
    return problems.outcome();
  }
  if (object.mesh === "linkerd" && object.kind === "Server") {
    const access = spec?.accessPolicy;
    if (isUnresolved(access)) problems.unresolved("spec.accessPolicy", access, "give the access policy as a literal");
    else if (typeof access === "string" && !AUTHENTICATED_LINKERD_POLICIES.includes(access))
      problems.add(
        `${label} sets accessPolicy ${access}, so traffic that no AuthorizationPolicy authorizes ${access === "audit" ? "is let in and only logged" : "is let in without a mesh identity"}`,
        "remove spec.accessPolicy (Linkerd's default is deny), or set it to all-authenticated",
      );
    return problems.outcome();
  }
  return NOT_APPLICABLE;
}

/** The traffic policies of a DestinationRule: its own and its subsets', with where they are for messages. */
function trafficPoliciesOf(spec: JsonObject | undefined): Array<{ where: string; policy: JsonObject }> {
  const found: Array<{ where: string; policy: JsonObject }> = [];
  const own = block(spec?.trafficPolicy);
  if (own !== undefined) found.push({ where: "trafficPolicy", policy: own });
  for (const [i, subset] of blocks(spec?.subsets).entries()) {
    const policy = block(subset.trafficPolicy);
    if (policy !== undefined) found.push({ where: `subsets[${i}].trafficPolicy`, policy });
  }
  return found;
}

function checkNamespace(resource: SynthesizedResource, context: RuleContext): RuleOutcome {
  const name = context.stack.kubernetes.resolveName(block(resource.values.metadata)?.name);
  if (name === undefined || !meshesOfNamespace(context.stack, name).has("linkerd")) return NOT_APPLICABLE;
  const policy = asStringMap(block(resource.values.metadata)?.annotations)?.[LINKERD_DEFAULT_POLICY_ANNOTATION];
  const problems = new Problems();
  linkerdPolicyProblem(problems, `namespace "${name}"`, policy, `namespace "${name}" is in the Linkerd mesh and`);
  return problems.outcome();
}

/**
 * Adds the problem of a Linkerd default inbound policy that lets unauthenticated clients
 * in, or, when `where` sets none, `missing` (the subject of "has no ... annotation").
 */
function linkerdPolicyProblem(problems: Problems, where: string, policy: string | undefined, missing = where): void {
  if (policy === undefined)
    problems.add(
      `${missing} has no ${LINKERD_DEFAULT_POLICY_ANNOTATION} annotation, so its pods take the cluster's default inbound policy, all-unauthenticated unless Linkerd was installed with another`,
      LINKERD_POLICY_FIX,
    );
  else if (isUnresolved(policy))
    problems.unresolved(LINKERD_DEFAULT_POLICY_ANNOTATION, policy, "give the policy as a literal");
  else if (!AUTHENTICATED_LINKERD_POLICIES.includes(policy))
    problems.add(
      `${where} sets ${LINKERD_DEFAULT_POLICY_ANNOTATION} ${policy}, so ${policy === "audit" ? "every client is let in and only logged" : "clients without a mesh identity get in"} where no Server says otherwise`,
      LINKERD_POLICY_FIX,
    );
}

function checkWorkload(owner: PodOwner, context: RuleContext): RuleOutcome {
  const workload = meshedWorkload(owner, context.stack);
  if (!("meshes" in workload)) return workload;
  const { meshes, namespace } = workload;
  const problems = new Problems();
  if (meshes.includes("istio")) {
    const applying = meshObjectsIn(context.stack, namespace, "istio", "PeerAuthentication").filter((pa) => {
      const selector = manifestSelectorOf(pa.spec?.selector);
      if (selector === "unresolved") return false;
      if (selector === undefined || isEmptySelector(selector)) return true;
      const mode = block(pa.spec?.mtls)?.mode;
      return selectorMatches(selector, owner.podLabels) && mode !== undefined && mode !== "UNSET";
    });
    if (applying.length === 0)
      problems.add(
        `its pods are in the Istio mesh (namespace "${namespace}") and no PeerAuthentication sets their mTLS mode, so they accept plain text (Istio's default is PERMISSIVE)`,
        `add a PeerAuthentication "default" in namespace "${namespace}" with spec.mtls.mode STRICT (the platform generates it when the environment's mesh is istio)`,
      );
  }
  if (meshes.includes("linkerd")) {
    const own = podTemplateOf(owner.resource)?.annotations[LINKERD_DEFAULT_POLICY_ANNOTATION];
    const namespaceResource = namespaceResourceNamed(context.stack, namespace);
    if (own !== undefined) linkerdPolicyProblem(problems, "its pod template", own);
    else if (namespaceResource !== undefined && !meshesOfNamespace(context.stack, namespace).has("linkerd"))
      // Pods that opt into the mesh on their own: the namespace check (MESH-01 on the namespace) does not run.
      linkerdPolicyProblem(
        problems,
        `its namespace "${namespace}"`,
        asStringMap(block(namespaceResource.values.metadata)?.annotations)?.[LINKERD_DEFAULT_POLICY_ANNOTATION],
        `its pods opt into the Linkerd mesh and, like them, their namespace "${namespace}"`,
      );
    else if (namespaceResource === undefined)
      problems.unverifiable(
        `its pods are in the Linkerd mesh and namespace "${namespace}" is not created by this stack, so its default inbound policy cannot be checked`,
        `create the namespace in this stack with ${LINKERD_DEFAULT_POLICY_ANNOTATION}: all-authenticated, or annotate the pod template so`,
      );
  }
  return problems.outcome();
}
