import { Construct } from "constructs";
import { ownershipLabels, selectorLabels } from "../hardening.js";
import { HorizontalPodAutoscalerV2, PodDisruptionBudgetV1 } from "./resources.js";
import type { KubernetesServicePartProps } from "./workload.js";

/** Props of {@link ScalingPolicy}. */
export interface ScalingPolicyProps extends Omit<KubernetesServicePartProps, "variables"> {
  /** The Deployment the autoscaler scales. */
  readonly deploymentName: string;
}

/** Seconds of sustained low load before the autoscaler removes pods (avoids flapping). */
export const SCALE_DOWN_STABILIZATION_SECONDS = 300;

/**
 * How many pods run and how many may be disrupted: a HorizontalPodAutoscaler v2 on
 * cpu (and memory when the spec asks) between `scaling.min` and `scaling.max`, unless
 * the count is fixed; and a PodDisruptionBudget that lets one pod go at a time, so a
 * node drain always makes progress and never takes the service below min - 1.
 */
export class ScalingPolicy extends Construct {
  /** The autoscaler, absent when the replica count is fixed. */
  readonly autoscaler?: HorizontalPodAutoscalerV2;
  readonly disruptionBudget: PodDisruptionBudgetV1;

  constructor(scope: Construct, id: string, props: ScalingPolicyProps) {
    super(scope, id);
    const { spec, environment } = props;
    const metadata = {
      name: spec.name,
      namespace: environment.namespace,
      labels: ownershipLabels(spec.name, environment.name),
    };

    if (!spec.scaling.fixed) {
      const utilization = (name: string, averageUtilization: number) => ({
        type: "Resource",
        resource: { name, target: { type: "Utilization", averageUtilization } },
      });
      const metric = [utilization("cpu", spec.scaling.cpuPercent)];
      if (spec.scaling.memoryPercent !== undefined) metric.push(utilization("memory", spec.scaling.memoryPercent));
      this.autoscaler = new HorizontalPodAutoscalerV2(this, "autoscaler", {
        metadata,
        spec: {
          minReplicas: spec.scaling.min,
          maxReplicas: spec.scaling.max,
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: props.deploymentName },
          metric,
          behavior: {
            scaleDown: [
              {
                stabilizationWindowSeconds: SCALE_DOWN_STABILIZATION_SECONDS,
                policy: [{ type: "Percent", value: 50, periodSeconds: 60 }],
              },
            ],
            scaleUp: [{ stabilizationWindowSeconds: 0, policy: [{ type: "Percent", value: 100, periodSeconds: 30 }] }],
          },
        },
      });
    }

    this.disruptionBudget = new PodDisruptionBudgetV1(this, "disruption-budget", {
      metadata,
      spec: { maxUnavailable: "1", selector: { matchLabels: selectorLabels(spec.name) } },
    });
  }
}
