import { describe, expect, it } from "vitest";
import {
  ADDON_NAMES,
  ADDONS_ACCEPTED,
  addonsStackName,
  addonsVariable,
  defaultAddons,
  fitsMesh,
  isMeshAddon,
  parseAddons,
} from "../../../infra/addons/addon-names.js";

describe("the add-on names and <ENV>_ADDONS", () => {
  it("GIVEN names in any order, with spaces WHEN parsed THEN they come back in ADDON_NAMES' order; none is the empty list", () => {
    expect(parseAddons("rabbitmq-cluster-operator, cert-manager")).toEqual([
      "cert-manager",
      "rabbitmq-cluster-operator",
    ]);
    expect(parseAddons(ADDON_NAMES.join(","))).toEqual(ADDON_NAMES);
    expect(parseAddons(" none ")).toEqual([]);
  });

  it("GIVEN an unknown name, a repeated one, an empty item or none beside a name WHEN parsed THEN undefined", () => {
    for (const text of ["nginx", "cert-manager,cert-manager", "cert-manager,", "none,cert-manager"])
      expect(parseAddons(text), text).toBeUndefined();
  });

  it("GIVEN an environment WHEN named THEN its variable and its stack follow the <ENV>_ and addons-<env> forms", () => {
    expect(addonsVariable("staging")).toBe("STAGING_ADDONS");
    expect(addonsStackName("production")).toBe("addons-production");
  });
});

describe("the mesh add-ons", () => {
  it("GIVEN each mesh WHEN the add-ons fit it THEN every add-on but the other mesh; without a mesh, neither mesh", () => {
    const withoutMeshes = ADDON_NAMES.filter((name) => !isMeshAddon(name));
    expect(withoutMeshes).toEqual([
      "kube-prometheus-stack",
      "cert-manager",
      "ingress-nginx",
      "cloudnative-pg",
      "rabbitmq-cluster-operator",
    ]);
    expect(defaultAddons("none")).toEqual(withoutMeshes);
    expect(defaultAddons("istio")).toEqual([...withoutMeshes, "istio"]);
    expect(defaultAddons("linkerd")).toEqual([...withoutMeshes, "linkerd"]);
    expect(fitsMesh("istio", "linkerd")).toBe(false);
    expect(fitsMesh("linkerd", "none")).toBe(false);
    expect(fitsMesh("cert-manager", "none")).toBe(true);
  });

  it("GIVEN the accepted text WHEN read THEN it names every add-on and says a mesh add-on must be the environment's mesh", () => {
    for (const name of ADDON_NAMES) expect(ADDONS_ACCEPTED).toContain(name);
    expect(ADDONS_ACCEPTED).toContain("istio or linkerd only as the environment's mesh");
  });
});
