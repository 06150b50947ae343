import { describe, expect, it } from "vitest";
import { ADDON_NAMES, addonsStackName, addonsVariable, parseAddons } from "../../../infra/addons/addon-names.js";

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
