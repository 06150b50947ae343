import { describe, expect, it } from "vitest";
import { type DockerEngine, EngineError } from "./docker-engine.js";
import { removeRunResources } from "./test-run.js";

const run = { id: "ct-1", startedAt: 0 };

/**
 * An engine with nothing labelled and the images given, each with its parent: deleting an
 * image that still has a child answers 409, as the engine does ("image has dependent
 * child images"). Records the order in which images were deleted.
 */
function engineWithImages(parents: Record<string, string | undefined>) {
  const images = new Map(Object.entries(parents));
  const deleted: string[] = [];
  const engine = {
    request: async (method: string, path: string) => {
      if (method === "GET" && /^\/(containers\/json|networks|images\/json)/.test(path)) return [];
      if (method === "GET" && path.startsWith("/volumes")) return { Volumes: [] };
      const image = /^\/images\/([^/?]+)\?force=true$/.exec(path)?.[1];
      if (method === "DELETE" && image !== undefined) {
        if (!images.has(image)) throw new EngineError(method, path, 404, "No such image");
        if ([...images.values()].includes(image))
          throw new EngineError(
            method,
            path,
            409,
            `conflict: unable to delete ${image} - image has dependent child images`,
          );
        images.delete(image);
        deleted.push(image);
        return [];
      }
      throw new Error(`unexpected engine call ${method} ${path}`);
    },
  } as unknown as DockerEngine;
  return { engine, deleted, left: () => [...images.keys()] };
}

describe("removing a run's images", () => {
  it("GIVEN images listed before the images built on them WHEN the run is removed THEN a second pass removes the parents that answered 409, and nothing fails", async () => {
    const { engine, deleted, left } = engineWithImages({ base: undefined, stage: "base", final: "stage" });
    const report = await removeRunResources(engine, run, ["final", "stage", "base"]);
    expect(report.failures).toEqual([]);
    expect(report.images).toBe(3);
    expect(deleted).toEqual(["final", "stage", "base"]);
    expect(left()).toEqual([]);
  });

  it("GIVEN an image whose child is not the run's WHEN the run is removed THEN it is reported once, with the engine's answer", async () => {
    const { engine, left } = engineWithImages({ base: undefined, someone: "base" });
    const report = await removeRunResources(engine, run, ["base"]);
    expect(report.failures).toEqual([
      "image base: Docker Engine DELETE /images/base?force=true answered 409: conflict: unable to delete base - image has dependent child images",
    ]);
    expect(left()).toEqual(["base", "someone"]);
  });
});
