/**
 * The Helm provider's classes the add-ons stacks use, each from its own module (the
 * package root loads every class). Loaded with `require`, as infra/targets/kubernetes/resources.ts does.
 */
import { requireCommonJs } from "../engine/cdk.js";
import type * as HelmProviderModule from "@cdktf/provider-helm/lib/provider/index.js";
import type * as ReleaseModule from "@cdktf/provider-helm/lib/release/index.js";

export const { HelmProvider } = requireCommonJs(
  "@cdktf/provider-helm/lib/provider/index.js",
) as typeof HelmProviderModule;
export const { Release } = requireCommonJs("@cdktf/provider-helm/lib/release/index.js") as typeof ReleaseModule;
export type HelmProvider = HelmProviderModule.HelmProvider;
export type Release = ReleaseModule.Release;
