import { connectionVariable, USES_LABEL } from "../spec/backing-services.js";
import { imageResourceOf } from "./docker-containers.js";
import { operatorPodLabelsOf } from "./kubernetes-index.js";
import { POD_RESOURCE_TYPES, podTemplateOf } from "./kubernetes-pods.js";
import type { SynthesizedResource, SynthesizedStack } from "./synthesized-stack.js";
import { asString, asStringMap, block, blocks } from "./values.js";

/**
 * The objects that hold a backing service's data, as the DATA rules find them: written
 * once here, so that every DATA rule sees the same objects and a new type of backing
 * service is found by all of them at once.
 *
 * An object is a data object when it carries the label `platform.dev/backing-service`
 * (Docker's `labels` list, Kubernetes' `metadata.labels`) and is of a kind that holds
 * data: a Docker container, a Kubernetes StatefulSet, or a `kubernetes_manifest` of a
 * RabbitMQ `RabbitmqCluster`. A CloudNativePG `Cluster` (`postgresql.cnpg.io`) is one
 * by its kind alone, labelled or not: it is nothing but a database.
 */

/** The label every object of a backing service carries, its value the backing service's name (`orders-db`). */
export const BACKING_SERVICE_LABEL = "platform.dev/backing-service";
/** The label that names the service owning a backing service's Kubernetes objects. */
export const OWNER_LABEL = "platform.dev/owner";

/** What kind of object holds the data. */
export type DataObjectKind = "container" | "postgres-cluster" | "rabbitmq-cluster" | "stateful-set";

/** A backing service's data-holding object, with what the DATA rules need to know of it. */
export interface DataObject {
  readonly resource: SynthesizedResource;
  readonly kind: DataObjectKind;
  /** The backing service's name (`orders-db`): the label's value, else `metadata.name`. */
  readonly name: string;
  /** The service that owns it: its `platform.dev/owner` label, else its construct path; undefined when neither says. */
  readonly owner: string | undefined;
  /** Its namespace on Kubernetes (undefined when computed, and on Docker). */
  readonly namespace: string | undefined;
  /** On Kubernetes, the labels of the pods that hold the data (the operator's, or the pod template's). */
  readonly podLabels: Readonly<Record<string, string>> | undefined;
  /** How messages name it: `PostgreSQL Cluster "orders-db"`, `data container "orders-db"`. */
  readonly label: string;
}

/** Resource types a data object may be of (the `appliesTo` of the DATA rules). */
export const DATA_OBJECT_TYPES: readonly string[] = [
  "docker_container",
  "kubernetes_manifest",
  "kubernetes_stateful_set_v1",
  "kubernetes_stateful_set",
];

const STATEFUL_SET_TYPES = new Set(["kubernetes_stateful_set_v1", "kubernetes_stateful_set"]);

/** The custom resources that hold data, by API group and kind. */
const DATA_MANIFEST_KINDS: ReadonlyArray<{
  readonly group: string;
  readonly kind: string;
  readonly dataKind: DataObjectKind;
  readonly title: string;
  /** Whether it is a data object without the label. */
  readonly byKindAlone: boolean;
}> = [
  {
    group: "postgresql.cnpg.io",
    kind: "Cluster",
    dataKind: "postgres-cluster",
    title: "PostgreSQL Cluster",
    byKindAlone: true,
  },
  {
    group: "rabbitmq.com",
    kind: "RabbitmqCluster",
    dataKind: "rabbitmq-cluster",
    title: "RabbitmqCluster",
    byKindAlone: false,
  },
];

/**
 * Where each official image keeps its data, by repository: the path a data container
 * or a StatefulSet's container must keep on persistent storage (DATA-01).
 */
export const DATA_PATHS: Readonly<Record<string, string>> = {
  postgres: "/var/lib/postgresql/data",
  redis: "/data",
  rabbitmq: "/var/lib/rabbitmq",
};

/** The data object a resource is, if it is one. */
export function dataObjectOf(resource: SynthesizedResource, stack: SynthesizedStack): DataObject | undefined {
  return dataObjectsByResource(stack).get(resource);
}

/** Every data object of the stack, in the order of the JSON. */
export function dataObjectsOf(stack: SynthesizedStack): readonly DataObject[] {
  return [...dataObjectsByResource(stack).values()];
}

/**
 * The backing services a workload declares it reads (`uses`), by name (`orders-db`): the
 * `platform.dev/uses` label of a Docker container, or annotation of a Kubernetes
 * workload's `metadata`; empty when it declares none.
 */
export function declaredUsesOf(workload: SynthesizedResource): readonly string[] {
  const value =
    workload.type === "docker_container"
      ? blocks(workload.values.labels).find((l) => l.label === USES_LABEL)?.value
      : asStringMap(block(workload.values.metadata)?.annotations)?.[USES_LABEL];
  return typeof value === "string" && value !== "" ? value.split(",").map((name) => name.trim()) : [];
}

/**
 * Whether a workload (a Docker container, a Kubernetes pod owner) of `service` may
 * connect to a data object: it is the owner's, or it declares it uses the data object.
 */
export function mayConnect(object: DataObject, workload: SynthesizedResource, service: string | undefined): boolean {
  return (service !== undefined && service === object.owner) || declaredUsesOf(workload).includes(object.name);
}

/**
 * The services that may connect to a data object, for messages: its owner first, then
 * the services whose workloads declare they use it (see {@link declaredUsesOf}), sorted.
 * Whether one workload may connect is {@link mayConnect}'s to say.
 */
export function clientsOf(object: DataObject, stack: SynthesizedStack): readonly string[] {
  const users = declaredUsersByName(stack).get(object.name) ?? [];
  return [...(object.owner === undefined ? [] : [object.owner]), ...users.filter((user) => user !== object.owner)];
}

/** The services whose workloads declare they use each data name. */
function declaredUsersByName(stack: SynthesizedStack): ReadonlyMap<string, readonly string[]> {
  return stack.memo("data-declared-users", (s) => {
    const users = new Map<string, Set<string>>();
    for (const type of ["docker_container", ...POD_RESOURCE_TYPES])
      for (const workload of s.ofType(type)) {
        const service =
          workload.service ??
          asString(asStringMap(block(workload.values.metadata)?.labels)?.["app.kubernetes.io/name"]);
        if (service === undefined) continue;
        for (const name of declaredUsesOf(workload)) users.set(name, (users.get(name) ?? new Set()).add(service));
      }
    return new Map([...users].map(([name, services]) => [name, [...services].sort()]));
  });
}

/**
 * The connection variables of a data object that hold its secret (`DB_PASSWORD`, and
 * `DB_URL`, which holds the password): its owner's, named after the resource, and its
 * readers', named after `<owner>-<resource>` (`ORDERS_DB_PASSWORD`, see `uses`); undefined
 * when the name is not of the form `<owner>-<resource>`.
 */
export function credentialVariablesOf(
  object: DataObject,
): { readonly passwords: readonly string[]; readonly urls: readonly string[] } | undefined {
  if (object.owner === undefined || !object.name.startsWith(`${object.owner}-`)) return undefined;
  // Every type has a password and a URL among its variables.
  const namedAfter = [object.name.slice(object.owner.length + 1), object.name];
  return {
    passwords: namedAfter.map((name) => connectionVariable(name, "PASSWORD")),
    urls: namedAfter.map((name) => connectionVariable(name, "URL")),
  };
}

/**
 * Where the image keeps its data (see {@link DATA_PATHS}), from an image reference like
 * `postgres:17.6-bookworm` or `docker.io/library/redis@sha256:...`; undefined for an image
 * the platform does not know.
 */
export function dataPathOfImage(image: string | undefined): string | undefined {
  if (image === undefined) return undefined;
  const repository = image.split("@")[0]!.replace(/:[^/]*$/, "");
  const official = repository.replace(/^(docker\.io\/)?(library\/)?/, "");
  return Object.hasOwn(DATA_PATHS, official) ? DATA_PATHS[official] : undefined;
}

/** The image a Docker container runs, by name: its `docker_image`'s name, or its own literal `image`. */
export function imageNameOf(container: SynthesizedResource, stack: SynthesizedStack): string | undefined {
  const referenced = imageResourceOf(container, stack);
  return asString(referenced ? referenced.image.values.name : container.values.image);
}

function dataObjectsByResource(stack: SynthesizedStack): Map<SynthesizedResource, DataObject> {
  return stack.memo("data-objects", (s) => {
    const found = new Map<SynthesizedResource, DataObject>();
    for (const type of DATA_OBJECT_TYPES)
      for (const resource of s.ofType(type)) {
        const object = readDataObject(resource, s);
        if (object !== undefined) found.set(resource, object);
      }
    return found;
  });
}

function readDataObject(resource: SynthesizedResource, stack: SynthesizedStack): DataObject | undefined {
  if (resource.type === "docker_container") {
    const labels = Object.fromEntries(blocks(resource.values.labels).map((l) => [String(l.label), String(l.value)]));
    const name = asString(labels[BACKING_SERVICE_LABEL]);
    if (name === undefined) return undefined;
    return {
      resource,
      kind: "container",
      name,
      owner: resource.service ?? asString(labels["app.kubernetes.io/name"]),
      namespace: undefined,
      podLabels: undefined,
      label: `data container "${name}"`,
    };
  }
  const index = stack.kubernetes;
  if (STATEFUL_SET_TYPES.has(resource.type)) {
    const labels = asStringMap(block(resource.values.metadata)?.labels) ?? {};
    const name = asString(labels[BACKING_SERVICE_LABEL]);
    if (name === undefined) return undefined;
    return {
      resource,
      kind: "stateful-set",
      name,
      owner: asString(labels[OWNER_LABEL]) ?? resource.service,
      namespace: index.namespaceOf(resource),
      podLabels: podTemplateOf(resource)?.labels ?? {},
      label: `StatefulSet "${index.nameOf(resource) ?? name}"`,
    };
  }
  const manifest = block(resource.values.manifest);
  const group = asString(manifest?.apiVersion)?.split("/")[0];
  const known = DATA_MANIFEST_KINDS.find((k) => k.group === group && k.kind === manifest?.kind);
  if (known === undefined) return undefined;
  const metadata = block(manifest?.metadata);
  const labels = asStringMap(metadata?.labels) ?? {};
  const objectName = index.resolveName(metadata?.name);
  const name = asString(labels[BACKING_SERVICE_LABEL]) ?? (known.byKindAlone ? objectName : undefined);
  if (name === undefined) return undefined;
  return {
    resource,
    kind: known.dataKind,
    name,
    owner: asString(labels[OWNER_LABEL]) ?? resource.service,
    namespace: index.resolveName(metadata?.namespace),
    podLabels: objectName === undefined ? undefined : operatorPodLabelsOf(manifest, objectName),
    label: `${known.title} "${objectName ?? name}"`,
  };
}
