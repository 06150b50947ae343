import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import type { ServiceSpec } from "../../spec/model.js";
import { dockerLabels } from "./labels.js";
import { edgeNetworkName, serviceNetworkName } from "./names.js";
import { Network } from "./resources.js";

/** Props of {@link NetworkRules}. */
export interface NetworkRulesProps {
  readonly spec: ServiceSpec;
  readonly environment: DockerEnvironment;
}

/**
 * The network rules of a service on Docker, where a network is the only wall there is:
 * - its own internal network, shared with the local Prometheus only;
 * - one internal network per service it depends on, shared with that dependency only.
 * Two services share a network only when one calls the other, so a service reaches
 * what it `dependsOn` (by the dependency's alias) and no other service. Docker bridges
 * are not directional: on an edge network the dependency could also open a connection
 * to its caller. The networks are `internal`: no route to the host or the internet.
 */
export class NetworkRules extends Construct {
  /** The service's own network. */
  readonly serviceNetwork: Network;
  /** The network of each outgoing edge, by the callee's name. */
  readonly edgeNetworks: ReadonlyMap<string, Network>;

  constructor(scope: Construct, id: string, props: NetworkRulesProps) {
    super(scope, id);
    const { spec, environment } = props;
    const labels = dockerLabels(spec.name, environment.name);
    this.serviceNetwork = new Network(this, "service-network", {
      name: serviceNetworkName(environment, spec.name),
      driver: "bridge",
      internal: true,
      labels,
    });
    this.edgeNetworks = new Map(
      spec.dependsOn.map((callee) => [
        callee,
        new Network(this, `to-${callee}`, {
          name: edgeNetworkName(environment, spec.name, callee),
          driver: "bridge",
          internal: true,
          labels: [...labels, { label: "platform.dev/edge", value: `${spec.name}->${callee}` }],
        }),
      ]),
    );
  }
}
