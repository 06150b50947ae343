import type { KubernetesEnvironment } from "../environments.js";

/**
 * The values of ingress-nginx in `environment`'s ingress namespace: its IngressClass is
 * the environment's `ingressClassName`, which the public Ingresses name, and it is not
 * the cluster's default class (an Ingress of something else stays its own business).
 *
 * With a mesh (`kubernetes.mesh`), the controller's pods join it, so that their calls to
 * the services carry the identity of the ingress namespace, which the services' mesh
 * policies let in, over mutual TLS ({@link ingressNginxMeshValues}).
 */
export function ingressNginxValues(environment: KubernetesEnvironment): Record<string, unknown> {
  const { ingressClassName } = environment.kubernetes;
  return {
    controller: {
      ingressClass: ingressClassName,
      ingressClassResource: { name: ingressClassName, enabled: true, default: false },
      ...ingressNginxMeshValues(environment),
    },
  };
}

/**
 * The controller's values that put it in the environment's mesh; none without one. Both
 * meshes: nginx sends each request to the Service (`service-upstream`), not to a pod IP it
 * picked, so that the proxy sees a destination of the mesh and applies its routes, retries
 * and mutual TLS. Then:
 * - Istio: a sidecar (pod label `sidecar.istio.io/inject`; the ingress namespace is not
 *   labelled for injection), with inbound interception off
 *   (`traffic.sidecar.istio.io/includeInboundPorts: ""`): clients outside the mesh reach
 *   nginx directly, and only its calls to the services go through the sidecar;
 * - Linkerd: the proxy (`linkerd.io/inject: enabled`), whose identity is the controller's
 *   service account in the ingress namespace.
 */
export function ingressNginxMeshValues(environment: KubernetesEnvironment): Record<string, unknown> {
  const { mesh } = environment.kubernetes;
  if (mesh === "none") return {};
  const serviceUpstream = { config: { "service-upstream": "true" } };
  if (mesh === "istio")
    return {
      ...serviceUpstream,
      podLabels: { "sidecar.istio.io/inject": "true" },
      podAnnotations: { "traffic.sidecar.istio.io/includeInboundPorts": "" },
    };
  return { ...serviceUpstream, podAnnotations: { "linkerd.io/inject": "enabled" } };
}
