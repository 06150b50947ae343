import type { JsonObject, SynthesizedResource } from "./synthesized-stack.js";
import { asStringMap, block, blockAt, blocks } from "./values.js";

/**
 * Where the pods are in each Kubernetes resource that runs pods. The platform generates
 * Deployments; the pod rules also read the other workload kinds, so a StatefulSet, Job
 * or Pod added by hand is checked the same way.
 */
const POD_TEMPLATE_PATHS: Readonly<Record<string, { readonly kind: string; readonly template: string | undefined }>> = {
  kubernetes_deployment_v1: { kind: "Deployment", template: "spec.template" },
  kubernetes_deployment: { kind: "Deployment", template: "spec.template" },
  kubernetes_stateful_set_v1: { kind: "StatefulSet", template: "spec.template" },
  kubernetes_stateful_set: { kind: "StatefulSet", template: "spec.template" },
  kubernetes_daemon_set_v1: { kind: "DaemonSet", template: "spec.template" },
  kubernetes_daemonset: { kind: "DaemonSet", template: "spec.template" },
  kubernetes_replication_controller_v1: { kind: "ReplicationController", template: "spec.template" },
  kubernetes_replication_controller: { kind: "ReplicationController", template: "spec.template" },
  kubernetes_job_v1: { kind: "Job", template: "spec.template" },
  kubernetes_job: { kind: "Job", template: "spec.template" },
  kubernetes_cron_job_v1: { kind: "CronJob", template: "spec.job_template.spec.template" },
  kubernetes_cron_job: { kind: "CronJob", template: "spec.job_template.spec.template" },
  kubernetes_pod_v1: { kind: "Pod", template: undefined },
  kubernetes_pod: { kind: "Pod", template: undefined },
};

/** Resource types that run pods. */
export const POD_RESOURCE_TYPES: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);

/** Deployment resource types: the workload the platform generates. */
export const DEPLOYMENT_TYPES: readonly string[] = ["kubernetes_deployment_v1", "kubernetes_deployment"];

/** The pod template of a resource that runs pods. */
export interface PodTemplate {
  /** Kubernetes kind of the owner, like `Deployment`. */
  readonly kind: string;
  /** The pod spec (`spec.template.spec` of a Deployment); undefined when missing. */
  readonly spec: JsonObject | undefined;
  /** The pod labels (`spec.template.metadata.labels`). */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod annotations (`spec.template.metadata.annotations`). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Field path of the pod spec, for messages. */
  readonly specPath: string;
}

/** A container of a pod spec, named for messages. */
export interface ContainerOfPod {
  readonly values: JsonObject;
  /** `container "orders"` or `init container "migrate"`. */
  readonly label: string;
  readonly init: boolean;
}

/** The pod template of a resource, or undefined for a resource that runs no pods. */
export function podTemplateOf(resource: SynthesizedResource): PodTemplate | undefined {
  const where = POD_TEMPLATE_PATHS[resource.type];
  if (where === undefined) return undefined;
  if (where.template === undefined) {
    return {
      kind: where.kind,
      spec: block(resource.values.spec),
      labels: asStringMap(blockAt(resource.values, "metadata")?.labels) ?? {},
      annotations: asStringMap(blockAt(resource.values, "metadata")?.annotations) ?? {},
      specPath: "spec",
    };
  }
  const template = blockAt(resource.values, where.template);
  return {
    kind: where.kind,
    spec: block(template?.spec),
    labels: asStringMap(block(template?.metadata)?.labels) ?? {},
    annotations: asStringMap(block(template?.metadata)?.annotations) ?? {},
    specPath: `${where.template}.spec`,
  };
}

/** The containers of a pod spec, init containers first when asked for. */
export function containersOf(
  podSpec: JsonObject | undefined,
  options: { readonly includeInit: boolean },
): ContainerOfPod[] {
  if (podSpec === undefined) return [];
  const named = (values: JsonObject, index: number, init: boolean): ContainerOfPod => {
    const name = typeof values.name === "string" ? values.name : `#${index}`;
    return { values, init, label: `${init ? "init container" : "container"} "${name}"` };
  };
  const init = options.includeInit ? blocks(podSpec.init_container).map((c, i) => named(c, i, true)) : [];
  return [...init, ...blocks(podSpec.container).map((c, i) => named(c, i, false))];
}

/**
 * A security_context setting as Kubernetes applies it to a container: the container's
 * own value, else the pod's (for the settings that exist at both levels).
 */
export function effectiveSecurityValue(
  container: ContainerOfPod,
  podSpec: JsonObject | undefined,
  key: string,
): unknown {
  const own = block(container.values.security_context)?.[key];
  return own !== undefined && own !== null ? own : block(podSpec?.security_context)?.[key];
}
