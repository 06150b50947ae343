import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../environments.js";
import { PLATFORM_MANAGED_LABELS } from "../hardening.js";
import { type NamespaceV1, NetworkPolicyV1 } from "./resources.js";

/** The label cert-manager gives each pod that answers an ACME HTTP-01 challenge. */
export const ACME_HTTP01_SOLVER_LABELS = { "acme.cert-manager.io/http01-solver": "true" } as const;

/** The port cert-manager's HTTP-01 solver pod listens on. */
export const ACME_HTTP01_SOLVER_PORT = 8089;

/** Props of {@link AcmeSolverAccess}. */
export interface AcmeSolverAccessProps {
  readonly environment: KubernetesEnvironment;
  /** The environment's namespace, which the policy is made after. */
  readonly namespace: NamespaceV1;
}

/**
 * Lets the ingress controller reach the pods cert-manager starts, in the namespace of
 * each public Ingress, to answer an ACME HTTP-01 challenge (the ClusterIssuer's solver):
 * without it the namespace's default deny drops the certificate authority's request, and
 * no public service ever gets its certificate. Ingress only, on the solver's port, from
 * the ingress controller's namespace; the pods get no egress (they need none).
 */
export class AcmeSolverAccess extends Construct {
  readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: AcmeSolverAccessProps) {
    super(scope, id);
    const { environment } = props;
    this.policy = new NetworkPolicyV1(this, "policy", {
      metadata: {
        name: "acme-http01-solver",
        namespace: environment.namespace,
        labels: { ...PLATFORM_MANAGED_LABELS },
      },
      spec: {
        podSelector: { matchLabels: { ...ACME_HTTP01_SOLVER_LABELS } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": environment.kubernetes.ingressNamespace },
                },
              },
            ],
            ports: [{ port: String(ACME_HTTP01_SOLVER_PORT), protocol: "TCP" }],
          },
        ],
      },
      dependsOn: [props.namespace],
    });
  }
}
