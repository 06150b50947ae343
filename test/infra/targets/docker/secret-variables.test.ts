import { describe, expect, it } from "vitest";
import { ENVIRONMENT_NAMES } from "../../../../infra/environments.js";
import { resolveCatalogue } from "../../../../infra/spec/model.js";
import { secretVariableNames } from "../../../../infra/targets/docker/secret-variables.js";
import { exampleServices, service, synthPlatform } from "../../../support/platform.js";

describe("secretVariableNames", () => {
  it("GIVEN services whose secrets share a reference WHEN local is synthesized THEN the names are exactly the stack's variables, once each", () => {
    const discovered = [
      ...exampleServices(),
      service({
        name: "billing",
        build: {},
        port: 8090,
        secrets: {
          PAYMENTS_TOKEN: { secretName: "payments-api", key: "token" },
          DB_PASSWORD: { secretName: "orders-db", key: "password" },
        },
      }),
    ];
    const local = synthPlatform(discovered).local!;
    const catalogue = resolveCatalogue(discovered, "local", [...ENVIRONMENT_NAMES], {
      production: false,
      target: "docker",
    });
    const names = secretVariableNames(catalogue.services);
    expect(names).toEqual(["secret_orders_db_password", "secret_payments_api_token"]);
    expect(names).toEqual(Object.keys(local.variable ?? {}).sort());
  });
});
