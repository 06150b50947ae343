import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { describe, expect, it } from "vitest";
import { clusterIssuerManifest } from "../../../../infra/targets/kubernetes/certificate-issuer.js";
import { exampleServices, resourcesOfType, synthPlatform } from "../../../support/platform.js";

describe("CertificateIssuer", () => {
  it("GIVEN the default settings WHEN staging is synthesized THEN it has one ClusterIssuer, named as the public Ingresses' annotation names it, answering through the environment's ingress class, and valid against cert-manager's CRD schema", () => {
    const stack = synthPlatform(exampleServices()).staging!;
    const issuers = resourcesOfType(stack, "kubernetes_manifest")
      .map((r) => r.values.manifest)
      .filter((m: any) => m.kind === "ClusterIssuer");
    expect(issuers).toHaveLength(1);
    const [issuer] = issuers;
    const annotated = resourcesOfType(stack, "kubernetes_ingress_v1").map(
      (i) => i.values.metadata.annotations["cert-manager.io/cluster-issuer"],
    );
    expect(annotated.length).toBeGreaterThan(0);
    for (const name of annotated) expect(name).toBe(issuer.metadata.name);
    expect(issuer.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: "nginx" } } }]);
    expect(() => new ClusterIssuer(issuer).validate()).not.toThrow();
  });

  it("GIVEN an issuer without its ACME server WHEN validated against the CRD schema THEN the validator refuses what it should (the check can fail)", () => {
    const manifest = clusterIssuerManifest(
      "letsencrypt",
      { email: "platform@example.com", server: "https://acme-v02.api.letsencrypt.org/directory" },
      "nginx",
    );
    const broken = { ...manifest, spec: { acme: { ...(manifest.spec as any).acme, server: undefined } } };
    expect(() => new ClusterIssuer(broken as any).validate()).toThrow(/server/);
  });

  it("GIVEN STAGING_CLUSTER_ISSUER and STAGING_ADDONS without cert-manager WHEN synthesized THEN the issuer follows the setting, and with the cluster's own cert-manager none is made", () => {
    const named = synthPlatform(exampleServices(), { STAGING_CLUSTER_ISSUER: "letsencrypt-staging" }).staging!;
    expect(
      resourcesOfType(named, "kubernetes_manifest")
        .map((r) => r.values.manifest)
        .filter((m: any) => m.kind === "ClusterIssuer")
        .map((m: any) => [m.metadata.name, m.spec.acme.privateKeySecretRef.name]),
    ).toEqual([["letsencrypt-staging", "letsencrypt-staging-account-key"]]);
    const without = synthPlatform(exampleServices(), { STAGING_ADDONS: "kube-prometheus-stack,ingress-nginx" })
      .staging!;
    expect(
      resourcesOfType(without, "kubernetes_manifest").filter((r) => r.values.manifest.kind === "ClusterIssuer"),
    ).toEqual([]);
  });
});
