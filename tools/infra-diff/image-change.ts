/**
 * Image references as a reviewer reads them: a Deployment that moves from
 * `registry.example.com/platform/orders:1.0.0` to
 * `registry.example.com/platform/orders:1.1.0@sha256:0123…` changes `1.0.0 (no digest) ->
 * 1.1.0 (sha256:0123456789ab)`, not two long strings that differ at the end.
 */

/** An image reference in its parts: `<repository>[:<tag>][@<digest>]`. */
export interface ImageReference {
  /** Registry and path, such as `registry.example.com/platform/orders`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<hex>`. */
  readonly digest?: string;
}

/** Hex digits of a digest shown (as `docker images` shortens image ids). */
const SHORT_DIGEST_DIGITS = 12;

/** The parts of an image reference (a tag is what follows the last `:` after the last `/`). */
export function parseImageReference(image: string): ImageReference {
  const at = /@(sha256:[0-9a-f]+)$/.exec(image);
  const named = at ? image.slice(0, at.index) : image;
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  return {
    repository: hasTag ? named.slice(0, colon) : named,
    tag: hasTag ? named.slice(colon + 1) : undefined,
    digest: at?.[1],
  };
}

/** `sha256:` and the digest's first 12 hex digits. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(":") as [string, string];
  return `${algorithm}:${hex.slice(0, SHORT_DIGEST_DIGITS)}`;
}

/**
 * One side of an image change: its tag, with its short digest when it has one, or
 * `(no digest)` when only the other side has one; the tag alone when neither has.
 */
function version(image: ImageReference, other: ImageReference): string {
  const tag = image.tag ?? "(no tag)";
  if (image.digest !== undefined) return `${tag} (${shortDigest(image.digest)})`;
  return other.digest !== undefined ? `${tag} (no digest)` : tag;
}

/** The change of an image within one repository, as its two versions, or undefined when the repository changes. */
export interface ImageVersionChange {
  readonly repository: string;
  /** `1.0.0`, `1.0.0 (no digest)` or `1.0.0 (sha256:0123456789ab)`. */
  readonly before: string;
  readonly after: string;
}

/**
 * `before` and `after` as versions of one repository (`1.0.0 (sha256:…) -> 1.1.0
 * (sha256:…)`); undefined when they name different repositories.
 */
export function imageVersionChange(before: string, after: string): ImageVersionChange | undefined {
  const was = parseImageReference(before);
  const now = parseImageReference(after);
  if (was.repository !== now.repository) return undefined;
  return { repository: now.repository, before: version(was, now), after: version(now, was) };
}

/**
 * The attribute that holds the image a Deployment's container runs, as the report names
 * it: `spec.template.spec.container.image`, or `container[<name>].image` among several.
 */
const DEPLOYMENT_IMAGE_PATH = /^spec\.template\.spec\.container(\[[^\]]+\])?\.image$/;

/**
 * A Deployment's image that changes its digest (a lock entry added, a version bumped with
 * its digest): its change as versions, for the resource's attribute line. Undefined for
 * any other attribute, and for an image change without a digest on either side, whose
 * two strings are short enough already.
 */
export function deploymentImageChange(
  resourceType: string,
  attribute: { readonly path: string; readonly before?: unknown; readonly after?: unknown },
): ImageVersionChange | undefined {
  if (resourceType !== "kubernetes_deployment_v1" || !DEPLOYMENT_IMAGE_PATH.test(attribute.path)) return undefined;
  const { before, after } = attribute;
  if (typeof before !== "string" || typeof after !== "string") return undefined;
  if (!before.includes("@") && !after.includes("@")) return undefined;
  return imageVersionChange(before, after);
}
