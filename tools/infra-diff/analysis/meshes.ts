import type { ServiceMeshName } from "../../../infra/mesh-settings.js";
import { meshesOfBlock } from "../mesh-facts.js";
import type { StackSnapshot } from "../stack-snapshot.js";
import type { EnvironmentAnalysis } from "./environment.js";

/** A service mesh the base of an environment has and its head has not, and the base's resources of it. */
export interface RemovedMesh {
  readonly mesh: ServiceMeshName;
  /** The meshes of the head, or `none`. */
  readonly now: string;
  /** The Terraform addresses of the base's resources of that mesh (its objects, the namespace that injects it). */
  readonly addresses: readonly string[];
}

/** The meshes of one side: those with an object, or a namespace injecting their proxies, in the stack. */
export function meshesOf(stack: StackSnapshot): Set<ServiceMeshName> {
  return new Set([...stack.blocks.values()].flatMap(meshesOfBlock));
}

/**
 * The meshes turned off in an environment (`PLATFORM_MESH` from `istio` to `none`, or to
 * another mesh): a change of the whole environment, which the risk checks state once
 * rather than once per object of the mesh that goes.
 */
export function removedMeshes(environment: EnvironmentAnalysis): RemovedMesh[] {
  const { before, after } = environment.diff;
  const now = [...meshesOf(after)];
  return [...meshesOf(before)]
    .filter((mesh) => !now.includes(mesh))
    .map((mesh) => ({
      mesh,
      now: now.join(", ") || "none",
      addresses: [...before.blocks.values()]
        .filter((block) => meshesOfBlock(block).includes(mesh))
        .map((block) => block.address),
    }));
}
