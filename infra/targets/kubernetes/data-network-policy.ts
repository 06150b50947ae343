import type { Construct } from "constructs";
import type { BackingService, ServiceSpec } from "../../spec/model.js";
import { selectorLabels } from "../hardening.js";
import { dataPodLabels, dataPort } from "./connection-environment.js";
import { NetworkPolicyV1, type NetworkPolicyV1SpecEgress, type NetworkPolicyV1SpecIngress } from "./resources.js";

/** Props of {@link dataNetworkPolicy}. */
export interface DataNetworkPolicyProps {
  readonly owner: ServiceSpec;
  readonly resource: BackingService;
  /** `<owner>-<resource>`: the policy's name. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The services that read it (`uses`): their pods may connect on the type's port too.
   * @default [] - the owner alone
   */
  readonly users?: readonly string[];
  /**
   * What else may reach the data's pods, besides the owner on the type's port.
   * @default [] - nothing
   */
  readonly ingress?: readonly NetworkPolicyV1SpecIngress[];
  /**
   * Where the data's pods may connect (DNS is the namespace's own policy).
   * @default [] - nowhere
   */
  readonly egress?: readonly NetworkPolicyV1SpecEgress[];
}

/** A TCP port of a NetworkPolicy rule. */
export const tcp = (port: number) => ({ port: String(port), protocol: "TCP" });

/**
 * The NetworkPolicy of a backing service's pods, the same shape for every type: both
 * directions, ingress on the type's port from the owner's pods (and its declared
 * readers', `uses`) first, then what the type
 * needs (its other instances, its operator), and only the egress the type needs. The
 * other half of the owner's edge is the owner's own policy (`NetworkRules`).
 */
export function dataNetworkPolicy(scope: Construct, id: string, props: DataNetworkPolicyProps): NetworkPolicyV1 {
  const { owner, resource } = props;
  return new NetworkPolicyV1(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      podSelector: { matchLabels: dataPodLabels(owner.name, resource) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [owner.name, ...(props.users ?? [])].map((service) => ({
            podSelector: { matchLabels: selectorLabels(service) },
          })),
          ports: [tcp(dataPort(resource))],
        },
        ...(props.ingress ?? []),
      ],
      egress: props.egress && props.egress.length > 0 ? [...props.egress] : undefined,
    },
  });
}
