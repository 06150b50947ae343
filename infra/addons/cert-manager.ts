/** The namespace cert-manager runs in, its own. */
export const CERT_MANAGER_NAMESPACE = "cert-manager";

/**
 * The values of cert-manager: the chart installs its CRDs (and keeps them when the
 * release is removed, so that no Certificate of the service stacks goes with them).
 * The ClusterIssuer is not here but in the service stack (see `CertificateIssuer`).
 */
export function certManagerValues(): Record<string, unknown> {
  return { crds: { enabled: true, keep: true } };
}
