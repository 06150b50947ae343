import type { Construct } from "constructs";
import { addonsStackName, type ChartAddonName, isMeshAddon } from "./addons/addon-names.js";
import { AddonRelease, type AddonReleaseProps } from "./addons/addon-release.js";
import { CERT_MANAGER_NAMESPACE, certManagerValues } from "./addons/cert-manager.js";
import { cloudnativePgValues, RABBITMQ_OPERATOR_NAMESPACE, rabbitmqOperatorValues } from "./addons/data-operators.js";
import { HelmProvider } from "./addons/helm-resources.js";
import { ingressNginxValues } from "./addons/ingress-nginx.js";
import { monitoringStackValues } from "./addons/monitoring-stack.js";
import { ServiceMeshAddon } from "./addons/service-mesh.js";
import { EngineStack } from "./engine/engine-stack.js";
import type { KubernetesEnvironment } from "./environments.js";
import { GuardrailsCheck, ruleEnvironmentWith, type GuardrailsRun } from "./guardrails/index.js";
import { alertReceiverSecrets, renderAlertmanagerConfig } from "./monitoring/alertmanager-config.js";
import type { Catalogue } from "./spec/model.js";
import { configureStateBackend } from "./state-backend.js";

/** Props of {@link AddonsStack}. */
export interface AddonsStackProps {
  readonly environment: KubernetesEnvironment;
  /** The app's guardrails run, which checks this stack at synth like the service stacks. */
  readonly guardrails: GuardrailsRun;
  /**
   * The environment's services: Alertmanager routes each owner's alerts (see
   * `renderAlertmanagerConfig`, the same configuration synth writes as
   * `cdktf.out/monitoring/<env>/alertmanager.yml`).
   */
  readonly catalogue: Catalogue;
}

/**
 * The cluster add-ons of one Kubernetes environment, as Helm releases of pinned charts
 * (`addons/charts.ts`): what its service stack relies on, installed before it (the
 * service stack depends on this one, see `buildPlatformApp`). The stack id is
 * `addons-<env>`, so it synthesizes to `cdktf.out/stacks/addons-<env>/cdk.tf.json`, with
 * its own state in the environment's backend. Each add-on of `kubernetes.addons`
 * (`<ENV>_ADDONS`) is one release under a construct named after it:
 * - kube-prometheus-stack in the monitoring namespace: the Prometheus operator (whose CRDs
 *   the ServiceMonitors and PrometheusRules need), Prometheus, Alertmanager and Grafana;
 * - cert-manager with its CRDs, in its own namespace (the ClusterIssuer is in the service
 *   stack, see `CertificateIssuer`);
 * - ingress-nginx in the ingress namespace, serving the environment's ingress class;
 * - CloudNativePG's operator (namespace `cnpgNamespace`) and the RabbitMQ cluster operator,
 *   whose CRDs the backing services' `Cluster` and `RabbitmqCluster` objects need;
 * - the environment's mesh (`kubernetes.mesh`, when it is among the add-ons): its CRDs, then
 *   its control plane (see `ServiceMeshAddon`), before ingress-nginx and kube-prometheus-stack,
 *   whose pods join it (their values put them in the mesh, see `ingressNginxMeshValues` and
 *   `prometheusMeshSpec`).
 * No tracing collector: `PLATFORM_OTLP_ENDPOINT` names one the platform team runs.
 */
export class AddonsStack extends EngineStack {
  readonly environment: KubernetesEnvironment;
  /** The release of each add-on installed that is one chart. */
  readonly releases: ReadonlyMap<ChartAddonName, AddonRelease>;
  /**
   * The environment's mesh, when the add-ons install it.
   * @default undefined - no mesh, or the cluster has its own
   */
  readonly mesh?: ServiceMeshAddon;
  private readonly guardrails: GuardrailsCheck;

  constructor(scope: Construct, props: AddonsStackProps) {
    const { environment } = props;
    super(scope, addonsStackName(environment.name));
    this.environment = environment;
    const { kubernetes } = environment;
    configureStateBackend(this, kubernetes.addonsBackend);
    this.guardrails = new GuardrailsCheck(this, {
      run: props.guardrails,
      // The stack is named in the findings and the summary: no service is in it.
      environment: { ...ruleEnvironmentWith(environment, new Set()), name: this.node.id },
      suppressions: new Map(),
      onChecked: (json) => this.renderedForSynthesis(json),
    });
    new HelmProvider(this, "provider", {
      kubernetes: { configPath: kubernetes.configPath, configContext: kubernetes.configContext },
    });
    const mesh = kubernetes.addons.find(isMeshAddon);
    this.mesh = mesh ? new ServiceMeshAddon(this, mesh, { environment }) : undefined;
    // Their pods join the mesh: its injector must be there when they start.
    const inMesh = this.mesh ? { dependsOn: [this.mesh.controlPlane] } : {};
    const releaseProps: { readonly [A in ChartAddonName]: () => AddonReleaseProps } = {
      "kube-prometheus-stack": () => ({
        ...inMesh,
        namespace: kubernetes.monitoringNamespace,
        values: monitoringStackValues(environment, {
          config: renderAlertmanagerConfig(environment, props.catalogue),
          secrets: alertReceiverSecrets(kubernetes.alerting),
        }),
      }),
      "cert-manager": () => ({ namespace: CERT_MANAGER_NAMESPACE, values: certManagerValues() }),
      "ingress-nginx": () => ({
        ...inMesh,
        namespace: kubernetes.ingressNamespace,
        values: ingressNginxValues(environment),
      }),
      "cloudnative-pg": () => ({ namespace: kubernetes.cnpgNamespace, values: cloudnativePgValues() }),
      "rabbitmq-cluster-operator": () => ({ namespace: RABBITMQ_OPERATOR_NAMESPACE, values: rabbitmqOperatorValues() }),
    };
    this.releases = new Map(
      kubernetes.addons
        .filter((addon): addon is ChartAddonName => !isMeshAddon(addon))
        .map((addon) => [addon, new AddonRelease(this, addon, releaseProps[addon]())] as const),
    );
  }

  /** The guardrails check the stack once every aspect has visited it. */
  protected override afterAspects(): void {
    this.guardrails.check();
  }
}
