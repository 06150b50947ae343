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
 * The controller's values that put it in the environment's mesh; none without one. That nginx
 * sends each request to the Service, not to a pod IP it picked, is said by each public
 * Ingress (`meshIngressAnnotations`), so that a cluster's own controller reads it too.
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
  if (mesh === "istio")
    return {
      podLabels: { "sidecar.istio.io/inject": "true" },
      podAnnotations: { "traffic.sidecar.istio.io/includeInboundPorts": "" },
    };
  return { podAnnotations: { "linkerd.io/inject": "enabled" } };
}
