import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../environments.js";
import { kubernetesQuantities, type ServiceSpec } from "../../spec/model.js";
import {
  KUBERNETES_CONTAINER_SECURITY_CONTEXT,
  CONTAINER_USER_ID,
  HEALTH_CHECK,
  READINESS_PERIOD_SECONDS,
  TERMINATION_GRACE_SECONDS,
  WRITABLE_TMP_MIB,
  WRITABLE_TMP_PATH,
  ownershipLabels,
  selectorLabels,
} from "../hardening.js";
import { dataResourceName, USES_LABEL, usesLabelValue } from "../../spec/backing-services.js";
import { connectionEnvironment, type UsedResource } from "./connection-environment.js";
import { DeploymentV1, ServiceAccountV1 } from "./resources.js";
import { EMPTY_IMAGES_LOCK, type ImagesLock } from "../../images-lock.js";
import { deployedImage, type DeployedImage } from "./image-reference.js";

/** Props shared by every per-service Kubernetes construct. */
export interface KubernetesServicePartProps {
  /** The service, resolved for this environment. */
  readonly spec: ServiceSpec;
  readonly environment: KubernetesEnvironment;
  /** Every variable the container gets, platform variables included. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Props of {@link Workload}. */
export interface WorkloadProps extends KubernetesServicePartProps {
  /**
   * Pod annotations (for example Prometheus scrape annotations).
   * @default {} - no annotations
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Other services' backing services the pods read (`uses`): their connection variables,
   * named after `<owner>-<resource>`, by reference to the owner's connection Secret.
   * @default [] - none
   */
  readonly uses?: readonly UsedResource[];
  /**
   * The digests of the pushed images (`images.lock.json`): a built image whose version
   * the lock records is referenced by its digest.
   * @default EMPTY_IMAGES_LOCK - every built image by its tag alone
   */
  readonly imageLock?: ImagesLock;
}

/**
 * The service's pods: a ServiceAccount that mounts no token, and a Deployment that
 * meets the Pod Security Standard "restricted" (non-root uid 10001, read-only root
 * file system with an emptyDir at /tmp, no privilege escalation, all capabilities
 * dropped, seccomp RuntimeDefault), with probes, requests and limits, a rolling
 * update and a topology spread by node. The replica count is left to the
 * HorizontalPodAutoscaler unless the spec fixes it (min === max). A service that reads
 * others' backing services says which in the Deployment's annotation `platform.dev/uses`,
 * for the guardrails (DATA-04). A built image is referenced by its digest when the lock of
 * the pushed images records the service's version, else by its tag.
 */
export class Workload extends Construct {
  /** The Deployment's name, which the Service, HPA and PDB select or target. */
  readonly deploymentName: string;
  /** The image the pods run. */
  readonly image: string;
  /** How the image is named: by the spec, by digest, or by tag alone (see `deployedImage`). */
  readonly deployedImage: DeployedImage;
  readonly deployment: DeploymentV1;

  constructor(scope: Construct, id: string, props: WorkloadProps) {
    super(scope, id);
    const { spec, environment } = props;
    const namespace = environment.namespace;
    const labels = ownershipLabels(spec.name, environment.name);
    this.deploymentName = spec.name;
    this.deployedImage = deployedImage(
      spec,
      environment.kubernetes.imageRegistry,
      props.imageLock ?? EMPTY_IMAGES_LOCK,
    );
    this.image = this.deployedImage.reference;

    new ServiceAccountV1(this, "service-account", {
      metadata: { name: spec.name, namespace, labels },
      automountServiceAccountToken: false,
    });

    const ports = [{ name: "http", containerPort: spec.port, protocol: "TCP" }];
    if (spec.monitoring.metricsPort !== spec.port)
      ports.push({ name: "metrics", containerPort: spec.monitoring.metricsPort, protocol: "TCP" });

    const env = [
      ...Object.entries(props.variables).map(([name, value]) => ({ name, value })),
      ...Object.entries(spec.secrets).map(([name, ref]) => ({
        name,
        valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } },
      })),
      ...spec.backingServices.flatMap((resource) => connectionEnvironment(spec, resource)),
      ...(props.uses ?? []).flatMap(({ owner, resource }) =>
        connectionEnvironment(owner, resource, dataResourceName(owner.name, resource.name)),
      ),
    ];
    const probe = (path: string, periodSeconds: number) => ({
      httpGet: { path, port: "http" },
      initialDelaySeconds: 0,
      periodSeconds,
      timeoutSeconds: HEALTH_CHECK.timeoutSeconds,
      failureThreshold: HEALTH_CHECK.failureThreshold,
    });

    // On the Deployment, not its pod template: saying what it reads restarts no pod.
    const uses = usesLabelValue(spec.uses);
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: {
        name: spec.name,
        namespace,
        labels,
        annotations: uses === undefined ? undefined : { [USES_LABEL]: uses },
      },
      spec: {
        replicas: spec.scaling.fixed ? String(spec.scaling.min) : undefined,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(spec.name) },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
        template: {
          metadata: { labels, annotations: props.podAnnotations ? { ...props.podAnnotations } : undefined },
          spec: {
            serviceAccountName: spec.name,
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: String(CONTAINER_USER_ID),
              runAsGroup: String(CONTAINER_USER_ID),
              fsGroup: String(CONTAINER_USER_ID),
              seccompProfile: { type: "RuntimeDefault" },
            },
            container: [
              {
                name: spec.name,
                image: this.image,
                imagePullPolicy: "IfNotPresent",
                port: ports,
                env,
                resources: {
                  requests: kubernetesQuantities(spec.resources.requests),
                  limits: kubernetesQuantities(spec.resources.limits),
                },
                startupProbe: { ...probe(spec.health.liveness, READINESS_PERIOD_SECONDS), failureThreshold: 12 },
                livenessProbe: probe(spec.health.liveness, HEALTH_CHECK.intervalSeconds),
                readinessProbe: probe(spec.health.readiness, READINESS_PERIOD_SECONDS),
                securityContext: KUBERNETES_CONTAINER_SECURITY_CONTEXT,
                volumeMount: [{ name: "tmp", mountPath: WRITABLE_TMP_PATH }],
              },
            ],
            volume: [{ name: "tmp", emptyDir: { sizeLimit: `${WRITABLE_TMP_MIB}Mi` } }],
            topologySpreadConstraint: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: [{ matchLabels: selectorLabels(spec.name) }],
              },
            ],
          },
        },
      },
    });
  }
}
