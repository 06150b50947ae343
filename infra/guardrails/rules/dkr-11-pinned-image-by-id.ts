import { CONTAINER_TYPES, imageResourceOf } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, isUnresolved, show } from "../values.js";
import { unpinnedImageReason } from "./k8s-11-pinned-image.js";

/**
 * DKR-11 (error): every container runs the image Terraform built or pulled, by its id
 * (`image = docker_image.x.image_id`), not a name the engine resolves at create time;
 * that image's name is pinned (a tag other than latest, or a digest), and so is every
 * base image it is built from (build arguments named `*IMAGE`).
 * Anchor: CIS Docker Benchmark 4.2 (and 5.27: no pull of a moving tag).
 */
export const dockerPinnedImageById: ResourceRule = {
  id: "DKR-11",
  level: "error",
  scope: "resource",
  checks: "containers use a docker_image's image_id; that image and its *IMAGE build arguments are pinned (not latest)",
  anchor: "CIS Docker 4.2",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource, context) {
    const problems = new Problems();
    const reference = imageResourceOf(resource, context.stack);
    if (reference === undefined) {
      const image = resource.values.image;
      if (
        typeof image === "string" &&
        !isUnresolved(image) &&
        unpinnedImageReason(image) === undefined &&
        image.includes("@sha256:")
      )
        return problems.outcome();
      return problems
        .add(
          `image is ${show(image)}, not the image_id of a docker_image of this stack, so the engine runs whatever that name points to`,
          "set image = docker_image.<name>.image_id (the service's ServiceImage)",
        )
        .outcome();
    }
    const { image, attribute } = reference;
    if (attribute !== "image_id")
      problems.add(
        `image refers to ${image.address}.${attribute}, not its image_id`,
        `set image = ${image.address}.image_id`,
      );
    const name = image.values.name;
    if (isUnresolved(name))
      problems.unresolved(`${image.address} name`, name, "give the image name as a literal with a pinned tag");
    else {
      const reason = typeof name === "string" && name !== "" ? unpinnedImageReason(name) : "is unset";
      if (reason)
        problems.add(
          `runs ${image.address}, whose name ${show(name)} ${reason}`,
          "pin the image to a version tag or a digest",
        );
    }
    const buildArgs = block(block(image.values.build)?.build_args) ?? {};
    for (const [arg, value] of Object.entries(buildArgs)) {
      if (!/IMAGE$/.test(arg)) continue;
      if (isUnresolved(value))
        problems.unresolved(
          `${image.address} build argument ${arg}`,
          value,
          "give the base image as a literal with a pinned tag",
        );
      else if (typeof value === "string") {
        const reason = unpinnedImageReason(value);
        if (reason)
          problems.add(
            `builds ${image.address} from ${arg}=${value}, which ${reason}`,
            "pin the base image (PLATFORM_BASE_IMAGE) to a version tag or a digest",
          );
      }
    }
    return problems.outcome();
  },
};
