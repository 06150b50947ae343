import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import type { ServiceSpec } from "../../spec/model.js";
import { NetworkRules } from "./network-rules.js";
import { ServiceContainers, type ServiceContainersProps } from "./service-containers.js";
import { ServiceImage } from "./service-image.js";

/** Props of {@link DockerService}. */
export interface DockerServiceProps {
  readonly spec: ServiceSpec;
  readonly environment: DockerEnvironment;
}

/**
 * One service on the local engine: its image, its network rules and (once every
 * service's networks exist, see {@link runReplicas}) its containers. The construct id
 * is the service name, so every resource's path says which service it belongs to.
 */
export class DockerService extends Construct {
  readonly spec: ServiceSpec;
  readonly image: ServiceImage;
  readonly networkRules: NetworkRules;
  private replicas?: ServiceContainers;

  constructor(scope: Construct, id: string, props: DockerServiceProps) {
    super(scope, id);
    this.spec = props.spec;
    this.image = new ServiceImage(this, "image", props);
    this.networkRules = new NetworkRules(this, "network-rules", props);
  }

  /** Creates the service's containers on the given networks; once. */
  runReplicas(props: Omit<ServiceContainersProps, "spec" | "image">): ServiceContainers {
    if (this.replicas) throw new Error(`${this.node.path}: the replicas of '${this.spec.name}' already exist`);
    this.replicas = new ServiceContainers(this, "containers", { ...props, spec: this.spec, image: this.image.image });
    return this.replicas;
  }
}
