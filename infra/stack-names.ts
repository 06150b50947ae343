/**
 * The names of the stacks the app synthesizes (`cdktf.out/stacks/<name>/`), without
 * loading cdktf: the deploy wrapper names them to the cdktf CLI.
 */
import { addonsStackName } from "./addons/addon-names.js";
import { ENVIRONMENT_NAMES, type Environment } from "./environments.js";

/**
 * The stacks of every environment, in deploy order: each Kubernetes environment's
 * add-ons stack (`addons-<env>`) just before its service stack; `local` (Docker) has no
 * add-ons stack.
 */
export const STACK_NAMES: readonly string[] = ENVIRONMENT_NAMES.flatMap((name) =>
  name === "local" ? [name] : [addonsStackName(name), name],
);

/** The stacks of `environment`, in deploy order: its add-ons stack (on Kubernetes) and its own. */
export function stackNamesOf(environment: Pick<Environment, "name" | "target">): string[] {
  return environment.target === "kubernetes"
    ? [addonsStackName(environment.name), environment.name]
    : [environment.name];
}

/** Whether `name` is the add-ons stack of one of the environments (`addons-staging`). */
export function isAddonsStackName(name: string): boolean {
  return ENVIRONMENT_NAMES.some((environment) => environment !== "local" && addonsStackName(environment) === name);
}
