/**
 * The Docker provider's resources this target uses, each imported from its own module.
 */
export { DockerProvider } from "@cdktf/provider-docker/lib/provider/index.js";
export { Image } from "@cdktf/provider-docker/lib/image/index.js";
export { Container } from "@cdktf/provider-docker/lib/container/index.js";
export type { ContainerNetworksAdvanced } from "@cdktf/provider-docker/lib/container/index.js";
export { Network } from "@cdktf/provider-docker/lib/network/index.js";
