import type { SynthesizedResource, SynthesizedStack } from "./synthesized-stack.js";
import { block } from "./values.js";

/** The Docker provider's container resource type. */
export const CONTAINER_TYPES: readonly string[] = ["docker_container"];

/** The `docker_image` a container's `image` refers to (`${docker_image.x.image_id}`), if it does. */
export function imageResourceOf(
  container: SynthesizedResource,
  stack: SynthesizedStack,
): { readonly image: SynthesizedResource; readonly attribute: string } | undefined {
  const reference = stack.referencedBy(container.values.image);
  if (reference === undefined || reference.resource.type !== "docker_image") return undefined;
  return { image: reference.resource, attribute: reference.attribute };
}

/** True for a `docker_image` Terraform builds (it has a `build` block), false for one it pulls. */
export function isBuiltImage(image: SynthesizedResource): boolean {
  return block(image.values.build) !== undefined;
}
