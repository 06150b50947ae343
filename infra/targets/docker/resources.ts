/**
 * The Docker provider's resources this target uses (and the Random provider's password,
 * which only this target needs), each loaded from its own module, with `require` (see
 * `requireCommonJs` in infra/engine/cdk.ts: no export scan of CommonJS).
 */
import { requireCommonJs } from "../../engine/cdk.js";
import type * as ProviderModule from "@cdktf/provider-docker/lib/provider/index.js";
import type * as ImageModule from "@cdktf/provider-docker/lib/image/index.js";
import type * as ContainerModule from "@cdktf/provider-docker/lib/container/index.js";
import type * as NetworkModule from "@cdktf/provider-docker/lib/network/index.js";
import type * as RandomProviderModule from "@cdktf/provider-random/lib/provider/index.js";
import type * as PasswordModule from "@cdktf/provider-random/lib/password/index.js";

export const { DockerProvider } = requireCommonJs(
  "@cdktf/provider-docker/lib/provider/index.js",
) as typeof ProviderModule;
export const { Image } = requireCommonJs("@cdktf/provider-docker/lib/image/index.js") as typeof ImageModule;
export const { Container } = requireCommonJs("@cdktf/provider-docker/lib/container/index.js") as typeof ContainerModule;
export const { Network } = requireCommonJs("@cdktf/provider-docker/lib/network/index.js") as typeof NetworkModule;
export const { RandomProvider } = requireCommonJs(
  "@cdktf/provider-random/lib/provider/index.js",
) as typeof RandomProviderModule;
export const { Password } = requireCommonJs("@cdktf/provider-random/lib/password/index.js") as typeof PasswordModule;
export type DockerProvider = ProviderModule.DockerProvider;
export type Image = ImageModule.Image;
export type Container = ContainerModule.Container;
export type { ContainerNetworksAdvanced } from "@cdktf/provider-docker/lib/container/index.js";
export type Network = NetworkModule.Network;
export type RandomProvider = RandomProviderModule.RandomProvider;
export type Password = PasswordModule.Password;
