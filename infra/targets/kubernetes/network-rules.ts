import { Construct } from "constructs";
import type { Catalogue } from "../../spec/model.js";
import { ownershipLabels, selectorLabels } from "../hardening.js";
import { dataPodLabels, dataPort } from "./connection-environment.js";
import { NetworkPolicyV1, type NetworkPolicyV1SpecEgress, type NetworkPolicyV1SpecIngress } from "./resources.js";
import type { KubernetesServicePartProps } from "./workload.js";

/** Props of {@link NetworkRules}. */
export interface NetworkRulesProps extends Omit<KubernetesServicePartProps, "variables"> {
  /** The environment's catalogue: who calls this service, on which port its dependencies listen. */
  readonly catalogue: Catalogue;
}

const namespaceNamed = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

/**
 * The service's NetworkPolicy, on top of the namespace's default deny: ingress on its
 * port from each service that depends on it (and from the ingress controller when
 * public), ingress on its metrics port from the monitoring namespace; egress to each
 * dependency on that dependency's port, to each backing service it owns on its port
 * (the other half is the backing service's own policy, see `dataNetworkPolicy`), and to
 * each backing service of another service it reads (`uses`), to the environment's
 * OpenTelemetry collector on its port when there is one (its namespace, or its CIDR),
 * and to each declared external CIDR and port (a managed, `external` one is reached
 * through these).
 * A service that nobody depends on receives no traffic from other services.
 */
export class NetworkRules extends Construct {
  readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: NetworkRulesProps) {
    super(scope, id);
    const { spec, environment, catalogue } = props;
    const { kubernetes } = environment;
    const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });

    const ingress: NetworkPolicyV1SpecIngress[] = [];
    const dependents = catalogue.dependentsOf(spec.name);
    if (dependents.length > 0) {
      ingress.push({
        from: dependents.map((dependent) => ({ podSelector: { matchLabels: selectorLabels(dependent) } })),
        ports: [tcp(spec.port)],
      });
    }
    if (spec.expose.kind === "public") {
      ingress.push({
        from: [{ namespaceSelector: namespaceNamed(kubernetes.ingressNamespace) }],
        ports: [tcp(spec.port)],
      });
    }
    ingress.push({
      from: [{ namespaceSelector: namespaceNamed(kubernetes.monitoringNamespace) }],
      ports: [tcp(spec.monitoring.metricsPort)],
    });

    const egress: NetworkPolicyV1SpecEgress[] = spec.dependsOn.map((dependency) => ({
      to: [{ podSelector: { matchLabels: selectorLabels(dependency) } }],
      ports: [tcp(catalogue.get(dependency).port)],
    }));
    for (const resource of spec.backingServices.filter((r) => r.external === undefined)) {
      egress.push({
        to: [{ podSelector: { matchLabels: dataPodLabels(spec.name, resource) } }],
        ports: [tcp(dataPort(resource))],
      });
    }
    for (const used of spec.uses) {
      const resource = catalogue.get(used.owner).backingServices.find((r) => r.name === used.name);
      if (resource === undefined || resource.external !== undefined) continue;
      egress.push({
        to: [{ podSelector: { matchLabels: dataPodLabels(used.owner, resource) } }],
        ports: [tcp(dataPort(resource))],
      });
    }
    const collector = kubernetes.otlpCollector;
    if (collector !== undefined) {
      egress.push({
        to: [
          "namespace" in collector.peer
            ? { namespaceSelector: namespaceNamed(collector.peer.namespace) }
            : { ipBlock: { cidr: collector.peer.cidr } },
        ],
        ports: [tcp(collector.port)],
      });
    }
    for (const rule of spec.egress) {
      egress.push({
        to: [{ ipBlock: { cidr: rule.cidr } }],
        ports: rule.ports.map((port) => ({ port: String(port), protocol: rule.protocol })),
      });
    }

    this.policy = new NetworkPolicyV1(this, "policy", {
      metadata: {
        name: spec.name,
        namespace: environment.namespace,
        labels: ownershipLabels(spec.name, environment.name),
      },
      spec: {
        podSelector: { matchLabels: selectorLabels(spec.name) },
        policyTypes: ["Ingress", "Egress"],
        ingress,
        egress: egress.length > 0 ? egress : undefined,
      },
    });
  }
}
