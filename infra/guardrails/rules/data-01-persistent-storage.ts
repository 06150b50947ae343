import { type DataObject, DATA_OBJECT_TYPES, dataObjectOf, dataPathOfImage, imageNameOf } from "../data-objects.js";
import { containersOf, podTemplateOf } from "../kubernetes-pods.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule, type RuleContext } from "../rule.js";
import type { JsonObject } from "../synthesized-stack.js";
import { asString, block, blocks, isUnresolved, show } from "../values.js";

/**
 * DATA-01 (error): a backing service keeps its data on storage that outlives its
 * container or pod. On Docker, the data container mounts a named volume at the path its
 * image keeps its data in (`/var/lib/postgresql/data`, `/data`, `/var/lib/rabbitmq`):
 * not a tmpfs, not a bind mount of the host, not nothing (the container's own layer, gone
 * with it). On Kubernetes, a CloudNativePG `Cluster` declares `storage.size`, a
 * `RabbitmqCluster` declares `persistence.storage` (zero means none), and a backing
 * service's StatefulSet mounts a `volume_claim_template` at its data path, never an
 * emptyDir.
 * Anchor: CloudNativePG storage, score-k8s (volumes for data).
 */
export const persistentStorage: ResourceRule = {
  id: "DATA-01",
  level: "error",
  scope: "resource",
  checks:
    "a backing service's data is on a named volume (Docker) or a PersistentVolumeClaim of a declared size, never tmpfs or emptyDir",
  anchor: "CloudNativePG storage; score-k8s",
  appliesTo: ofTypes(DATA_OBJECT_TYPES),
  check(resource, context) {
    const object = dataObjectOf(resource, context.stack);
    if (object === undefined) return NOT_APPLICABLE;
    const problems = new Problems();
    if (object.kind === "container") checkContainer(object, context, problems);
    else if (object.kind === "stateful-set") checkStatefulSet(object, problems);
    else {
      const spec = block(block(resource.values.manifest)?.spec);
      const [field, value] =
        object.kind === "postgres-cluster"
          ? ["spec.storage.size", block(spec?.storage)?.size]
          : ["spec.persistence.storage", block(spec?.persistence)?.storage];
      checkSize(object, field, value, problems);
    }
    return problems.outcome();
  },
};

/** True for a path at or above `dataPath`: a mount there holds the data. */
function covers(mountPath: unknown, dataPath: string): boolean {
  if (typeof mountPath !== "string") return false;
  const parent = mountPath.replace(/\/+$/, "");
  return dataPath === parent || dataPath.startsWith(`${parent}/`);
}

function checkSize(object: DataObject, field: string, value: unknown, problems: Problems): void {
  const fix = `set ${field} to the size the spec declares (like "1Gi")`;
  if (isUnresolved(value)) problems.unresolved(field, value, fix);
  else if (value === undefined || value === null || value === "")
    problems.add(`${object.label} has no ${field}, so its data is on no PersistentVolumeClaim of a declared size`, fix);
  else if (/^0+(\.0+)?[A-Za-z]*$/.test(String(value).trim()))
    problems.add(`${object.label} has ${field} ${show(value)}, so its data is on no persistent storage`, fix);
}

function checkContainer(object: DataObject, context: RuleContext, problems: Problems): void {
  const values = object.resource.values;
  const image = imageNameOf(object.resource, context.stack);
  const dataPath = dataPathOfImage(image);
  if (dataPath === undefined) {
    problems.unverifiable(
      `${object.label} runs image ${show(image)}, whose data path the platform does not know, so its storage cannot be checked`,
      "run the official PostgreSQL, Redis or RabbitMQ image",
    );
    return;
  }
  const fix = `mount a named volume (volume_name) at ${dataPath}`;
  const tmpfs = Object.keys(block(values.tmpfs) ?? {}).filter((path) => covers(path, dataPath));
  for (const path of tmpfs)
    problems.add(
      `${object.label} has a tmpfs at ${path}, so its data at ${dataPath} is lost when the container stops`,
      fix,
    );
  const mounts: JsonObject[] = [
    ...blocks(values.volumes).filter((v) => covers(v.container_path, dataPath)),
    ...blocks(values.mounts)
      .filter((m) => covers(m.target, dataPath))
      .map((m) => ({
        container_path: m.target,
        ...(m.type === "volume"
          ? { volume_name: m.source }
          : m.type === "bind"
            ? { host_path: m.source }
            : { tmpfs: true }),
      })),
  ];
  for (const mount of mounts) {
    if (mount.tmpfs === true)
      problems.add(
        `${object.label} mounts a tmpfs at ${show(mount.container_path)}, so its data is lost when the container stops`,
        fix,
      );
    else if (asString(mount.host_path) !== undefined)
      problems.add(
        `${object.label} keeps its data in a bind mount of the host's ${show(mount.host_path)}, not a named volume`,
        fix,
      );
    else if (asString(mount.volume_name) === undefined && asString(mount.from_container) === undefined)
      problems.add(
        `${object.label} mounts an anonymous volume at ${show(mount.container_path)}, which nothing names or keeps`,
        fix,
      );
  }
  if (mounts.length === 0 && tmpfs.length === 0)
    problems.add(
      `${object.label} mounts nothing at ${dataPath}, so its data is in the container's own layer and lost with it`,
      fix,
    );
}

function checkStatefulSet(object: DataObject, problems: Problems): void {
  const pod = podTemplateOf(object.resource)!;
  const claims = new Set(
    blocks(block(object.resource.values.spec)?.volume_claim_template)
      .map((claim) => asString(block(claim.metadata)?.name))
      .filter((name) => name !== undefined),
  );
  const emptyDirs = new Set(
    blocks(pod.spec?.volume)
      .filter((volume) => volume.empty_dir !== undefined && volume.empty_dir !== null)
      .map((volume) => asString(volume.name)),
  );
  const containers = containersOf(pod.spec, { includeInit: false });
  const fix = (path: string) => `mount a volume_claim_template (a PersistentVolumeClaim of the spec's size) at ${path}`;
  let checked = 0;
  for (const container of containers) {
    const image = asString(container.values.image);
    const dataPath = dataPathOfImage(image);
    if (dataPath === undefined) continue;
    checked += 1;
    const mounts = blocks(container.values.volume_mount).filter((m) => covers(m.mount_path, dataPath));
    if (mounts.length === 0)
      problems.add(
        `${object.label}: ${container.label} mounts nothing at ${dataPath}, so its data is lost with the pod`,
        fix(dataPath),
      );
    for (const mount of mounts) {
      const name = asString(mount.name);
      if (emptyDirs.has(name))
        problems.add(
          `${object.label}: ${container.label} keeps its data at ${dataPath} in emptyDir "${name}", which is lost with the pod`,
          fix(dataPath),
        );
      else if (name === undefined || !claims.has(name))
        problems.add(
          `${object.label}: ${container.label} mounts volume ${show(name)} at ${dataPath}, which is no volume_claim_template`,
          fix(dataPath),
        );
    }
  }
  if (checked === 0 && claims.size === 0)
    problems.add(
      `${object.label} has no volume_claim_template, so its data is on no PersistentVolumeClaim`,
      fix("its data path"),
    );
}
