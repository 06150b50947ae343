import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  EMPTY_IMAGES_LOCK,
  ImagesLockError,
  parseImagesLock,
  readImagesLock,
  renderImagesLock,
  withLockedImage,
  writeImagesLockFile,
} from "../../infra/images-lock.js";
import { ROOT } from "../support/cli.js";
import { scratchFolders } from "../support/scratch.js";
import { thrownBy } from "../support/thrown.js";

const scratch = scratchFolders();
const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;

/** The problems of the lock `text`, each line as the error says it. */
function problemsOf(text: string): string[] {
  const error = thrownBy(() => parseImagesLock(text));
  expect(error).toBeInstanceOf(ImagesLockError);
  return (error as ImagesLockError).message.split("\n");
}

describe("the lock of the pushed images (images.lock.json)", () => {
  it("GIVEN a lock with an image per service WHEN parsed THEN each service has its version and digest", () => {
    const lock = parseImagesLock(JSON.stringify({ images: { orders: { version: "1.1.0", digest: DIGEST_A } } }));
    expect(lock).toEqual({ images: { orders: { version: "1.1.0", digest: DIGEST_A } } });
  });

  it("GIVEN the repository's committed lock WHEN read THEN it is a valid lock without any image: the examples' images were never pushed", () => {
    expect(readImagesLock(ROOT)).toEqual(EMPTY_IMAGES_LOCK);
    expect(readFileSync(path.join(ROOT, "images.lock.json"), "utf8")).toBe(renderImagesLock(EMPTY_IMAGES_LOCK));
  });

  it("GIVEN a repository without images.lock.json (a fresh clone of an older one) WHEN read THEN the lock is empty", () => {
    expect(readImagesLock(scratch.folder("images-lock-"))).toEqual(EMPTY_IMAGES_LOCK);
  });

  it("GIVEN a digest, a version and a service name that are not what is accepted WHEN parsed THEN each is named with the file, the field, the value and what is accepted", () => {
    expect(
      problemsOf(
        JSON.stringify({
          images: {
            orders: { version: "1.0.0 beta", digest: "sha256:ABC" },
            Gateway: { version: "1", digest: DIGEST_A },
          },
        }),
      ),
    ).toEqual([
      `images.lock.json: images.orders.version: must be the version in the service's package.json, an image tag: letters, digits, '_', '.' and '-', at most 128 characters (got "1.0.0 beta")`,
      `images.lock.json: images.orders.digest: must be a registry digest: "sha256:" and 64 lowercase hex digits (as docker buildx imagetools inspect prints it) (got "sha256:ABC")`,
      `images.lock.json: images.Gateway: must be a service's name (the folder under services/): lowercase letters, digits and '-', starting with a letter, at most 63 characters (got "Gateway")`,
    ]);
  });

  it("GIVEN an unknown field, a missing one and a file that is no JSON WHEN parsed THEN each says what is accepted", () => {
    expect(problemsOf(JSON.stringify({ images: {}, registry: "r" }))).toEqual([
      "images.lock.json: registry: is not a field of the lock (accepted: images)",
    ]);
    expect(problemsOf(JSON.stringify({ images: { orders: { version: "1.0.0", sha: DIGEST_A } } }))).toEqual([
      `images.lock.json: images.orders.digest: must be a registry digest: "sha256:" and 64 lowercase hex digits (as docker buildx imagetools inspect prints it) (got nothing)`,
      "images.lock.json: images.orders.sha: is not a field of images.orders (accepted: version, digest)",
    ]);
    expect(problemsOf("{ images")[0]).toMatch(/^images\.lock\.json: \(file\): must be JSON \(/);
    expect(problemsOf("[]")).toEqual([
      'images.lock.json: (file): must be an object { "images": { "<service>": { "version": ..., "digest": ... } } } (got [])',
    ]);
  });

  it("GIVEN a lock WHEN an image is recorded and the lock written THEN the entry of the other version is replaced, services are sorted, and no temporary file is left", () => {
    const folder = scratch.folder("images-lock-");
    const file = path.join(folder, "images.lock.json");
    const lock = withLockedImage(
      withLockedImage(EMPTY_IMAGES_LOCK, "orders", { version: "1.0.0", digest: DIGEST_A }),
      "catalog",
      { version: "2.0.0", digest: DIGEST_A },
    );
    writeImagesLockFile(file, withLockedImage(lock, "orders", { version: "1.1.0", digest: DIGEST_B }));
    expect(readFileSync(file, "utf8")).toBe(
      `{\n  "images": {\n    "catalog": {\n      "version": "2.0.0",\n      "digest": "${DIGEST_A}"\n    },\n    "orders": {\n      "version": "1.1.0",\n      "digest": "${DIGEST_B}"\n    }\n  }\n}\n`,
    );
    expect(readdirSync(folder)).toEqual(["images.lock.json"]);
    writeFileSync(file, "{}");
    expect(() => readImagesLock(folder)).toThrow(
      /^images\.lock\.json: images: must be an object of images by service name/,
    );
  });
});
