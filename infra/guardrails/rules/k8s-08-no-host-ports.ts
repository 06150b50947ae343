import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asInteger, blocks, isUnresolved, show } from "../values.js";

/**
 * K8S-08 (error): no container port is bound on the node (`host_port`): pods are
 * reached through Services, and a host port bypasses NetworkPolicies.
 * Anchor: PSS baseline, Polaris hostPortSet, checkov CKV_K8S_26.
 */
export const noHostPorts: ResourceRule = {
  id: "K8S-08",
  level: "error",
  scope: "resource",
  checks: "no container port sets host_port",
  anchor: "PSS-B; Polaris hostPortSet; checkov CKV_K8S_26",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      for (const port of blocks(container.values.port)) {
        const hostPort = port.host_port;
        if (isUnresolved(hostPort)) problems.unresolved(`${container.label}: host_port`, hostPort, "remove host_port");
        else if (hostPort !== undefined && hostPort !== null && asInteger(hostPort) !== 0) {
          problems.add(
            `${container.label}: port ${show(port.container_port)} is bound on the node's port ${show(hostPort)}`,
            "remove host_port and reach the pods through a Service",
          );
        }
      }
    }
    return problems.outcome();
  },
};
