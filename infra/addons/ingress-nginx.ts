import type { KubernetesEnvironment } from "../environments.js";

/**
 * The values of ingress-nginx in `environment`'s ingress namespace: its IngressClass is
 * the environment's `ingressClassName`, which the public Ingresses name, and it is not
 * the cluster's default class (an Ingress of something else stays its own business).
 */
export function ingressNginxValues(environment: KubernetesEnvironment): Record<string, unknown> {
  const { ingressClassName } = environment.kubernetes;
  return {
    controller: {
      ingressClass: ingressClassName,
      ingressClassResource: { name: ingressClassName, enabled: true, default: false },
    },
  };
}
