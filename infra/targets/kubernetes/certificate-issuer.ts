import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../environments.js";
import { PLATFORM_MANAGED_LABELS } from "../hardening.js";
import { type MeshMetadata, meshSolverPodMetadata } from "./mesh/mesh-injection.js";
import { Manifest } from "./resources.js";

/** Props of {@link CertificateIssuer}. */
export interface CertificateIssuerProps {
  readonly environment: KubernetesEnvironment;
}

/**
 * The cert-manager ClusterIssuer the public Ingresses name (`clusterIssuer`, see
 * `Exposure`): an ACME account (`acme`) that answers the HTTP-01 challenge through the
 * environment's ingress class. Made only when the add-ons stack installs cert-manager:
 * a cluster with its own cert-manager has its own issuers.
 *
 * It is in the service stack, not in the add-ons stack beside cert-manager, because a
 * `kubernetes_manifest` needs its kind's CRD at plan time: the Kubernetes provider asks
 * the API server for the schema while planning, and fails on a kind it does not know
 * (hashicorp/terraform-provider-kubernetes#1367, #1917). On an empty cluster the add-ons
 * stack could not be planned with the ClusterIssuer in it, since its CRD arrives with
 * the cert-manager release that same apply. The service stack depends on the add-ons
 * stack, so `npm run deploy` plans it once cert-manager and its CRDs are installed (the
 * same holds for the ServiceMonitors, PrometheusRules and the operators' objects there).
 */
export class CertificateIssuer extends Construct {
  readonly clusterIssuer: Manifest;

  constructor(scope: Construct, id: string, props: CertificateIssuerProps) {
    super(scope, id);
    const { clusterIssuer, acme, ingressClassName, mesh } = props.environment.kubernetes;
    this.clusterIssuer = new Manifest(this, "cluster-issuer", {
      manifest: clusterIssuerManifest(clusterIssuer, acme, ingressClassName, meshSolverPodMetadata(mesh)),
    });
  }
}

/**
 * The ClusterIssuer object `CertificateIssuer` hands to `kubernetes_manifest`.
 * @param solverPods what the HTTP-01 solver pods carry (in a mesh: left out of it, see `meshSolverPodMetadata`)
 * @default solverPods nothing: the solver pods as cert-manager makes them
 */
export function clusterIssuerManifest(
  name: string,
  acme: KubernetesEnvironment["kubernetes"]["acme"],
  ingressClassName: string,
  solverPods: MeshMetadata = { labels: {}, annotations: {} },
): Record<string, unknown> {
  const podMetadata = {
    ...(Object.keys(solverPods.labels).length > 0 ? { labels: { ...solverPods.labels } } : {}),
    ...(Object.keys(solverPods.annotations).length > 0 ? { annotations: { ...solverPods.annotations } } : {}),
  };
  const ingress =
    Object.keys(podMetadata).length > 0
      ? { ingressClassName, podTemplate: { metadata: podMetadata } }
      : { ingressClassName };
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: {
      name,
      labels: { ...PLATFORM_MANAGED_LABELS },
    },
    spec: {
      acme: {
        email: acme.email,
        server: acme.server,
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: [{ http01: { ingress } }],
      },
    },
  };
}
