import type { Construct } from "constructs";
import { TerraformStack } from "./cdk.js";
import type { Environment } from "./environments.js";
import type { Catalogue } from "./spec/index.js";
import { configureStateBackend } from "./state-backend.js";
import type { RenderedFile } from "./monitoring/monitoring-files.js";
import { DockerTarget } from "./targets/docker/docker-target.js";
import { KubernetesTarget } from "./targets/kubernetes/kubernetes-target.js";

/** Props of {@link PlatformStack}. */
export interface PlatformStackProps {
  readonly environment: Environment;
  /** The services, resolved for this environment. */
  readonly catalogue: Catalogue;
  /** The environment's rendered monitoring files (see `renderMonitoringFiles`). */
  readonly monitoringFiles: readonly RenderedFile[];
}

/**
 * One environment: its state backend and its target (Docker or Kubernetes) with every
 * service of the catalogue. The stack id is the environment name, so it synthesizes to
 * `cdktf.out/stacks/<env>/cdk.tf.json`.
 */
export class PlatformStack extends TerraformStack {
  readonly environment: Environment;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, props.environment.name);
    this.environment = props.environment;
    configureStateBackend(this, props.environment.backend);
    if (props.environment.target === "kubernetes") {
      new KubernetesTarget(this, "kubernetes", { environment: props.environment, catalogue: props.catalogue });
    } else {
      new DockerTarget(this, "docker", { environment: props.environment, catalogue: props.catalogue, monitoringFiles: props.monitoringFiles });
    }
  }
}
