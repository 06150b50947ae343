import { randomBytes } from "node:crypto";
import { EngineError, type DockerEngine } from "./docker-engine.js";

/**
 * One run of the container tests. Everything it creates on the engine (images,
 * networks, volumes, containers) carries its labels and a name starting with its id, so that
 * the run removes exactly what it made, even when a test fails, and never touches
 * what another run or a user made on the same engine.
 */

/** Marks every resource the container tests create. */
export const HARNESS_LABEL = "platform.test/harness";
/** The run a resource belongs to. */
export const RUN_LABEL = "platform.test/run";
/** When that run started (Unix seconds), so that a later run can remove what an aborted run left. */
export const STARTED_LABEL = "platform.test/started";

/** A run leaves nothing behind for longer than this, even when it was killed: CI itself stops after 90 minutes. */
export const STALE_RUN_SECONDS = 3 * 60 * 60;

/** The identity of one run. */
export interface TestRun {
  /** Lowercase, so that it can prefix image, network and container names. */
  readonly id: string;
  readonly startedAt: number;
}

/** A new run, with a fresh id. */
export function newTestRun(now = new Date()): TestRun {
  return { id: `ct-${randomBytes(4).toString("hex")}`, startedAt: Math.floor(now.getTime() / 1000) };
}

/** The labels of every resource of the run. */
export function runLabels(run: TestRun): Record<string, string> {
  return { [HARNESS_LABEL]: "containers", [RUN_LABEL]: run.id, [STARTED_LABEL]: String(run.startedAt) };
}

/** The name the run gives to a resource the local stack names `name`. */
export function runScopedName(run: TestRun, name: string): string {
  return `${run.id}-${name}`;
}

interface Labelled {
  readonly Id: string;
  readonly Labels?: Record<string, string> | null;
}

/** What a cleanup removed, for the log. */
export interface CleanupReport {
  readonly containers: number;
  readonly networks: number;
  readonly volumes: number;
  readonly images: number;
  readonly failures: readonly string[];
}

/**
 * Removes the run's containers (forcibly), then its networks and volumes, then its images.
 * Keeps going past a failure and reports every one, so one stuck resource does not
 * leave the others behind.
 */
export async function removeRunResources(
  engine: DockerEngine,
  run: TestRun,
  createdImageIds: readonly string[] = [],
): Promise<CleanupReport> {
  // Newest first, so that no image is removed before the images built on it.
  return removeLabelled(engine, `${RUN_LABEL}=${run.id}`, () => true, [...createdImageIds].reverse());
}

/** Removes what earlier runs left when they were killed before their own cleanup. */
export async function removeStaleRuns(engine: DockerEngine, now = new Date()): Promise<CleanupReport> {
  const cutoff = Math.floor(now.getTime() / 1000) - STALE_RUN_SECONDS;
  return removeLabelled(
    engine,
    HARNESS_LABEL,
    (labels) => Number(labels[STARTED_LABEL] ?? Number.POSITIVE_INFINITY) < cutoff,
  );
}

async function removeLabelled(
  engine: DockerEngine,
  label: string,
  selected: (labels: Record<string, string>) => boolean,
  /** Unlabelled images to remove after the labelled ones (the intermediate images of builds). */
  moreImageIds: readonly string[] = [],
): Promise<CleanupReport> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const failures: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (error) {
      if (error instanceof EngineError && error.status === 404) return true;
      failures.push(`${what}: ${(error as Error).message}`);
      return false;
    }
  };
  const pick = <T extends Labelled>(items: readonly T[]): T[] => items.filter((item) => selected(item.Labels ?? {}));

  const containers = pick(await engine.request<Labelled[]>("GET", `/containers/json?all=true&filters=${filters}`));
  let removedContainers = 0;
  for (const { Id } of containers) {
    if (
      await attempt(`container ${Id.slice(0, 12)}`, () =>
        engine.request("DELETE", `/containers/${Id}?force=true&v=true`),
      )
    )
      removedContainers++;
  }
  const networks = pick(await engine.request<Labelled[]>("GET", `/networks?filters=${filters}`));
  let removedNetworks = 0;
  for (const { Id } of networks) {
    if (await attempt(`network ${Id.slice(0, 12)}`, () => engine.request("DELETE", `/networks/${Id}`)))
      removedNetworks++;
  }
  const volumes =
    (
      await engine.request<{ Volumes: Array<{ Name: string; Labels?: Record<string, string> | null }> | null }>(
        "GET",
        `/volumes?filters=${filters}`,
      )
    ).Volumes ?? [];
  let removedVolumes = 0;
  for (const { Name } of volumes.filter((v) => selected(v.Labels ?? {}))) {
    if (await attempt(`volume ${Name}`, () => engine.request("DELETE", `/volumes/${encodeURIComponent(Name)}`)))
      removedVolumes++;
  }
  // Newest first: a build's final image before the base image it was built from.
  const images = pick(
    await engine.request<Array<Labelled & { Created: number }>>("GET", `/images/json?all=true&filters=${filters}`),
  ).sort((a, b) => b.Created - a.Created);
  const removedImages = await removeImages(engine, [...images.map((i) => i.Id), ...moreImageIds], (what, error) =>
    failures.push(`${what}: ${error.message}`),
  );
  return {
    containers: removedContainers,
    networks: removedNetworks,
    volumes: removedVolumes,
    images: removedImages,
    failures,
  };
}

/**
 * Removes images in the order given; an image that still has children (409: images made
 * within the same second, or an unlabelled intermediate image, can come after their
 * parent) is tried again after the others, pass after pass while a pass removes any.
 * Returns how many it removed; reports the ones it could not remove.
 */
async function removeImages(
  engine: DockerEngine,
  ids: readonly string[],
  failed: (what: string, error: Error) => void,
): Promise<number> {
  let removed = 0;
  let pending = [...new Set(ids)];
  let conflicts = new Map<string, Error>();
  while (pending.length > 0) {
    conflicts = new Map();
    for (const id of pending) {
      try {
        await engine.request("DELETE", `/images/${id}?force=true`, undefined, 120_000);
        removed++;
      } catch (error) {
        if (error instanceof EngineError && error.status === 404) continue;
        if (error instanceof EngineError && error.status === 409) conflicts.set(id, error);
        else failed(`image ${imageLabel(id)}`, error as Error);
      }
    }
    if (conflicts.size === pending.length) break;
    pending = [...conflicts.keys()];
  }
  for (const [id, error] of conflicts) failed(`image ${imageLabel(id)}`, error);
  return removed;
}

/** The short id of an image, as `docker images` shows it. */
function imageLabel(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}
