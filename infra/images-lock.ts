/**
 * The lock of the pushed images (`images.lock.json`): the one place that reads, checks
 * and writes it. The images workflow records each image it pushes
 * (`npm run images:lock -- <service> <version> <digest>`); the synth reads the lock and
 * the Kubernetes Deployments reference `<registry>/<service>:<version>@<digest>`.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { IMAGE_TAG } from "./discover-services.js";
import { PlatformError } from "./platform-error.js";
import { IMAGES_LOCK_FILE } from "./repository-layout.js";
import { formatFieldPath, formatValue } from "./spec/spec-error.js";
import { DNS_1035_LABEL } from "./spec/service-spec.js";

export { IMAGES_LOCK_FILE };

/** A registry digest as `docker buildx imagetools inspect` prints it: `sha256:` and 64 lowercase hex digits. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** What a digest may be, for messages. */
export const IMAGE_DIGEST_ACCEPTED =
  'a registry digest: "sha256:" and 64 lowercase hex digits (as docker buildx imagetools inspect prints it)';

/** What a service name may be, for messages. */
export const LOCKED_SERVICE_ACCEPTED =
  "a service's name (the folder under services/): lowercase letters, digits and '-', starting with a letter, at most 63 characters";

/** What a version may be, for messages. */
export const LOCKED_VERSION_ACCEPTED =
  "the version in the service's package.json, an image tag: letters, digits, '_', '.' and '-', at most 128 characters";

/** The service's name, as the lock's keys and `images:lock` take it. */
export const lockedServiceSchema = z.string({ error: `must be ${LOCKED_SERVICE_ACCEPTED}` }).regex(DNS_1035_LABEL, {
  error: `must be ${LOCKED_SERVICE_ACCEPTED}`,
});

/** The version an image was pushed with (its tag). */
export const lockedVersionSchema = z.string({ error: `must be ${LOCKED_VERSION_ACCEPTED}` }).regex(IMAGE_TAG, {
  error: `must be ${LOCKED_VERSION_ACCEPTED}`,
});

/** The digest the registry gave the pushed image. */
export const imageDigestSchema = z.string({ error: `must be ${IMAGE_DIGEST_ACCEPTED}` }).regex(IMAGE_DIGEST, {
  error: `must be ${IMAGE_DIGEST_ACCEPTED}`,
});

const lockedImageSchema = z.strictObject(
  { version: lockedVersionSchema, digest: imageDigestSchema },
  { error: 'must be an object { "version": ..., "digest": ... }' },
);

const imagesLockSchema = z.strictObject(
  {
    images: z.record(lockedServiceSchema, lockedImageSchema, { error: "must be an object of images by service name" }),
  },
  { error: 'must be an object { "images": { "<service>": { "version": ..., "digest": ... } } }' },
);

/** One pushed image: the version it was tagged with and the digest the registry gave it. */
export interface LockedImage {
  readonly version: string;
  readonly digest: string;
}

/** The lock: the last pushed image of each service, by service name. */
export interface ImagesLock {
  readonly images: Readonly<Record<string, LockedImage>>;
}

/** A lock with no image: what a repository without `images.lock.json` has. */
export const EMPTY_IMAGES_LOCK: ImagesLock = { images: {} };

/**
 * A lock file that cannot be used: each problem names the file, the field, the bad
 * value and what is accepted, one per line.
 */
export class ImagesLockError extends PlatformError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super("IMAGES_LOCK_INVALID", problems.map((problem) => `${file}: ${problem}`).join("\n"));
  }
}

/** Whether `error` is an {@link ImagesLockError}. */
export function isImagesLockError(error: unknown): error is ImagesLockError {
  return error instanceof ImagesLockError;
}

/**
 * The lock in `text`, checked.
 * @param file the file's name for messages (relative to the repository root)
 * @throws ImagesLockError when it is no JSON or not a lock
 */
export function parseImagesLock(text: string, file: string = IMAGES_LOCK_FILE): ImagesLock {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImagesLockError(file, [`(file): must be JSON (${(error as Error).message})`]);
  }
  const parsed = imagesLockSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ImagesLockError(
    file,
    parsed.error.issues.map((issue) => {
      const where = formatFieldPath(issue.path);
      if (issue.code === "unrecognized_keys") {
        const accepted = issue.path.length === 0 ? "images" : "version, digest";
        return `${formatFieldPath([...issue.path, issue.keys[0]!])}: is not a field of ${issue.path.length === 0 ? "the lock" : where} (accepted: ${accepted})`;
      }
      // A refused key of `images` is reported at the entry's path: the key is what is wrong.
      if (issue.code === "invalid_key")
        return `${where}: ${issue.issues[0]?.message ?? issue.message} (got ${formatValue(issue.path.at(-1))})`;
      return `${issue.path.length === 0 ? "(file)" : where}: ${issue.message} (got ${formatValue(valueAt(json, issue.path))})`;
    }),
  );
}

function valueAt(value: unknown, at: readonly PropertyKey[]): unknown {
  return at.reduce<unknown>(
    (current, key) =>
      typeof current === "object" && current !== null ? (current as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
}

/** The lock of the repository at `root` (`images.lock.json`); without that file, an empty lock. */
export function readImagesLock(root: string): ImagesLock {
  return readImagesLockFile(path.join(root, IMAGES_LOCK_FILE), IMAGES_LOCK_FILE);
}

/**
 * The lock in `file`; an empty lock when there is no such file.
 * @param shownAs the file's name in messages
 */
export function readImagesLockFile(file: string, shownAs: string = file): ImagesLock {
  if (!existsSync(file)) return EMPTY_IMAGES_LOCK;
  return parseImagesLock(readFileSync(file, "utf8"), shownAs);
}

/** The lock with `service`'s image recorded as `image` (the entry of another version replaced). */
export function withLockedImage(lock: ImagesLock, service: string, image: LockedImage): ImagesLock {
  return { images: { ...lock.images, [service]: { version: image.version, digest: image.digest } } };
}

/** The lock as its file holds it: services sorted by name, two-space indented, a newline at the end. */
export function renderImagesLock(lock: ImagesLock): string {
  const images = Object.fromEntries(
    Object.keys(lock.images)
      .sort()
      .map((service) => [service, { version: lock.images[service]!.version, digest: lock.images[service]!.digest }]),
  );
  return `${JSON.stringify({ images }, null, 2)}\n`;
}

/**
 * Writes `lock` to `file` whole or not at all: to a temporary file beside it, then a
 * rename, so that a reader (a synth, git) never sees half a lock.
 */
export function writeImagesLockFile(file: string, lock: ImagesLock): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, renderImagesLock(lock));
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
