import { terraformLiteral } from "../cdk.js";

/**
 * A service's variables as Terraform must read them: a value the spec gives literally
 * (`"${HOME}/cache"`, `"%{x}"`) would otherwise be read as a Terraform template and
 * fail the plan or, worse, be interpolated.
 */
export function literalValues(variables: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, terraformLiteral(value)]));
}
