/**
 * The Kubernetes provider's resources this target uses, each imported from its own
 * module: importing the package root loads every resource class (about 1.5 s, 250 MB).
 */
export { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider/index.js";
export { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1/index.js";
export { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1/index.js";
export { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1/index.js";
export { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1/index.js";
export { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js";
export { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js";
export { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1/index.js";
export type { NetworkPolicyV1SpecEgress, NetworkPolicyV1SpecIngress } from "@cdktf/provider-kubernetes/lib/network-policy-v1/index.js";
export { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1/index.js";
export { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1/index.js";
export { Manifest } from "@cdktf/provider-kubernetes/lib/manifest/index.js";
