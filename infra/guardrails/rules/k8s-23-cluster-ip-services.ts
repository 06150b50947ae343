import { INGRESS_TYPES, KUBERNETES_TYPES, isEmptySelector, mapSelectorOf, showSelector } from "../kubernetes-index.js";
import { ofTypes, Problems, type ResourceRule, type RuleContext } from "../rule.js";
import type { SynthesizedResource } from "../synthesized-stack.js";
import { block, blocks, isUnresolved, show } from "../values.js";

const SERVICE_TYPES = new Set(KUBERNETES_TYPES.service);

/**
 * K8S-23 (error): every Service is of type ClusterIP (public traffic enters through an
 * Ingress, never a NodePort or LoadBalancer that skips it) and selects pods of the
 * stack; every Ingress routes to a Service the stack defines.
 * Anchor: kube-linter exposed-services, dangling-service, dangling-ingress.
 */
export const clusterIpServices: ResourceRule = {
  id: "K8S-23",
  level: "error",
  scope: "resource",
  checks: "Services are ClusterIP and select pods of the stack; Ingresses route to a Service of the stack",
  anchor: "kube-linter exposed-services, dangling-service",
  appliesTo: ofTypes(KUBERNETES_TYPES.service, INGRESS_TYPES),
  check(resource, context) {
    return SERVICE_TYPES.has(resource.type) ? checkService(resource, context) : checkIngress(resource, context);
  },
};

function checkService(resource: SynthesizedResource, context: RuleContext) {
  const index = context.stack.kubernetes;
  const spec = block(resource.values.spec);
  const problems = new Problems();
  const type = spec?.type;
  if (isUnresolved(type)) problems.unresolved("spec.type", type, 'set type = "ClusterIP" as a literal');
  else if (type !== "ClusterIP") {
    problems.add(
      `spec.type is ${show(type)}, not ClusterIP, so the Service may be reachable from outside the cluster without the Ingress`,
      'set type = "ClusterIP" and expose the service with expose: { public: ... } (an Ingress)',
    );
  }
  const selector = mapSelectorOf(spec?.selector);
  const namespace = index.namespaceOf(resource);
  if (selector === "unresolved" || namespace === undefined)
    problems.unresolved(
      "spec.selector or metadata.namespace",
      spec?.selector,
      "give the selector and namespace as literals",
    );
  else if (selector === undefined || isEmptySelector(selector))
    problems.add(
      "spec.selector is empty, so the Service routes to no pod",
      "select the service's pods (app.kubernetes.io/name = <service>)",
    );
  else if (index.ownersSelectedBy(namespace, selector).length === 0) {
    problems.add(
      `spec.selector (${showSelector(selector)}) selects no pods of this stack in namespace "${namespace}"`,
      "select the service's pods (app.kubernetes.io/name = <service>)",
    );
  }
  return problems.outcome();
}

function checkIngress(resource: SynthesizedResource, context: RuleContext) {
  const index = context.stack.kubernetes;
  const spec = block(resource.values.spec);
  const namespace = index.namespaceOf(resource);
  const problems = new Problems();
  const backends = [
    block(spec?.default_backend),
    ...blocks(spec?.rule).flatMap((rule) => blocks(block(rule.http)?.path).map((path) => block(path.backend))),
  ].filter((backend) => backend !== undefined);
  for (const backend of backends) {
    const service = block(backend!.service);
    if (service === undefined) continue;
    const name = index.resolveName(service.name);
    if ((name === undefined && isUnresolved(service.name)) || namespace === undefined)
      problems.unresolved("backend service name", service.name, "name the backend Service as a literal");
    else if (name === undefined)
      problems.add("a backend names no Service", "route to the public service's own Service (its name)");
    else if (index.serviceNamed(namespace, name) === undefined) {
      problems.add(
        `routes to Service "${name}", which this stack does not define in namespace "${namespace}"`,
        "route to the public service's own Service (its name)",
      );
    }
  }
  return problems.outcome();
}
