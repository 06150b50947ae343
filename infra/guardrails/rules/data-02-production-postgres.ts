import { DATA_OBJECT_TYPES, dataObjectOf, type DataObject } from "../data-objects.js";
import { NOT_APPLICABLE, ofTypes, Problems, type ResourceRule, type RuleContext } from "../rule.js";
import { asInteger, asString, block, firstUnresolved, show } from "../values.js";

/** The fewest PostgreSQL instances a production Cluster may run. */
export const PRODUCTION_MIN_INSTANCES = 2;
/** The annotation by which the platform says, on the Cluster, that its environment has no backup object store. */
export const NO_BACKUP_ANNOTATION = "platform.dev/backup";

/**
 * DATA-02 (error): in production, every CloudNativePG `Cluster` runs at least two
 * instances (unset means one: a node drain or a crash is an outage, and a lost volume
 * loses the data), archives to an object store (`spec.backup.barmanObjectStore`, or
 * `volumeSnapshot`), and a `ScheduledBackup` of the stack takes its base backups. A
 * Cluster the platform made without backups because the environment names no object
 * store (it says so in its `platform.dev/backup` annotation, and synth warns) is a
 * warning: the setting is the environment's (`PLATFORM_BACKUP_DESTINATION`), not the
 * service's. Not applicable outside production.
 * Anchor: CloudNativePG documentation (replication and high availability; backup).
 */
export const productionPostgres: ResourceRule = {
  id: "DATA-02",
  level: "error",
  scope: "resource",
  checks: `in production, PostgreSQL Clusters run at least ${PRODUCTION_MIN_INSTANCES} instances, archive to an object store and have a ScheduledBackup`,
  anchor: "CloudNativePG docs (HA, backups)",
  appliesTo: ofTypes(DATA_OBJECT_TYPES),
  check(resource, context) {
    if (!context.environment.production) return NOT_APPLICABLE;
    const object = dataObjectOf(resource, context.stack);
    if (object?.kind !== "postgres-cluster") return NOT_APPLICABLE;
    const manifest = block(resource.values.manifest);
    const spec = block(manifest?.spec);
    const problems = new Problems();

    const instances = spec?.instances ?? 1;
    const instancesFix = `set instances to ${PRODUCTION_MIN_INSTANCES} or more for production (the spec's backingServices.<name>.instances; 3 by default)`;
    if (firstUnresolved(instances) !== undefined) problems.unresolved("spec.instances", instances, instancesFix);
    else if ((asInteger(instances) ?? 0) < PRODUCTION_MIN_INSTANCES)
      problems.add(
        `${object.label} runs ${show(instances)} instance${asInteger(instances) === 1 ? "" : "s"} in production (spec.instances), so a node drain is an outage and a lost volume loses the data`,
        instancesFix,
      );

    const backup = block(spec?.backup);
    const archives = block(backup?.barmanObjectStore) !== undefined || block(backup?.volumeSnapshot) !== undefined;
    const scheduled = scheduledBackupsOf(object, context).length > 0;
    const backupFix =
      "set PLATFORM_BACKUP_DESTINATION and PLATFORM_BACKUP_CIDR for production: the platform then archives the Cluster and schedules a daily base backup";
    const none = asString(block(block(manifest?.metadata)?.annotations)?.[NO_BACKUP_ANNOTATION]);
    if (!archives && !scheduled && none?.startsWith("none") === true)
      problems.unverifiable(
        `${object.label} has no backups in production (${NO_BACKUP_ANNOTATION}: ${none})`,
        backupFix,
      );
    else {
      if (!archives)
        problems.add(
          `${object.label} has no spec.backup.barmanObjectStore (nor volumeSnapshot), so nothing archives it in production`,
          backupFix,
        );
      if (!scheduled)
        problems.add(
          `no ScheduledBackup of this stack backs up ${object.label} in production, so it has no base backup to restore`,
          backupFix,
        );
    }
    return problems.outcome();
  },
};

/** The `ScheduledBackup`s of the stack, in the Cluster's namespace, whose `spec.cluster.name` is the Cluster. */
function scheduledBackupsOf(object: DataObject, context: RuleContext) {
  const index = context.stack.kubernetes;
  const clusterName = index.resolveName(block(block(object.resource.values.manifest)?.metadata)?.name);
  return context.stack.ofType("kubernetes_manifest").filter((resource) => {
    const manifest = block(resource.values.manifest);
    if (manifest?.kind !== "ScheduledBackup" || !String(manifest.apiVersion ?? "").startsWith("postgresql.cnpg.io/"))
      return false;
    return (
      index.resolveName(block(manifest.metadata)?.namespace) === object.namespace &&
      index.resolveName(block(block(manifest.spec)?.cluster)?.name) === clusterName
    );
  });
}
