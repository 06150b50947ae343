import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { isUnresolved, show } from "../values.js";

/** Why an image reference is not pinned, or undefined when it is (a tag other than latest, or a digest). */
export function unpinnedImageReason(image: string): string | undefined {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  if (colon < 0) return "has no tag, which means latest";
  const tag = lastSegment.slice(colon + 1);
  if (tag === "") return "has an empty tag";
  return tag === "latest" ? "uses the tag latest, which moves" : undefined;
}

/**
 * K8S-11 (error): every container image is pinned: a tag other than `latest`, or a
 * digest. An unpinned image makes two rollouts of one commit run different code.
 * Anchor: kube-linter latest-tag, Polaris tagNotSpecified, checkov CKV_K8S_14/43.
 */
export const pinnedImage: ResourceRule = {
  id: "K8S-11",
  level: "error",
  scope: "resource",
  checks: "container images have a pinned tag (not latest) or a digest",
  anchor: "kube-linter latest-tag; Polaris tagNotSpecified; checkov CKV_K8S_14/43",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      const image = container.values.image;
      if (isUnresolved(image)) {
        problems.unresolved(
          `${container.label}: image`,
          image,
          "give the image as a literal with a pinned tag or digest",
        );
        continue;
      }
      const reason = typeof image === "string" && image !== "" ? unpinnedImageReason(image) : "is unset";
      if (reason !== undefined)
        problems.add(
          `${container.label}: image ${show(image)} ${reason}`,
          "pin the image to a version tag or a digest (name:1.4.2 or name@sha256:...)",
        );
    }
    return problems.outcome();
  },
};
