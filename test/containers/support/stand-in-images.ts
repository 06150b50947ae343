import { POSTGRES_IMAGES } from "../../../infra/targets/docker/local-postgres.js";
import { RABBITMQ_IMAGE } from "../../../infra/targets/rabbitmq-server.js";
import { REDIS_IMAGE } from "../../../infra/targets/redis-server.js";
import {
  DATA_SERVER_STAND_INS,
  DATA_SERVERS_SUITE,
  type DataServerFamily,
  type MadeImage,
  makeDataServerStandIn,
  makeDataServersRoot,
} from "./data-server-stand-ins.js";
import type { DockerEngine } from "./docker-engine.js";
import { HARNESS_LABEL, runLabels, type TestRun } from "./test-run.js";

/**
 * The images the local stack pulls (a `docker_image` without `build`), which no registry
 * here can provide: each is mapped by its exact name to a stand-in the run makes from
 * Debian's packages and tags with that name, so that the container is created from the
 * synthesized JSON unchanged. An image the engine already has (one a user loaded, not
 * one a run made) is used as it is. A name with no stand-in is refused, naming the ones
 * there are. The stand-ins of every family share one root file system with all the
 * servers (see data-server-stand-ins.ts), made once per run when the first is needed.
 */

/** Which stand-in a family of images gets. */
interface StandInRecipe {
  readonly family: DataServerFamily;
  /** What the stand-in is, for the log and the failure messages. */
  readonly description: string;
  /** The exact names it stands in for. */
  readonly names: readonly string[];
}

const NAMES_BY_FAMILY: Readonly<Record<DataServerFamily, readonly string[]>> = {
  postgres: Object.values(POSTGRES_IMAGES),
  redis: [REDIS_IMAGE],
  rabbitmq: [RABBITMQ_IMAGE],
};

const RECIPES: readonly StandInRecipe[] = Object.entries(NAMES_BY_FAMILY).map(([family, names]) => ({
  family: family as DataServerFamily,
  description: DATA_SERVER_STAND_INS[family as DataServerFamily].description,
  names,
}));

/** The names the run has a stand-in for. */
export const STAND_IN_NAMES: readonly string[] = RECIPES.flatMap((r) => r.names);

/** A pulled image as the run has it on the engine. */
export interface StandInImage {
  /** The name the stack declares, which the image is tagged with. */
  readonly name: string;
  readonly id: string;
  readonly sizeBytes: number;
  /**
   * Seconds the run spent making it (0 when another name's stand-in or the engine's own image
   * is used); the first stand-in made includes the shared root file system.
   */
  readonly buildSeconds: number;
  readonly description: string;
}

/** What became of a pulled image: its stand-in, or why there is none. */
export type StandInOutcome = StandInImage | { readonly name: string; readonly error: string };

/** Options of {@link prepareStandIns}. */
export interface PrepareStandInsOptions {
  readonly engine: DockerEngine;
  readonly run: TestRun;
  /** The names of the images the synthesized stacks pull. */
  readonly names: readonly string[];
  /** Bound of making one stand-in. @default the recipe's own */
  readonly timeoutMs?: number;
}

/** The stand-ins, by image name, and every image the run created for them (for its cleanup). */
export interface PreparedStandIns {
  readonly byName: Record<string, StandInOutcome>;
  readonly createdImageIds: readonly string[];
}

/** Makes (once per recipe) and tags the stand-in of each name; a failure is that name's outcome, not the run's. */
export async function prepareStandIns(options: PrepareStandInsOptions): Promise<PreparedStandIns> {
  const { engine, run } = options;
  const byName: Record<string, StandInOutcome> = {};
  const createdImageIds: string[] = [];
  const made = new Map<StandInRecipe, { id: string; seconds: number } | { error: string }>();
  let root: Promise<MadeImage> | undefined;
  const sharedRoot = (): Promise<MadeImage> => {
    root ??= makeDataServersRoot({
      engine,
      tag: `platform-test/data-servers:${DATA_SERVERS_SUITE}-${run.id}`,
      labels: runLabels(run),
      timeoutMs: options.timeoutMs,
    }).then(
      (image) => {
        createdImageIds.push(...image.createdImageIds);
        return image;
      },
      (error: Error & { createdImageIds?: string[] }) => {
        createdImageIds.push(...(error.createdImageIds ?? []));
        throw new Error(`their shared root file system was not made: ${error.message}`);
      },
    );
    return root;
  };
  for (const name of [...new Set(options.names)].sort()) {
    const own = await engine
      .request<{ Id: string; Size: number; Config?: { Labels?: Record<string, string> | null } }>(
        "GET",
        `/images/${encodeURIComponent(name)}/json`,
      )
      .catch(() => undefined);
    if (own && !own.Config?.Labels?.[HARNESS_LABEL]) {
      byName[name] = {
        name,
        id: own.Id,
        sizeBytes: own.Size,
        buildSeconds: 0,
        description: `the engine's own ${name}`,
      };
      continue;
    }
    const recipe = RECIPES.find((r) => r.names.includes(name));
    if (!recipe) {
      byName[name] = {
        name,
        error: `the local stack pulls ${name}, for which the container tests have no stand-in (no registry is reachable to pull it); stand-ins exist for ${STAND_IN_NAMES.join(", ")}. Load the image into the engine, or add a stand-in in test/containers/support/stand-in-images.ts`,
      };
      continue;
    }
    let result = made.get(recipe);
    if (!result) {
      const started = performance.now();
      try {
        const base = await sharedRoot();
        const image = await makeDataServerStandIn({
          engine,
          base: base.id,
          family: recipe.family,
          tag: name,
          labels: runLabels(run),
          timeoutMs: options.timeoutMs,
        });
        createdImageIds.push(...image.createdImageIds);
        result = { id: image.id, seconds: (performance.now() - started) / 1000 };
      } catch (error) {
        createdImageIds.push(...((error as { createdImageIds?: string[] }).createdImageIds ?? []));
        result = {
          error: `the stand-in for ${name} (${recipe.description}) was not made: ${(error as Error).message}`,
        };
      }
      made.set(recipe, result);
    } else if ("id" in result) {
      await engine.cli(["tag", result.id, name], { timeoutMs: 30_000 });
    }
    if ("error" in result) {
      byName[name] = { name, error: result.error };
      continue;
    }
    const inspected = await engine.request<{ Size: number }>("GET", `/images/${encodeURIComponent(result.id)}/json`);
    const first = Object.values(byName).every((o) => !("id" in o) || o.id !== result.id);
    byName[name] = {
      name,
      id: result.id,
      sizeBytes: inspected.Size,
      buildSeconds: first ? result.seconds : 0,
      description: `stand-in: ${recipe.description}`,
    };
  }
  return { byName, createdImageIds };
}
