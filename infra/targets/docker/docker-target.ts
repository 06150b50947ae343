import { Construct } from "constructs";
import { TerraformVariable } from "../../engine/cdk.js";
import { PLATFORM_CONSTRUCT_ID } from "../../construct-paths.js";
import type { DockerEnvironment } from "../../environments.js";
import type { RenderedFile } from "../../monitoring/monitoring-files.js";
import { dataResourceName } from "../../spec/backing-services.js";
import { platformEnvironment, type Catalogue, type SecretReference } from "../../spec/model.js";
import { DockerService } from "./docker-service.js";
import { dockerLabels } from "./labels.js";
import { LocalMonitoring } from "./local-monitoring.js";
import { LocalTracing } from "./local-tracing.js";
import { needsRandomProvider } from "../terraform-providers.js";
import { tracingEnvironment } from "../tracing-environment.js";
import { outsideNetworkName } from "./names.js";
import { secretVariableName } from "./secret-variables.js";
import { DockerProvider, Network, RandomProvider } from "./resources.js";
import type { NetworkAttachment } from "./service-containers.js";

/** Props of {@link DockerTarget}. */
export interface DockerTargetProps {
  readonly environment: DockerEnvironment;
  readonly catalogue: Catalogue;
  /** The environment's rendered monitoring files, baked into the local Prometheus image. */
  readonly monitoringFiles: readonly RenderedFile[];
}

export { secretVariableName } from "./secret-variables.js";

/**
 * An environment on the local Docker engine: the provider, one network with a route
 * to the host (for published ports and declared egress; inter-container traffic on it
 * is disabled), every service of the catalogue, the local Prometheus, and the local
 * Jaeger the services send their traces to.
 *
 * Docker has no secret store for plain containers: a secret reference becomes a
 * sensitive Terraform variable (`TF_VAR_secret_<name>_<key>` at deploy), so no value
 * is ever written in the synthesized JSON.
 */
export class DockerTarget extends Construct {
  readonly services: readonly DockerService[];

  constructor(scope: Construct, id: string, props: DockerTargetProps) {
    super(scope, id);
    const { environment, catalogue } = props;
    new DockerProvider(this, "provider", { host: environment.docker.host });
    // Only a catalogue with a database needs passwords: without one, the stack stays as it was.
    if (needsRandomProvider("docker", catalogue.services)) new RandomProvider(this, "random");

    const platform = new Construct(this, PLATFORM_CONSTRUCT_ID);
    const outside = new Network(platform, "outside-network", {
      name: outsideNetworkName(environment),
      driver: "bridge",
      internal: false,
      options: { "com.docker.network.bridge.enable_icc": "false" },
      labels: dockerLabels("platform", environment.name),
    });

    const services = new Map(
      catalogue.services.map((spec) => {
        const readersOf = new Map(spec.backingServices.map((r) => [r.name, catalogue.usersOf(spec.name, r.name)]));
        return [spec.name, new DockerService(this, spec.name, { spec, environment, readersOf })];
      }),
    );
    this.services = [...services.values()];

    const secretVariables = new Map<string, TerraformVariable>();
    const secretValue = (ref: SecretReference): string => {
      const name = secretVariableName(ref);
      let variable = secretVariables.get(name);
      if (!variable) {
        variable = new TerraformVariable(platform, name, {
          type: "string",
          sensitive: true,
          description: `Secret '${ref.key}' of '${ref.secretName}' for the local environment (set TF_VAR_${name}).`,
        });
        variable.overrideLogicalId(name);
        secretVariables.set(name, variable);
      }
      return variable.stringValue;
    };

    const tracing = new LocalTracing(platform, "tracing", {
      environment,
      serviceNetworks: this.services.map((s) => s.networkRules.serviceNetwork),
      outsideNetwork: outside,
    });

    const portOf = (name: string) => catalogue.get(name).port;
    for (const service of this.services) {
      const { spec } = service;
      const networks: NetworkAttachment[] = [
        { network: service.networkRules.serviceNetwork, aliases: [spec.name] },
        ...catalogue.dependentsOf(spec.name).map((caller) => ({
          network: services.get(caller)!.networkRules.edgeNetworks.get(spec.name)!,
          aliases: [spec.name],
        })),
        ...[...service.networkRules.edgeNetworks.values()].map((network) => ({ network })),
      ];
      const reachesOutside = spec.expose.kind === "public" || spec.egress.length > 0;
      if (reachesOutside) networks.push({ network: outside });
      const variables: Record<string, string> = {
        ...platformEnvironment(spec, environment.name, portOf),
        ...tracingEnvironment(spec.name, environment, tracing.endpoint),
      };
      for (const [name, ref] of Object.entries(spec.secrets)) variables[name] = secretValue(ref);
      service.runReplicas({
        environment,
        variables,
        networks,
        uses: spec.uses.map((used) => ({
          data: services.get(used.owner)!.databases.get(used.name)!,
          variablesNamedAfter: dataResourceName(used.owner, used.name),
        })),
        publishedPort: spec.expose.kind === "public" ? spec.expose.localPort : undefined,
      });
    }

    new LocalMonitoring(platform, "monitoring", {
      environment,
      files: props.monitoringFiles,
      scrapeNetworks: this.services.map((s) => s.networkRules.serviceNetwork),
      outsideNetwork: outside,
    });
  }
}
