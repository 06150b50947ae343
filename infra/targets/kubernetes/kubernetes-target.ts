import { Construct } from "constructs";
import { Annotations, TerraformResource } from "../../engine/cdk.js";
import { PLATFORM_CONSTRUCT_ID } from "../../construct-paths.js";
import { KUBE_API_CIDR_ACCEPTED, type KubernetesEnvironment } from "../../environments.js";
import type { RenderedMonitoring } from "../../monitoring/monitoring-files.js";
import { retryLayer } from "../../mesh-settings.js";
import { platformEnvironment, type Catalogue } from "../../spec/model.js";
import { KubernetesService } from "./kubernetes-service.js";
import { AcmeSolverAccess } from "./acme-solver-access.js";
import { CertificateIssuer } from "./certificate-issuer.js";
import { NamespaceIsolation } from "./namespace-isolation.js";
import { RecordingRules } from "./recording-rules.js";
import { needsRandomProvider } from "../terraform-providers.js";
import { tracingEnvironment } from "../tracing-environment.js";
import { KubernetesProvider, RandomProvider } from "./resources.js";
import { IMAGES_LOCK_FILE, type ImagesLock } from "../../images-lock.js";
import { imagesByTagWarning } from "./image-reference.js";
import { IstioPolicies } from "./mesh/istio-policies.js";
import { LinkerdPolicies, linkerdRetriedMethods } from "./mesh/linkerd-policies.js";

/** Props of {@link KubernetesTarget}. */
export interface KubernetesTargetProps {
  readonly environment: KubernetesEnvironment;
  readonly catalogue: Catalogue;
  /** The environment's monitoring, rendered once (the same as its `cdktf.out/monitoring/<env>/` files). */
  readonly monitoring: RenderedMonitoring;
  /**
   * The digests of the pushed images (`images.lock.json`).
   * @default EMPTY_IMAGES_LOCK - every built image by its tag, and synth warns of each
   */
  readonly imageLock?: ImagesLock;
}

/**
 * An environment on Kubernetes: the provider, the namespace with its default deny and
 * the recording rules every service's alerts read (`<env>/kubernetes/platform/...`), the
 * ClusterIssuer of the public Ingresses when the add-ons install cert-manager, and one {@link KubernetesService} per service of the catalogue.
 * With a service mesh (`environment.kubernetes.mesh`), the mesh's objects besides (Istio: {@link IstioPolicies}).
 *
 * Without PLATFORM_OTLP_ENDPOINT the services get no OTEL_* variables, and synth says
 * nothing: unlike a missing API server CIDR, which breaks the database pods, a cluster
 * without a collector runs as before, only without traces.
 *
 * A built image the lock of the pushed images has no digest for (a new service, a bumped
 * version not pushed yet) is deployed by its tag, and synth warns once per environment,
 * naming each such service and version.
 */
export class KubernetesTarget extends Construct {
  readonly services: readonly KubernetesService[];

  constructor(scope: Construct, id: string, props: KubernetesTargetProps) {
    super(scope, id);
    const { environment, catalogue } = props;
    // Not refused here: synth builds every environment, and a developer running local
    // must not need a cluster's setting. The deploy of this environment refuses it (doctor).
    if (catalogue.ownsDatabase() && environment.kubernetes.apiServer === undefined)
      Annotations.of(this).addWarning(
        `${environment.name}: PLATFORM_KUBE_API_CIDR is not set, so the database and queue pods get no egress to the Kubernetes API server, which CloudNativePG's instance manager and RabbitMQ's peer discovery need; npm run deploy -- ${environment.name} refuses this. Set it to ${KUBE_API_CIDR_ACCEPTED}`,
      );
    new KubernetesProvider(this, "provider", {
      configPath: environment.kubernetes.configPath,
      configContext: environment.kubernetes.configContext,
    });
    // Only a catalogue with a Redis store needs a password made by Terraform: without one, the stack stays as it was.
    if (needsRandomProvider("kubernetes", catalogue.services)) new RandomProvider(this, "random");
    const isolation = new NamespaceIsolation(this, PLATFORM_CONSTRUCT_ID, { environment });
    // Under the platform's construct, so that its path says it is no service's.
    new RecordingRules(isolation, "monitoring", {
      environment,
      rendered: props.monitoring,
      namespace: isolation.namespace,
    });
    // Public Ingresses ask cert-manager for certificates: its HTTP-01 solver pods must be reachable.
    if (catalogue.services.some((spec) => spec.expose.kind === "public"))
      new AcmeSolverAccess(isolation, "acme-solver", { environment, namespace: isolation.namespace });
    // With the add-ons' cert-manager, the issuer the public Ingresses name is the platform's too.
    if (environment.kubernetes.addons.includes("cert-manager"))
      new CertificateIssuer(isolation, "certificates", { environment });
    const portOf = (name: string) => catalogue.get(name).port;
    // Each call retried in one place: Istio retries each caller's own methods (its routes are
    // per caller); Linkerd's route of a callee retries what every caller shares, and each
    // caller's runtime retries the rest of its own.
    const { mesh } = environment.kubernetes;
    const retries = mesh === "linkerd" ? linkerdRetriedMethods(catalogue) : retryLayer(mesh);
    this.services = catalogue.services.map(
      (spec) =>
        new KubernetesService(this, spec.name, {
          spec,
          environment,
          catalogue,
          variables: {
            ...platformEnvironment(spec, environment.name, portOf, retries),
            ...tracingEnvironment(spec.name, environment, environment.kubernetes.otlpCollector?.endpoint),
          },
          monitoring: props.monitoring.services.get(spec.name)!,
          imageLock: props.imageLock,
        }),
    );
    const byTag = imagesByTagWarning(
      environment.name,
      this.services.map((service) => ({ service: service.node.id, image: service.workload.deployedImage })),
      IMAGES_LOCK_FILE,
    );
    if (byTag !== undefined) Annotations.of(this).addWarning(byTag);
    // Before the loop below, so that the mesh objects too are created after the namespace.
    if (environment.kubernetes.mesh === "istio")
      new IstioPolicies({ environment, catalogue, platform: isolation, services: this.services });
    if (environment.kubernetes.mesh === "linkerd")
      for (const service of this.services)
        new LinkerdPolicies(service, "mesh", { spec: catalogue.get(service.node.id), environment, catalogue });
    // The namespace is named, not referenced, so that the JSON stays readable and
    // checkable; the explicit dependency keeps Terraform creating it first.
    for (const service of this.services) {
      for (const resource of service.node.findAll()) {
        if (resource instanceof TerraformResource) resource.dependsOn = [isolation.namespace.fqn];
      }
    }
  }
}
