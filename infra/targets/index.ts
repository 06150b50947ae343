import type { Construct } from "constructs";
import type { Environment } from "../environments.js";
import type { RenderedMonitoring } from "../monitoring/monitoring-files.js";
import type { ImagesLock } from "../images-lock.js";
import type { Catalogue } from "../spec/model.js";
import { DockerTarget } from "./docker/docker-target.js";
import { KubernetesTarget } from "./kubernetes/kubernetes-target.js";

/** What every target builds an environment from. */
export interface TargetInputs<E extends Environment = Environment> {
  readonly environment: E;
  /** The services, resolved for this environment. */
  readonly catalogue: Catalogue;
  /** The environment's monitoring, rendered once. */
  readonly monitoring: RenderedMonitoring;
  /**
   * The digests of the pushed images (`images.lock.json`), which the Kubernetes
   * Deployments reference; the Docker target builds its images and does not read it.
   * @default EMPTY_IMAGES_LOCK - every image by its tag
   */
  readonly imageLock?: ImagesLock;
}

/** Builds one environment's constructs on its target, as one child of `scope` named after the target. */
export type TargetBuilder<E extends Environment> = (scope: Construct, inputs: TargetInputs<E>) => Construct;

/**
 * The targets by name: the one place that knows which constructs a target's name stands
 * for. An environment's `target` picks its builder; a target added here is a name more
 * in `Environment["target"]`.
 */
export const TARGETS: { readonly [T in Environment["target"]]: TargetBuilder<Extract<Environment, { target: T }>> } = {
  kubernetes: (scope, { environment, catalogue, monitoring, imageLock }) =>
    new KubernetesTarget(scope, "kubernetes", { environment, catalogue, monitoring, imageLock }),
  docker: (scope, { environment, catalogue, monitoring }) =>
    new DockerTarget(scope, "docker", { environment, catalogue, monitoringFiles: monitoring.files }),
};

/** Builds `inputs.environment` on its target. */
export function buildTarget(scope: Construct, inputs: TargetInputs): Construct {
  const build = TARGETS[inputs.environment.target] as TargetBuilder<Environment>;
  return build(scope, inputs);
}
