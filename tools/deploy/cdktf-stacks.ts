import { addonsStackName } from "../../infra/addons/addon-names.js";
import { STACK_NAMES } from "../../infra/stack-names.js";

/**
 * The stacks `cdktf <action>` is given for `environment`.
 * - deploy: the environment's add-ons stack (on Kubernetes), then its own. The service
 *   stack depends on the add-ons stack, and cdktf 0.21 refuses to deploy a stack whose
 *   dependency is not among the stacks named ("The following dependencies are not
 *   included in the stacks to run"); named together, cdktf applies the add-ons first.
 * - destroy: the service stack alone. The add-ons (the operators, their CRDs, the
 *   monitoring) stay for the next deploy; `npx cdktf destroy <env> addons-<env>` removes both.
 */
export function cdktfStacks(action: "deploy" | "destroy", environment: string): string[] {
  if (action === "destroy") return [environment];
  return STACK_NAMES.filter((name) => name === addonsStackName(environment) || name === environment);
}
