import type { ImagesLock } from "../../images-lock.js";
import type { ServiceSpec } from "../../spec/model.js";

/**
 * How a Deployment names its service's image:
 * - `spec`: the image the spec names (`image: "..."`), as it is;
 * - `digest`: the built image, `<registry>/<service>:<version>@<digest>`, the lock having
 *   recorded that version's digest;
 * - `tag`: the built image by its tag alone, `<registry>/<service>:<version>`, since the
 *   lock has no digest for that version (`lockedVersion` is the other version it has, if any).
 */
export type DeployedImage =
  | { readonly kind: "spec"; readonly reference: string }
  | { readonly kind: "digest"; readonly reference: string; readonly version: string; readonly digest: string }
  | { readonly kind: "tag"; readonly reference: string; readonly version: string; readonly lockedVersion?: string };

/**
 * The image a service's Deployment runs. A built image is referenced by its digest
 * when the lock records the service at the version of its package.json: a tag can be
 * pushed again, a digest always names the same image. An entry of another version is
 * stale (the version was bumped since, and its image not recorded yet) and is not used.
 *
 * @param registry where the images are pushed (`PLATFORM_IMAGE_REGISTRY`)
 */
export function deployedImage(spec: ServiceSpec, registry: string, lock: ImagesLock): DeployedImage {
  if (spec.source.kind === "image") return { kind: "spec", reference: spec.source.image };
  const tagged = `${registry}/${spec.name}:${spec.version}`;
  const locked = Object.hasOwn(lock.images, spec.name) ? lock.images[spec.name] : undefined;
  if (locked?.version === spec.version)
    return { kind: "digest", reference: `${tagged}@${locked.digest}`, version: spec.version, digest: locked.digest };
  return { kind: "tag", reference: tagged, version: spec.version, lockedVersion: locked?.version };
}

/**
 * One environment's warning for the images deployed by tag (none: undefined): each
 * service with its version, and what records the digest.
 */
export function imagesByTagWarning(
  environment: string,
  images: ReadonlyArray<{ readonly service: string; readonly image: DeployedImage }>,
  lockFile: string,
): string | undefined {
  const byTag = [...images]
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0))
    .flatMap(({ service, image }) =>
      image.kind === "tag"
        ? [
            `${service} ${image.version}${image.lockedVersion === undefined ? "" : ` (the lock's ${image.lockedVersion} is stale)`}`,
          ]
        : [],
    );
  if (byTag.length === 0) return undefined;
  return `${environment}: ${byTag.length === 1 ? "1 image is" : `${byTag.length} images are`} deployed by tag, not by digest, as ${lockFile} has no digest for ${byTag.length === 1 ? "its version" : "their versions"}: ${byTag.join(", ")}. The images workflow (.github/workflows/images.yml) records each digest when it pushes the image (npm run images:lock -- <service> <version> <digest>), in a pull request to merge`;
}
