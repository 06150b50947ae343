import type { CheckResult } from "./check-result.js";

type Variables = Readonly<Record<string, string | undefined>>;

/**
 * Whether each secret variable the local stack declares (`secret_<name>_<key>`, see
 * `secretVariableName`) has its value in the environment as `TF_VAR_<variable>`: without
 * it, terraform plan stops on a variable with no value.
 */
export function checkSecretVariables(declared: readonly string[], variables: Variables): CheckResult {
  if (declared.length === 0) return { ok: true, line: "secret variables: the specs refer to no secret" };
  const missing = declared.map((name) => `TF_VAR_${name}`).filter((name) => !variables[name]);
  if (missing.length === 0)
    return { ok: true, line: `secret variables: ${declared.map((name) => `TF_VAR_${name}`).join(", ")} set` };
  return {
    ok: false,
    line: `secret variables: ${missing.join(", ")} not set (or empty); terraform plan needs a value for each: export ${missing.map((name) => `${name}=...`).join(" ")} and run again`,
  };
}
