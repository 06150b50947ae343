/**
 * The Kubernetes provider's resources this target uses, each imported from its own
 * module: importing the package root loads every resource class (about 1.5 s, 250 MB).
 * Loaded with `require` (see `requireCommonJs` in infra/engine/cdk.ts: no export scan of CommonJS).
 */
import { requireCommonJs } from "../../engine/cdk.js";
import type * as ProviderModule from "@cdktf/provider-kubernetes/lib/provider/index.js";
import type * as NamespaceV1Module from "@cdktf/provider-kubernetes/lib/namespace-v1/index.js";
import type * as ServiceAccountV1Module from "@cdktf/provider-kubernetes/lib/service-account-v1/index.js";
import type * as DeploymentV1Module from "@cdktf/provider-kubernetes/lib/deployment-v1/index.js";
import type * as ServiceV1Module from "@cdktf/provider-kubernetes/lib/service-v1/index.js";
import type * as HorizontalPodAutoscalerV2Module from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js";
import type * as PodDisruptionBudgetV1Module from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js";
import type * as NetworkPolicyV1Module from "@cdktf/provider-kubernetes/lib/network-policy-v1/index.js";
import type * as IngressV1Module from "@cdktf/provider-kubernetes/lib/ingress-v1/index.js";
import type * as ConfigMapV1Module from "@cdktf/provider-kubernetes/lib/config-map-v1/index.js";
import type * as ManifestModule from "@cdktf/provider-kubernetes/lib/manifest/index.js";
import type * as StatefulSetV1Module from "@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js";
import type * as SecretV1Module from "@cdktf/provider-kubernetes/lib/secret-v1/index.js";
import type * as RandomProviderModule from "@cdktf/provider-random/lib/provider/index.js";
import type * as PasswordModule from "@cdktf/provider-random/lib/password/index.js";

export const { KubernetesProvider } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/provider/index.js",
) as typeof ProviderModule;
export const { NamespaceV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/namespace-v1/index.js",
) as typeof NamespaceV1Module;
export const { ServiceAccountV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/service-account-v1/index.js",
) as typeof ServiceAccountV1Module;
export const { DeploymentV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/deployment-v1/index.js",
) as typeof DeploymentV1Module;
export const { ServiceV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/service-v1/index.js",
) as typeof ServiceV1Module;
export const { HorizontalPodAutoscalerV2 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2/index.js",
) as typeof HorizontalPodAutoscalerV2Module;
export const { PodDisruptionBudgetV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1/index.js",
) as typeof PodDisruptionBudgetV1Module;
export const { NetworkPolicyV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/network-policy-v1/index.js",
) as typeof NetworkPolicyV1Module;
export const { IngressV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/ingress-v1/index.js",
) as typeof IngressV1Module;
export const { ConfigMapV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/config-map-v1/index.js",
) as typeof ConfigMapV1Module;
export const { Manifest } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/manifest/index.js",
) as typeof ManifestModule;
export const { StatefulSetV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/stateful-set-v1/index.js",
) as typeof StatefulSetV1Module;
export const { SecretV1 } = requireCommonJs(
  "@cdktf/provider-kubernetes/lib/secret-v1/index.js",
) as typeof SecretV1Module;
/** The Random provider and its password: the Redis stores' passwords (in the state, never in the JSON). */
export const { RandomProvider } = requireCommonJs(
  "@cdktf/provider-random/lib/provider/index.js",
) as typeof RandomProviderModule;
export const { Password } = requireCommonJs("@cdktf/provider-random/lib/password/index.js") as typeof PasswordModule;
export type KubernetesProvider = ProviderModule.KubernetesProvider;
export type StatefulSetV1 = StatefulSetV1Module.StatefulSetV1;
export type SecretV1 = SecretV1Module.SecretV1;
export type RandomProvider = RandomProviderModule.RandomProvider;
export type Password = PasswordModule.Password;
export type NamespaceV1 = NamespaceV1Module.NamespaceV1;
export type ServiceAccountV1 = ServiceAccountV1Module.ServiceAccountV1;
export type DeploymentV1 = DeploymentV1Module.DeploymentV1;
export type ServiceV1 = ServiceV1Module.ServiceV1;
export type HorizontalPodAutoscalerV2 = HorizontalPodAutoscalerV2Module.HorizontalPodAutoscalerV2;
export type PodDisruptionBudgetV1 = PodDisruptionBudgetV1Module.PodDisruptionBudgetV1;
export type NetworkPolicyV1 = NetworkPolicyV1Module.NetworkPolicyV1;
export type {
  NetworkPolicyV1SpecEgress,
  NetworkPolicyV1SpecIngress,
} from "@cdktf/provider-kubernetes/lib/network-policy-v1/index.js";
export type IngressV1 = IngressV1Module.IngressV1;
export type ConfigMapV1 = ConfigMapV1Module.ConfigMapV1;
export type Manifest = ManifestModule.Manifest;
