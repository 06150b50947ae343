import { RESILIENCE_VARIABLE_SUFFIXES } from "../../spec/resolve.js";
import { SECRET_LIKE_ENV_NAME } from "../../spec/secret-like-names.js";
import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { blocks } from "../values.js";

/**
 * True for a value that is a plain URL without credentials: `CATALOG_URL` for a service
 * named `token-store` is `TOKEN_STORE_URL`, and its value is no secret.
 */
function isUrlWithoutCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username === "" && url.password === "" && url.search === "";
  } catch {
    return false;
  }
}

/**
 * True for one of the settings the platform sets per dependency from `resilience`
 * (`TOKEN_STORE_BREAKER_FAILURES=5` for a service named `token-store`): a number or a
 * list of HTTP methods, no secret.
 */
function isDependencySetting(name: string, value: string): boolean {
  return (
    RESILIENCE_VARIABLE_SUFFIXES.some((suffix) => name.endsWith(`_${suffix}`)) &&
    /^(\d+|[A-Z]+(,[A-Z]+)*)?$/.test(value)
  );
}

/**
 * K8S-14 (error): no container environment variable whose name says it is a secret
 * (password, token, API key, ...) carries a literal value: secrets come from the
 * secret store through `value_from.secret_key_ref`, so they are neither in the
 * synthesized JSON nor in Terraform's state. A value Terraform computes fails too (it
 * lands in the Deployment all the same). The value is never printed.
 * Anchor: kube-linter env-var-secret, Polaris, checkov CKV_K8S_35.
 */
export const noLiteralSecrets: ResourceRule = {
  id: "K8S-14",
  level: "error",
  scope: "resource",
  checks: "no secret-named environment variable has a literal value (secret references only)",
  anchor: "kube-linter env-var-secret; Polaris; checkov CKV_K8S_35",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: true })) {
      for (const variable of blocks(container.values.env)) {
        const { name, value } = variable;
        if (typeof name !== "string" || !SECRET_LIKE_ENV_NAME.test(name)) continue;
        // A computed value (`${var.password}`) is no better: it is written into the
        // Deployment and into Terraform's state all the same.
        if (
          value === undefined ||
          value === null ||
          value === "" ||
          (typeof value === "string" && (isUrlWithoutCredentials(value) || isDependencySetting(name, value)))
        )
          continue;
        problems.add(
          `${container.label}: env ${name} is set by value (not shown), not by a reference to the secret store`,
          `move it to the spec's secrets as a reference { secretName, key } (value_from.secret_key_ref)`,
        );
      }
    }
    return problems.outcome();
  },
};
