import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import type { BackingService, ServiceSpec } from "../../spec/model.js";
import type { LocalDataContainer, LocalDataContainerProps } from "./local-data-container.js";
import { LocalPostgres } from "./local-postgres.js";
import { LocalQueue } from "./local-queue.js";
import { LocalRedis } from "./local-redis.js";
import { NetworkRules } from "./network-rules.js";
import { ServiceContainers, type ServiceContainersProps } from "./service-containers.js";
import { ServiceImage } from "./service-image.js";

/** Props of {@link DockerService}. */
export interface DockerServiceProps {
  readonly spec: ServiceSpec;
  readonly environment: DockerEnvironment;
  /**
   * The services that read each of its backing services (`uses`), by resource name: each
   * gets a network of its own to the resource.
   * @default none - only the service reaches its backing services
   */
  readonly readersOf?: ReadonlyMap<string, readonly string[]>;
}

/**
 * One service on the local engine: its image, its network rules, its backing services
 * (a container each, `<service>/backing-services/<name>/...`: PostgreSQL, Redis or RabbitMQ) and (once every
 * service's networks exist, see {@link runReplicas}) its containers, which join each
 * backing service's network (the owner's, or a reader's own) and start once it is healthy. The construct id is the
 * service name, so every resource's path says which service it belongs to.
 */
export class DockerService extends Construct {
  readonly spec: ServiceSpec;
  readonly image: ServiceImage;
  readonly networkRules: NetworkRules;
  /** The backing services the service owns, by name. */
  readonly databases: ReadonlyMap<string, LocalDataContainer>;
  private replicas?: ServiceContainers;

  constructor(scope: Construct, id: string, props: DockerServiceProps) {
    super(scope, id);
    this.spec = props.spec;
    this.image = new ServiceImage(this, "image", props);
    this.networkRules = new NetworkRules(this, "network-rules", props);
    const { backingServices } = props.spec;
    const data = backingServices.length > 0 ? new Construct(this, "backing-services") : undefined;
    this.databases = new Map(
      backingServices.map((resource) => [
        resource.name,
        localBackingService(data!, resource.name, {
          owner: props.spec,
          resource,
          environment: props.environment,
          readers: props.readersOf?.get(resource.name),
        }),
      ]),
    );
  }

  /**
   * Creates the service's containers on the given networks (and those of its backing
   * services and of the ones it `uses`); once.
   */
  runReplicas(props: Omit<ServiceContainersProps, "spec" | "image"> & RunReplicasProps): ServiceContainers {
    if (this.replicas) throw new Error(`${this.node.path}: the replicas of '${this.spec.name}' already exist`);
    const { uses = [], ...containerProps } = props;
    const owned = [...this.databases.values()];
    const data = [...owned, ...uses.map((used) => used.data)];
    const variables = [
      ...[...this.databases.values()].map((db) => db.variables),
      ...uses.map((used) => used.data.variablesNamedAfter(used.variablesNamedAfter)),
    ];
    this.replicas = new ServiceContainers(this, "containers", {
      ...containerProps,
      spec: this.spec,
      image: this.image.image,
      variables: variables.length > 0 ? Object.assign({}, props.variables, ...variables) : props.variables,
      networks: [
        ...props.networks,
        ...owned.map((db) => ({ network: db.network })),
        ...uses.map((used) => ({ network: used.data.networkFor(this.spec.name) })),
      ],
      after: data.map((db) => db.container),
    });
    return this.replicas;
  }
}

/** What {@link DockerService.runReplicas} adds to the containers' props. */
export interface RunReplicasProps {
  /**
   * Other services' backing services this one reads: it joins the network each has for
   * it (given as a reader, see {@link DockerServiceProps.readersOf}), gets their variables
   * (named after `<owner>-<resource>`) and starts after them.
   * @default [] - none
   */
  readonly uses?: ReadonlyArray<{ readonly data: LocalDataContainer; readonly variablesNamedAfter: string }>;
}

/** The local container of a backing service, by its type. */
function localBackingService(scope: Construct, id: string, props: LocalDataContainerProps): LocalDataContainer {
  const { resource } = props;
  const typed = <T extends BackingService>(r: T): LocalDataContainerProps<T> => ({ ...props, resource: r });
  switch (resource.type) {
    case "postgres":
      return new LocalPostgres(scope, id, typed(resource));
    case "redis":
      return new LocalRedis(scope, id, typed(resource));
    case "queue":
      return new LocalQueue(scope, id, typed(resource));
  }
}
