/**
 * Every name the platform derives from the service names in one environment, in one
 * registry: Docker container, network and volume names locally; Kubernetes object names
 * (those the platform creates, the namespace-wide ones, and the ones CloudNativePG
 * derives from a Cluster's name) on Kubernetes. Names are joined with '-', so two
 * different specs can derive one name (service `a` with database `b-c` and service
 * `a-b` with database `c` both make the Cluster `a-b-c`); the synth refuses that, in
 * both service files, each naming the other, instead of letting one object replace the other.
 */
import { BACKING_SERVICE_NOUNS, type BackingServiceType, dataResourceName } from "./backing-services.js";
import type { ServiceSpec } from "./resolve.js";
import { formatValue, type SpecProblem } from "./spec-error.js";

/**
 * The longest `<service>-<resource>` of a PostgreSQL database: CloudNativePG's webhook
 * refuses a Cluster name over 50 characters (its pods, Services and Secrets add suffixes to it).
 */
export const MAX_DATA_RESOURCE_NAME_LENGTH = 50;

/**
 * The longest `<service>-<resource>` of each type, and why: a StatefulSet's name must
 * leave room in 63 characters for the `controller-revision-hash` label of its pods
 * (its name, '-' and 10 characters), so at most 52; the RabbitMQ operator names its
 * StatefulSet `<name>-server`.
 */
export const MAX_DATA_NAME_LENGTH: Readonly<Record<BackingServiceType, { length: number; why: string }>> = {
  postgres: { length: MAX_DATA_RESOURCE_NAME_LENGTH, why: "CloudNativePG refuses a longer Cluster name" },
  redis: {
    length: 52,
    why: "the Redis StatefulSet's name must leave room for its pods' controller-revision-hash label in 63 characters",
  },
  queue: {
    length: 45,
    why: "the RabbitMQ operator's StatefulSet '<name>-server' must leave room for its pods' controller-revision-hash label in 63 characters",
  },
};

/** The objects the RabbitMQ cluster operator derives from a RabbitmqCluster's name. */
const RABBITMQ_DERIVED: ReadonlyArray<readonly [kind: string, suffix: string]> = [
  ["StatefulSet", "-server"],
  ["Service", ""],
  ["Service", "-nodes"],
  ["Secret", "-default-user"],
  ["Secret", "-erlang-cookie"],
  ["ConfigMap", "-server-conf"],
  ["ConfigMap", "-plugins-conf"],
  ["ServiceAccount", "-server"],
  ["Role", "-peer-discovery"],
  ["RoleBinding", "-server"],
];

/** The Cluster-derived Services, Secrets and PodDisruptionBudgets CloudNativePG makes. */
const CNPG_DERIVED: ReadonlyArray<readonly [kind: string, suffix: string]> = [
  ["Service", "-rw"],
  ["Service", "-ro"],
  ["Service", "-r"],
  ["Secret", "-app"],
  ["Secret", "-ca"],
  ["Secret", "-server"],
  ["Secret", "-replication"],
  ["Secret", "-superuser"],
  ["PodDisruptionBudget", ""],
  ["PodDisruptionBudget", "-primary"],
  ["ServiceAccount", ""],
  ["Role", ""],
  ["RoleBinding", ""],
];

/** One derived name: what kind of object, and what in which file derives it. */
export interface DerivedName {
  /** Like `Docker container` or `Kubernetes Service`: names are unique per kind. */
  readonly kind: string;
  /** The name, without the environment's prefix (the same for every name of an environment). */
  readonly name: string;
  /** The service file that derives it; undefined for the platform's own names. */
  readonly file?: string;
  /** The field of that file, like `name` or `backingServices.db`. */
  readonly field: string;
  /** What it is, for messages: `the database of orders`. */
  readonly what: string;
}

/** Every name the platform derives in an environment on `target` from these services. */
export function derivedNames(
  specs: readonly ServiceSpec[],
  fileOf: ReadonlyMap<string, string>,
  target: "docker" | "kubernetes",
): DerivedName[] {
  const names: DerivedName[] = [];
  const platform = (kind: string, name: string, what: string) =>
    names.push({ kind, name, field: "(platform)", what: `the platform's ${what}` });
  if (target === "docker") {
    platform("Docker network", "outside", "network to the host");
    platform("Docker container", "prometheus", "Prometheus");
  } else {
    platform("Kubernetes NetworkPolicy", "default-deny", "namespace-wide default deny");
    platform("Kubernetes NetworkPolicy", "allow-dns", "namespace-wide DNS policy");
    platform(
      "Kubernetes NetworkPolicy",
      "allow-mesh-control-plane",
      "namespace-wide policy to the mesh's control plane",
    );
    platform("Kubernetes PrometheusRule", "platform", "recording rules");
    platform("Kubernetes ConfigMap", "platform-prometheus-rules", "recording rules");
  }
  for (const spec of specs) {
    const file = fileOf.get(spec.name);
    const own = (kind: string, name: string, what: string) =>
      names.push({ kind, name, file, field: "name", what: `${what} of the service ${spec.name}` });
    if (target === "docker") {
      own("Docker network", spec.name, "the network");
      for (let replica = 1; replica <= spec.scaling.min; replica++)
        own("Docker container", `${spec.name}-${replica}`, `replica ${replica}`);
      for (const callee of spec.dependsOn)
        own("Docker network", `${spec.name}-to-${callee}`, `the network of the edge to ${callee}`);
      for (const used of spec.uses)
        names.push({
          kind: "Docker network",
          name: `${spec.name}-to-${dataResourceName(used.owner, used.name)}`,
          file,
          field: "uses",
          what: `the network of the service ${spec.name} to ${used.owner}.${used.name}, which it uses`,
        });
    } else {
      for (const kind of ["Deployment", "Service", "NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"])
        own(`Kubernetes ${kind}`, spec.name, `the ${kind}`);
      own("Kubernetes ServiceMonitor", spec.name, "the ServiceMonitor");
      own("Kubernetes PrometheusRule", spec.name, "the alert rules");
      own("Kubernetes ConfigMap", `${spec.name}-prometheus-rules`, "the alert rules");
      own("Kubernetes ConfigMap", `${spec.name}-dashboard`, "the dashboard");
    }
    for (const resource of spec.backingServices) {
      if (resource.external !== undefined) continue;
      const dataName = dataResourceName(spec.name, resource.name);
      const data = (kind: string, name: string, what: string) =>
        names.push({
          kind,
          name,
          file,
          field: `backingServices.${resource.name}`,
          what: `${what} of ${BACKING_SERVICE_NOUNS[resource.type]} ${resource.name} of ${spec.name}`,
        });
      if (target === "docker") {
        data("Docker container", dataName, "the container");
        data("Docker network", dataName, "the network");
        data("Docker volume", `${dataName}-data`, "the data volume");
      } else if (resource.type === "postgres") {
        data("Kubernetes Cluster", dataName, "the CloudNativePG Cluster");
        data("Kubernetes ScheduledBackup", `${dataName}-daily`, "the ScheduledBackup");
        data("Kubernetes NetworkPolicy", dataName, "the NetworkPolicy");
        for (const [kind, suffix] of CNPG_DERIVED)
          data(`Kubernetes ${kind}`, `${dataName}${suffix}`, `CloudNativePG's ${kind}${suffix ? ` ${suffix}` : ""}`);
        for (let instance = 1; instance <= resource.instances; instance++) {
          data("Kubernetes Pod", `${dataName}-${instance}`, `the instance ${instance}`);
          data("Kubernetes PersistentVolumeClaim", `${dataName}-${instance}`, `the volume of instance ${instance}`);
        }
      } else if (resource.type === "redis") {
        data("Kubernetes StatefulSet", dataName, "the StatefulSet");
        data("Kubernetes Service", dataName, "the Service");
        data("Kubernetes Secret", `${dataName}-connection`, "the connection Secret");
        data("Kubernetes NetworkPolicy", dataName, "the NetworkPolicy");
        data("Kubernetes Pod", `${dataName}-0`, "the instance");
        data("Kubernetes PersistentVolumeClaim", `data-${dataName}-0`, "the volume");
      } else {
        data("Kubernetes RabbitmqCluster", dataName, "the RabbitmqCluster");
        data("Kubernetes NetworkPolicy", dataName, "the NetworkPolicy");
        for (const [kind, suffix] of RABBITMQ_DERIVED)
          data(
            `Kubernetes ${kind}`,
            `${dataName}${suffix}`,
            `the RabbitMQ operator's ${kind}${suffix ? ` ${suffix}` : ""}`,
          );
        for (let node = 0; node < resource.instances; node++) {
          data("Kubernetes Pod", `${dataName}-server-${node}`, `the node ${node}`);
          data(
            "Kubernetes PersistentVolumeClaim",
            `persistence-${dataName}-server-${node}`,
            `the volume of node ${node}`,
          );
        }
      }
    }
  }
  return names;
}

/**
 * A `<service>-<resource>` over {@link MAX_DATA_RESOURCE_NAME_LENGTH} characters, and every
 * name two different things derive.
 */
export function derivedNameProblems(
  specs: readonly ServiceSpec[],
  fileOf: ReadonlyMap<string, string>,
  target: "docker" | "kubernetes",
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const spec of specs)
    for (const resource of spec.backingServices) {
      const dataName = dataResourceName(spec.name, resource.name);
      const max = MAX_DATA_NAME_LENGTH[resource.type];
      if (dataName.length > max.length)
        problems.push({
          file: fileOf.get(spec.name),
          field: `backingServices.${resource.name}`,
          value: formatValue(resource.name),
          message: `makes the ${resource.type === "postgres" ? "database" : resource.type === "redis" ? "Redis store" : "queue"} name '${dataName}' (${dataName.length} characters); '<service>-<name>' must be at most ${max.length} characters, since ${max.why}; choose a shorter name`,
        });
    }
  const claimed = new Map<string, DerivedName>();
  for (const derived of derivedNames(specs, fileOf, target)) {
    const key = `${derived.kind}\u0000${derived.name}`;
    const first = claimed.get(key);
    if (first === undefined) {
      claimed.set(key, derived);
      continue;
    }
    const clash = (at: DerivedName, other: DerivedName): SpecProblem => ({
      file: at.file,
      field: at.field,
      value: formatValue(at.name),
      message: `derives the ${at.kind} '${at.name}' (${at.what}), which ${other.file ?? "the platform"} derives too (${other.what}); one would replace the other: rename the service or the backing service`,
    });
    // Nothing tells which of two service files was edited to make the clash: each names the other.
    if (first.file !== undefined && first.file !== derived.file) problems.push(clash(first, derived));
    problems.push(clash(derived, first));
  }
  return problems;
}
