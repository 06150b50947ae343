import type { ResourceChange } from "../../resource-changes.js";
import type { ConfigBlock } from "../../stack-snapshot.js";
import { isObject } from "../../values.js";
import { serviceOfOwner } from "../environment.js";
import { shortName } from "../resource-reports.js";
import type { RiskCheck } from "./risk-check.js";

/**
 * What deletes a service's data, listed before every other risk:
 * - a block that holds data (a CloudNativePG `Cluster`, a `RabbitmqCluster`, a
 *   PersistentVolumeClaim, a Docker volume) destroyed or replaced: its data goes with it (`prevent_destroy` stops a plan
 *   that destroys a Cluster, but not one whose block was removed from the configuration);
 * - a database container that mounts another data volume, or none: it starts empty; one
 *   destroyed (its volume is kept, and used by nothing);
 * - a PostgreSQL major version that changes: an upgrade of the data files, not a restart.
 */
export const dataLossRisks: RiskCheck = {
  kind: "data-loss",
  checks:
    "data deleted (a database, a volume claim, a volume), a database moved to another volume, a PostgreSQL major upgrade",
  check(environment) {
    const { before, after } = environment.diff;
    return [...environment.owners].flatMap((owner) =>
      environment
        .changesOf(owner)
        .filter((change) => change.kind === "resource")
        .flatMap((change) => {
          const was = before.blocks.get(change.address);
          const now = after.blocks.get(change.address);
          const found = dataLossOf(change, was, now);
          return found.map(({ code, reason }) => ({
            kind: "data-loss" as const,
            code,
            environment: environment.environment,
            service: serviceOfOwner(owner),
            resources: [change.address],
            reason,
          }));
        }),
    );
  },
};

/** The data-loss findings of one changed block. */
function dataLossOf(
  change: ResourceChange,
  was: ConfigBlock | undefined,
  now: ConfigBlock | undefined,
): Array<{ code: string; reason: string }> {
  const found: Array<{ code: string; reason: string }> = [];
  const holder = was && dataHolder(was);
  if (holder && (change.action === "delete" || change.action === "replace")) {
    const how = change.action === "delete" ? "is destroyed" : "is destroyed and created again (empty)";
    found.push({ code: "data-deleted", reason: `${holder} ${how}, and its data with it` });
  }
  const detached = was && change.action === "delete" ? databaseVolumes(was) : undefined;
  if (detached !== undefined)
    found.push({
      code: "data-detached",
      reason: `${shortName(change)} is destroyed; its data volume ${detached.join(", ") || "(none)"} is kept, and no database uses it`,
    });
  if (was && now && change.action !== "delete") {
    const volumesBefore = databaseVolumes(was);
    const volumesAfter = databaseVolumes(now);
    if (volumesBefore !== undefined && volumesAfter !== undefined && volumesBefore.join() !== volumesAfter.join())
      found.push({
        code: "data-volume-changed",
        reason: `${shortName(change)} mounted the data volume ${volumesBefore.join(", ") || "none"} and now mounts ${volumesAfter.join(", ") || "none"}: the database starts empty (the old volume is kept)`,
      });
    const majorBefore = postgresMajor(was);
    const majorAfter = postgresMajor(now);
    if (majorBefore !== undefined && majorAfter !== undefined && majorBefore !== majorAfter)
      found.push({
        code: "database-major-version",
        reason: `${shortName(change)} moves PostgreSQL from ${majorBefore} to ${majorAfter}: a major upgrade of the data files, which needs a tested upgrade path and a backup`,
      });
  }
  return found;
}

/** What the block holds data as, in a few words; undefined when it holds none. */
function dataHolder(block: ConfigBlock): string | undefined {
  if (block.type === "docker_volume") return `volume ${JSON.stringify(block.values.name)}`;
  if (block.type.startsWith("kubernetes_persistent_volume_claim"))
    return `PersistentVolumeClaim ${JSON.stringify(metadataName(block.values))}`;
  const manifest = block.type === "kubernetes_manifest" ? block.values.manifest : undefined;
  if (
    isObject(manifest) &&
    manifest.kind === "Cluster" &&
    String(manifest.apiVersion).startsWith("postgresql.cnpg.io/")
  )
    return `PostgreSQL cluster ${JSON.stringify(isObject(manifest.metadata) ? manifest.metadata.name : undefined)}`;
  // The RabbitMQ operator owns the volume claims of a RabbitmqCluster's nodes: they go when it goes.
  if (
    isObject(manifest) &&
    manifest.kind === "RabbitmqCluster" &&
    String(manifest.apiVersion).startsWith("rabbitmq.com/")
  )
    return `RabbitMQ cluster ${JSON.stringify(isObject(manifest.metadata) ? manifest.metadata.name : undefined)}`;
  return undefined;
}

/** The named volumes a database container (label platform.dev/backing-service) mounts; undefined for other blocks. */
function databaseVolumes(block: ConfigBlock): string[] | undefined {
  if (block.type !== "docker_container") return undefined;
  const labels = Array.isArray(block.values.labels) ? block.values.labels : [];
  if (!labels.some((label) => isObject(label) && label.label === "platform.dev/backing-service")) return undefined;
  const volumes = Array.isArray(block.values.volumes) ? block.values.volumes : [];
  return volumes
    .map((volume) => (isObject(volume) ? volume.volume_name : undefined))
    .filter((name): name is string => typeof name === "string")
    .sort();
}

/** The PostgreSQL major version a block runs: a CloudNativePG Cluster's image, a `postgres` image. */
function postgresMajor(block: ConfigBlock): string | undefined {
  const manifest = block.type === "kubernetes_manifest" ? block.values.manifest : undefined;
  const image =
    isObject(manifest) && manifest.kind === "Cluster" && isObject(manifest.spec)
      ? manifest.spec.imageName
      : block.type === "docker_image"
        ? block.values.name
        : undefined;
  if (typeof image !== "string") return undefined;
  return /(?:^|\/)(?:postgres|postgresql):(\d+)[.-]/.exec(image)?.[1];
}

/** `metadata.name` of a provider block (`metadata` is a list of one block, or an object). */
function metadataName(values: Readonly<Record<string, unknown>>): unknown {
  const metadata = Array.isArray(values.metadata) ? values.metadata[0] : values.metadata;
  return isObject(metadata) ? metadata.name : undefined;
}
