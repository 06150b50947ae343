import type { SecretReference, ServiceSpec } from "../../spec/resolve.js";

/** The Terraform variable that carries a secret on Docker (`secret_orders_db_password`). */
export function secretVariableName(ref: SecretReference): string {
  return `secret_${ref.secretName}_${ref.key}`.replace(/[^a-zA-Z0-9_]/g, "_").toLowerCase();
}

/**
 * The secret variables the local stack declares for these services, one per distinct
 * secret reference, sorted: `terraform plan` needs each as `TF_VAR_<name>`.
 */
export function secretVariableNames(services: readonly Pick<ServiceSpec, "secrets">[]): string[] {
  return [...new Set(services.flatMap((s) => Object.values(s.secrets).map(secretVariableName)))].sort();
}
