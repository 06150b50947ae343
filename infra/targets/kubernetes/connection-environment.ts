import {
  BACKING_SERVICE_PORTS,
  type BackingServiceType,
  type ConnectionPart,
  CONNECTION_PARTS_OF,
  connectionVariable,
  dataResourceName,
} from "../../spec/backing-services.js";
import type { BackingService, ServiceSpec } from "../../spec/model.js";
import { selectorLabels } from "../hardening.js";

/**
 * How a service reaches its backing services on Kubernetes, for every type in one place:
 * which Secret holds each connection and under which keys, the variables the owner's
 * pods get from it, and the labels of the pods that serve it.
 */

/**
 * The keys of each type's connection Secret, by part: CloudNativePG's `<cluster>-app`,
 * the platform's `<name>-connection` for Redis, the RabbitMQ operator's
 * `<name>-default-user` (which has no URL key: the URL is composed from the others). An
 * `external` Secret has the same keys as its type's.
 */
export const CONNECTION_SECRET_KEYS: Readonly<
  Record<BackingServiceType, Readonly<Partial<Record<ConnectionPart, string>>>>
> = {
  postgres: { HOST: "host", PORT: "port", DATABASE: "dbname", USER: "user", PASSWORD: "password", URL: "uri" },
  redis: { HOST: "host", PORT: "port", USER: "user", PASSWORD: "password", URL: "uri" },
  queue: { HOST: "host", PORT: "port", USER: "username", PASSWORD: "password" },
};

/** The Secret the platform's objects write a backing service's connection to, by type. */
export function connectionSecretName(owner: string, resource: BackingService): string {
  if (resource.external) return resource.external.secretName;
  const dataName = dataResourceName(owner, resource.name);
  return `${dataName}${{ postgres: "-app", redis: "-connection", queue: "-default-user" }[resource.type]}`;
}

/** The pod labels CloudNativePG gives every instance of a Cluster. */
export function clusterPodLabels(clusterName: string): Record<string, string> {
  return { "cnpg.io/cluster": clusterName };
}

/**
 * The labels of the pods that serve a backing service: CloudNativePG's, the Redis
 * StatefulSet's own, the RabbitMQ operator's (`app.kubernetes.io/name: <cluster>`; no
 * service can be named like it, see `dataResourceName`).
 */
export function dataPodLabels(owner: string, resource: Pick<BackingService, "name" | "type">): Record<string, string> {
  const dataName = dataResourceName(owner, resource.name);
  return resource.type === "postgres" ? clusterPodLabels(dataName) : selectorLabels(dataName);
}

/** One variable of a container: a value, or a reference to a Secret's key. */
export type ConnectionVariable =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
    };

/**
 * The variables through which the owner reaches a backing service on Kubernetes, in the
 * order of its type's parts: each a reference to a key of its connection Secret (or the
 * `external` one), so no value of the connection is in the JSON; a queue's URL is
 * composed by Kubernetes from the variables before it (`$(JOBS_USER)`...), and its queue
 * names are a plain value. The owner's variables are named after the resource (`DB_HOST`),
 * a reader's (`uses`) after `<owner>-<resource>` (`ORDERS_DB_HOST`).
 */
export function connectionEnvironment(
  owner: ServiceSpec,
  resource: BackingService,
  variablesNamedAfter: string = resource.name,
): ConnectionVariable[] {
  const secretName = connectionSecretName(owner.name, resource);
  const keys = CONNECTION_SECRET_KEYS[resource.type];
  const variable = (part: ConnectionPart) => connectionVariable(variablesNamedAfter, part);
  return CONNECTION_PARTS_OF[resource.type].map((part): ConnectionVariable => {
    const key = keys[part];
    if (key !== undefined) return { name: variable(part), valueFrom: { secretKeyRef: { name: secretName, key } } };
    if (part === "QUEUES" && resource.type === "queue")
      return { name: variable(part), value: resource.queues.join(",") };
    if (part === "URL")
      return {
        name: variable(part),
        value: `amqp://$(${variable("USER")}):$(${variable("PASSWORD")})@$(${variable("HOST")}):$(${variable("PORT")})`,
      };
    throw new Error(`no way to give ${variable(part)} of a ${resource.type} backing service`);
  });
}

/** The port a backing service listens on. */
export function dataPort(resource: Pick<BackingService, "type">): number {
  return BACKING_SERVICE_PORTS[resource.type];
}

/** Another service's backing service that a service reads (`uses`), resolved: its owner and the resource. */
export interface UsedResource {
  readonly owner: ServiceSpec;
  readonly resource: BackingService;
}
