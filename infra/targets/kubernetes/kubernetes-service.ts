import { Construct } from "constructs";
import type { RenderedServiceMonitoring } from "../../monitoring/monitoring-files.js";
import type { Catalogue } from "../../spec/model.js";
import { Exposure } from "./exposure.js";
import { Monitoring, monitoringPodAnnotations } from "./monitoring.js";
import { NetworkRules } from "./network-rules.js";
import { PostgresCluster } from "./postgres-cluster.js";
import { QueueCluster } from "./queue-cluster.js";
import { RedisStore } from "./redis-store.js";
import { ScalingPolicy } from "./scaling-policy.js";
import { Workload, type KubernetesServicePartProps, type WorkloadProps } from "./workload.js";

/** Props of {@link KubernetesService}. */
export interface KubernetesServiceProps extends KubernetesServicePartProps, Pick<WorkloadProps, "imageLock"> {
  readonly catalogue: Catalogue;
  /** The service's monitoring, rendered once for the environment. */
  readonly monitoring: RenderedServiceMonitoring;
}

/**
 * One service on Kubernetes, one construct per concern: its workload (container), its
 * scaling policy, its network rules, its exposure, its monitoring and the backing
 * services it owns (`backing-services/<name>`: a CloudNativePG Cluster, a Redis
 * StatefulSet or a RabbitmqCluster; none for a managed, `external` one, whose Secret the
 * workload reads). The construct id is the service name, so every resource's path says
 * which service it belongs to.
 */
export class KubernetesService extends Construct {
  readonly workload: Workload;
  readonly scaling: ScalingPolicy;
  readonly networkRules: NetworkRules;
  readonly exposure: Exposure;
  readonly monitoring: Monitoring;
  /** The backing services the platform runs for the service, by name. */
  readonly databases: ReadonlyMap<string, PostgresCluster | RedisStore | QueueCluster>;

  constructor(scope: Construct, id: string, props: KubernetesServiceProps) {
    super(scope, id);
    const { spec, environment } = props;
    const uses = spec.uses.map((used) => {
      const owner = props.catalogue.get(used.owner);
      return { owner, resource: owner.backingServices.find((resource) => resource.name === used.name)! };
    });
    this.workload = new Workload(this, "workload", {
      ...props,
      uses,
      podAnnotations: monitoringPodAnnotations({ spec, environment }),
    });
    this.scaling = new ScalingPolicy(this, "scaling", {
      spec,
      environment,
      deploymentName: this.workload.deploymentName,
    });
    this.networkRules = new NetworkRules(this, "network-rules", { spec, environment, catalogue: props.catalogue });
    this.exposure = new Exposure(this, "exposure", { spec, environment });
    this.monitoring = new Monitoring(this, "monitoring", { spec, environment, rendered: props.monitoring });
    const owned = spec.backingServices.filter((resource) => resource.external === undefined);
    const usersOf = (resource: { name: string }) => props.catalogue.usersOf(spec.name, resource.name);
    const data = owned.length > 0 ? new Construct(this, "backing-services") : undefined;
    this.databases = new Map(
      owned.map((resource) => [
        resource.name,
        resource.type === "postgres"
          ? new PostgresCluster(data!, resource.name, { owner: spec, resource, environment, users: usersOf(resource) })
          : resource.type === "redis"
            ? new RedisStore(data!, resource.name, { owner: spec, resource, environment, users: usersOf(resource) })
            : new QueueCluster(data!, resource.name, { owner: spec, resource, environment, users: usersOf(resource) }),
      ]),
    );
  }
}
