import { describe, expect, it } from "vitest";
import { type DockerEngine, EngineError } from "./docker-engine.js";
import { LocalStack } from "./local-stack.js";
import { StackRunner } from "./stack-runner.js";
import { prepareStandIns, STAND_IN_NAMES } from "./stand-in-images.js";

const run = { id: "ct-1", startedAt: 0 };

/** An engine that has exactly the images given (by name), and fails the test on anything else. */
function engineWith(images: Record<string, { Id: string; Size: number; Config?: unknown }>): DockerEngine {
  return {
    request: async (method: string, path: string) => {
      const match = /^\/images\/([^/]+)\/json$/.exec(path);
      if (method !== "GET" || !match) throw new Error(`unexpected engine call ${method} ${path}`);
      const image = images[decodeURIComponent(match[1]!)];
      if (!image) throw new EngineError(method, path, 404, "No such image");
      return image;
    },
    cli: async (args: readonly string[]) => {
      throw new Error(`unexpected docker ${args.join(" ")}`);
    },
  } as unknown as DockerEngine;
}

describe("stand-ins of pulled images", () => {
  it("GIVEN an image no stand-in exists for WHEN the run prepares the pulled images THEN its outcome refuses it, naming the stand-ins there are", async () => {
    const prepared = await prepareStandIns({ engine: engineWith({}), run, names: ["redis:7.4.1-bookworm"] });
    expect(prepared.byName["redis:7.4.1-bookworm"]).toEqual({
      name: "redis:7.4.1-bookworm",
      error: `the local stack pulls redis:7.4.1-bookworm, for which the container tests have no stand-in (no registry is reachable to pull it); stand-ins exist for ${STAND_IN_NAMES.join(", ")}. Load the image into the engine, or add a stand-in in test/containers/support/stand-in-images.ts`,
    });
    expect(STAND_IN_NAMES).toContain("postgres:17.6-bookworm");
  });

  it("GIVEN the engine already has the pinned image, not made by a run WHEN the run prepares it THEN that image is used as it is and nothing is made", async () => {
    const engine = engineWith({ "postgres:17.6-bookworm": { Id: "sha256:official", Size: 4e8, Config: {} } });
    const prepared = await prepareStandIns({ engine, run, names: ["postgres:17.6-bookworm"] });
    expect(prepared.byName["postgres:17.6-bookworm"]).toMatchObject({
      id: "sha256:official",
      buildSeconds: 0,
      description: "the engine's own postgres:17.6-bookworm",
    });
    expect(prepared.createdImageIds).toEqual([]);
  });

  it("GIVEN a container of a pulled image WHEN the stack runner looks for its image THEN it refuses one without a stand-in with the reason", async () => {
    const stack = new LocalStack("/nowhere", {
      resource: {
        docker_image: { cache: { name: "redis:7.4.1-bookworm" } },
        docker_container: { cache: { name: "platform-local-orders-cache", image: "${docker_image.cache.image_id}" } },
      },
    });
    const container = stack.at("docker_container.cache");
    const refused = new StackRunner(
      engineWith({}),
      stack,
      run,
      "s",
      {},
      { "redis:7.4.1-bookworm": { name: "redis:7.4.1-bookworm", error: "no stand-in" } },
    );
    await expect(refused.imageOf(container)).rejects.toThrow("docker_image.cache: no stand-in");
    const unprepared = new StackRunner(engineWith({}), stack, run, "s", {}, {});
    await expect(unprepared.imageOf(container)).rejects.toThrow(
      "docker_image.cache: pulls redis:7.4.1-bookworm, and the run's setup prepared no stand-in for it",
    );
  });
});
