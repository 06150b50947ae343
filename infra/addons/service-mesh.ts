import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../environments.js";
import type { ServiceMeshName } from "../mesh-settings.js";
import { pinnedRelease } from "./addon-release.js";
import { MESH_CHARTS } from "./charts.js";
import type { Release } from "./helm-resources.js";

/** The namespace of each mesh's control plane (the one its documentation installs it in). */
export const MESH_NAMESPACES: { readonly [M in ServiceMeshName]: string } = {
  istio: "istio-system",
  linkerd: "linkerd",
};

/**
 * The Secret Linkerd's identity service signs the proxies' certificates with, which the
 * cluster must have before the `linkerd-control-plane` release is installed: its issuer
 * certificate and key, signed by the trust anchor, and the trust anchor itself (`ca.crt`),
 * as the `kubernetes.io/tls` Secret cert-manager writes for a Certificate.
 *
 * It is not made by the platform: a cert-manager `Certificate` is a `kubernetes_manifest`,
 * which needs cert-manager's CRDs at `terraform plan`, so it cannot be in the add-ons stack
 * that installs cert-manager (see `CertificateIssuer`); and the service stack, where the
 * ClusterIssuer is, is applied after the add-ons, while the control plane's release waits
 * for its identity service, which does not start without this Secret. So the platform team
 * makes it once, before the first deploy with Linkerd: with cert-manager (a CA `Issuer` in
 * `linkerd` from the trust anchor's certificate and key, and a `Certificate` named like this
 * Secret, `isCA: true`, ECDSA P-256, which cert-manager renews), or by hand (`step
 * certificate create identity.linkerd.cluster.local ... --profile intermediate-ca`, then
 * `kubectl create secret generic --type=kubernetes.io/tls` with the three keys).
 */
export const LINKERD_IDENTITY_ISSUER_SECRET = {
  name: "linkerd-identity-issuer",
  namespace: MESH_NAMESPACES.linkerd,
  type: "kubernetes.io/tls",
  keys: ["ca.crt", "tls.crt", "tls.key"],
} as const;

/**
 * The values of each chart of `mesh` (in {@link MESH_CHARTS}' order: CRDs, CNI plugin,
 * control plane):
 * - Istio: the charts' own defaults, but for istiod's `pilot.cni.enabled`, so that the
 *   injected pods rely on the CNI plugin, not on an `istio-init` container with NET_ADMIN
 *   (istiod injects a sidecar into the pods of a namespace labelled `istio-injection:
 *   enabled` and into a pod labelled `sidecar.istio.io/inject: "true"`);
 * - Linkerd: `linkerd-crds` with the Gateway API route CRDs (Linkerd does not install without
 *   them), the CNI plugin's defaults, and the control plane with `cniEnabled` (no
 *   `linkerd-init` container), the trust anchor of the environment's setting and the issuer
 *   read from {@link LINKERD_IDENTITY_ISSUER_SECRET} (`identity.issuer.scheme:
 *   kubernetes.io/tls`: the chart then makes no issuer Secret of its own).
 */
export function meshChartValues(
  mesh: ServiceMeshName,
  environment: KubernetesEnvironment,
): [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>] {
  if (mesh === "istio") return [{}, {}, { pilot: { cni: { enabled: true } } }];
  const trustAnchor = environment.kubernetes.linkerdTrustAnchor;
  if (trustAnchor === undefined)
    throw new Error(
      `${environment.name}: the add-ons install Linkerd, but the environment has no Linkerd trust anchor (infra/environments.ts reads it when they do)`,
    );
  return [
    { installGatewayAPI: true },
    {},
    {
      cniEnabled: true,
      identityTrustAnchorsPEM: trustAnchor,
      identity: { issuer: { scheme: LINKERD_IDENTITY_ISSUER_SECRET.type } },
    },
  ];
}

/** Props of {@link ServiceMeshAddon}. */
export interface ServiceMeshAddonProps {
  readonly environment: KubernetesEnvironment;
}

/**
 * The environment's mesh as an add-on: one `helm_release` per chart of {@link MESH_CHARTS},
 * in the mesh's namespace (Linkerd's CNI plugin in its own), each made as the other add-ons'
 * releases are, each after the one before it (`dependsOn`). The construct is named after the mesh, its releases after
 * their release names (`istio/istiod`).
 */
export class ServiceMeshAddon extends Construct {
  /** The releases: CRDs, CNI plugin, control plane. */
  readonly releases: readonly Release[];
  /**
   * The control plane's release: the add-ons whose pods join the mesh depend on it, since
   * its injector adds their proxy only to pods that start after it.
   */
  readonly controlPlane: Release;

  constructor(scope: Construct, mesh: ServiceMeshName, props: ServiceMeshAddonProps) {
    super(scope, mesh);
    const values = meshChartValues(mesh, props.environment);
    // Each after the one before it: the CRDs, the CNI plugin, the control plane.
    const releases: Release[] = [];
    MESH_CHARTS[mesh].forEach((chart, index) => {
      const previous = releases[index - 1];
      releases.push(
        pinnedRelease(this, chart.release, chart.release, chart, {
          namespace: chart.namespace ?? MESH_NAMESPACES[mesh],
          values: values[index]!,
          ...(previous ? { dependsOn: [previous] } : {}),
        }),
      );
    });
    this.releases = releases;
    this.controlPlane = releases[releases.length - 1]!;
  }
}
