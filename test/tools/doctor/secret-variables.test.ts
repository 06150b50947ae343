import { describe, expect, it } from "vitest";
import { checkSecretVariables } from "../../../tools/doctor/secret-variables.js";

const DECLARED = ["secret_orders_db_password", "secret_payments_api_token"];

describe("checkSecretVariables", () => {
  it("GIVEN each declared secret variable set as TF_VAR_ WHEN checked THEN the line passes, naming them", () => {
    expect(
      checkSecretVariables(DECLARED, { TF_VAR_secret_orders_db_password: "a", TF_VAR_secret_payments_api_token: "b" }),
    ).toEqual({
      ok: true,
      line: "secret variables: TF_VAR_secret_orders_db_password, TF_VAR_secret_payments_api_token set",
    });
  });

  it("GIVEN one unset and one empty WHEN checked THEN both are named with the export that fixes them", () => {
    expect(checkSecretVariables(DECLARED, { TF_VAR_secret_payments_api_token: "" })).toEqual({
      ok: false,
      line: "secret variables: TF_VAR_secret_orders_db_password, TF_VAR_secret_payments_api_token not set (or empty); terraform plan needs a value for each: export TF_VAR_secret_orders_db_password=... TF_VAR_secret_payments_api_token=... and run again",
    });
  });

  it("GIVEN no secret declared WHEN checked THEN the line passes", () => {
    expect(checkSecretVariables([], {})).toEqual({ ok: true, line: "secret variables: the specs refer to no secret" });
  });
});
