import { describe, expect, it } from "vitest";
import { type KubernetesEnvironment, loadEnvironments } from "../../../../infra/environments.js";
import type { ServiceSpec } from "../../../../infra/spec/resolve.js";
import {
  installedByAddons,
  requiredCustomResourceDefinitions,
} from "../../../../infra/targets/kubernetes/required-crds.js";
import { selfSignedCertificate } from "../../../support/kubernetes-api-server.js";
import { scratchFolders } from "../../../support/scratch.js";

const { folder } = scratchFolders();

type Service = Pick<ServiceSpec, "name" | "backingServices" | "expose" | "dependsOn">;

/** An internal service without data that calls `dependsOn`. */
function service(name: string, dependsOn: string[] = []): Service {
  return { name, backingServices: [], expose: { kind: "internal" } as ServiceSpec["expose"], dependsOn };
}

/** The staging environment of `variables`, scraped by annotations (no Prometheus operator CRD in the list). */
function staging(variables: Record<string, string>): KubernetesEnvironment {
  return loadEnvironments({ PLATFORM_SCRAPE: "annotations", ...variables }, ["staging"])[0] as KubernetesEnvironment;
}

/** The mesh CRDs needed, by name, with the add-on that installs each. */
function meshCrds(environment: KubernetesEnvironment, services: readonly Service[]): Array<[string, string, string]> {
  return requiredCustomResourceDefinitions(environment, services)
    .filter((crd) => crd.addon === "istio" || crd.addon === "linkerd")
    .map((crd) => [crd.name, crd.kind, crd.addon]);
}

describe("requiredCustomResourceDefinitions: the mesh's", () => {
  const services = [service("gateway", ["orders"]), service("orders")];

  it("GIVEN no mesh WHEN derived THEN no mesh CRD", () => {
    expect(meshCrds(staging({}), services)).toEqual([]);
  });

  it("GIVEN Istio WHEN derived THEN its security and networking kinds, installed by the istio add-on; without a called service, no DestinationRule or VirtualService", () => {
    const istio = staging({ PLATFORM_MESH: "istio" });
    expect(meshCrds(istio, services)).toEqual([
      ["peerauthentications.security.istio.io", "PeerAuthentication", "istio"],
      ["authorizationpolicies.security.istio.io", "AuthorizationPolicy", "istio"],
      ["destinationrules.networking.istio.io", "DestinationRule", "istio"],
      ["virtualservices.networking.istio.io", "VirtualService", "istio"],
    ]);
    expect(meshCrds(istio, [service("orders")]).map(([name]) => name)).toEqual([
      "peerauthentications.security.istio.io",
      "authorizationpolicies.security.istio.io",
    ]);
    const destinationRule = requiredCustomResourceDefinitions(istio, services).find(
      (c) => c.kind === "DestinationRule",
    );
    expect(destinationRule?.neededBy).toBe(
      "the connection limits and outlier detection of each service called (PLATFORM_MESH=istio: orders)",
    );
    expect(installedByAddons(istio, requiredCustomResourceDefinitions(istio, services))).toEqual(
      expect.arrayContaining(meshCrds(istio, services).map(([name]) => name)),
    );
  });

  it("GIVEN Linkerd WHEN derived THEN its policy kinds, installed by the linkerd add-on; GIVEN STAGING_ADDONS leaving Linkerd out THEN they are needed and not installed by the add-ons", () => {
    const anchor = folder("anchor-");
    selfSignedCertificate(anchor);
    const linkerd = staging({
      PLATFORM_MESH: "linkerd",
      PLATFORM_LINKERD_TRUST_ANCHOR_FILE: `${anchor}/apiserver.crt`,
    });
    expect(meshCrds(linkerd, services)).toEqual([
      ["servers.policy.linkerd.io", "Server", "linkerd"],
      ["meshtlsauthentications.policy.linkerd.io", "MeshTLSAuthentication", "linkerd"],
      ["authorizationpolicies.policy.linkerd.io", "AuthorizationPolicy", "linkerd"],
      ["httproutes.policy.linkerd.io", "HTTPRoute", "linkerd"],
    ]);
    expect(installedByAddons(linkerd, requiredCustomResourceDefinitions(linkerd, services))).toEqual(
      expect.arrayContaining(meshCrds(linkerd, services).map(([name]) => name)),
    );
    const own = staging({ PLATFORM_MESH: "linkerd", STAGING_ADDONS: "ingress-nginx" });
    const needed = requiredCustomResourceDefinitions(own, services);
    expect(needed.map((crd) => crd.name)).toContain("servers.policy.linkerd.io");
    expect(installedByAddons(own, needed)).toEqual([]);
  });
});
