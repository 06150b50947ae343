import { describe, expect, it } from "vitest";
import { type KubernetesEnvironment, loadEnvironments } from "../../../../infra/environments.js";
import { addonSecrets } from "../../../../infra/targets/kubernetes/referenced-secrets.js";

/** Staging under `variables`. */
function staging(variables: Record<string, string>): KubernetesEnvironment {
  return loadEnvironments(variables, ["staging"])[0] as KubernetesEnvironment;
}

describe("addonSecrets", () => {
  it("GIVEN no mesh, Istio, or Linkerd left out of the add-ons WHEN derived THEN the add-ons read no Secret the platform team makes", () => {
    expect(addonSecrets(staging({}))).toEqual([]);
    expect(addonSecrets(staging({ PLATFORM_MESH: "istio" }))).toEqual([]);
    expect(addonSecrets(staging({ PLATFORM_MESH: "linkerd", STAGING_ADDONS: "ingress-nginx" }))).toEqual([]);
  });

  it("GIVEN the add-ons install Linkerd WHEN derived THEN its identity issuer's kubernetes.io/tls Secret in linkerd, with the trust anchor, certificate and key", () => {
    const environment = staging({ PLATFORM_MESH: "istio" });
    const withLinkerd: KubernetesEnvironment = {
      ...environment,
      kubernetes: { ...environment.kubernetes, mesh: "linkerd", addons: ["linkerd"] },
    };
    expect(addonSecrets(withLinkerd)).toEqual([
      {
        name: "linkerd-identity-issuer",
        namespace: "linkerd",
        type: "kubernetes.io/tls",
        keys: ["ca.crt", "tls.crt", "tls.key"],
        readBy: ["Linkerd's identity service (linkerd-control-plane)"],
      },
    ]);
  });
});
