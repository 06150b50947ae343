import { describe, expect, it } from "vitest";
import {
  LINKERD_IDENTITY_ISSUER_SECRET,
  MESH_NAMESPACES,
  meshChartValues,
} from "../../../infra/addons/service-mesh.js";
import { type KubernetesEnvironment, loadEnvironments } from "../../../infra/environments.js";

/** Staging with `mesh`, its add-ons leaving the mesh out (so that no trust anchor is read). */
function staging(mesh: "istio" | "linkerd", linkerdTrustAnchor?: string): KubernetesEnvironment {
  const environment = loadEnvironments({ PLATFORM_MESH: mesh, STAGING_ADDONS: "none" }, [
    "staging",
  ])[0] as KubernetesEnvironment;
  return { ...environment, kubernetes: { ...environment.kubernetes, linkerdTrustAnchor } };
}

describe("meshChartValues", () => {
  it("GIVEN Istio WHEN its charts' values are made THEN the charts' defaults, but istiod injects pods that rely on the CNI plugin", () => {
    expect(meshChartValues("istio", staging("istio"))).toEqual([{}, {}, { pilot: { cni: { enabled: true } } }]);
    expect(MESH_NAMESPACES.istio).toBe("istio-system");
  });

  it("GIVEN Linkerd and a trust anchor WHEN its charts' values are made THEN the CRDs with Gateway API's, the CNI plugin's defaults, and the control plane relying on the CNI plugin, trusting the anchor and reading its issuer from the kubernetes.io/tls Secret in its namespace", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(meshChartValues("linkerd", staging("linkerd", pem))).toEqual([
      { installGatewayAPI: true },
      {},
      { cniEnabled: true, identityTrustAnchorsPEM: pem, identity: { issuer: { scheme: "kubernetes.io/tls" } } },
    ]);
    expect(LINKERD_IDENTITY_ISSUER_SECRET.namespace).toBe(MESH_NAMESPACES.linkerd);
  });

  it("GIVEN Linkerd without a trust anchor (an environment made by hand) WHEN its charts' values are made THEN refused, naming the environment", () => {
    expect(() => meshChartValues("linkerd", staging("linkerd"))).toThrow(
      "staging: the add-ons install Linkerd, but the environment has no Linkerd trust anchor",
    );
  });
});
