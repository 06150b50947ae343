/**
 * The cluster add-ons an environment's add-ons stack (`addons-<env>`) can install, and
 * the setting that picks them (`<ENV>_ADDONS`, read in infra/environments.ts).
 */

/** Every add-on, in the order the add-ons stack declares them. */
export const ADDON_NAMES = [
  "kube-prometheus-stack",
  "cert-manager",
  "ingress-nginx",
  "cloudnative-pg",
  "rabbitmq-cluster-operator",
] as const;

/** The name of one add-on. */
export type AddonName = (typeof ADDON_NAMES)[number];

/** The value of `<ENV>_ADDONS` that installs no add-on (the cluster has them all). */
export const NO_ADDONS = "none";

/** What `<ENV>_ADDONS` accepts. */
export const ADDONS_ACCEPTED = `a comma-separated list of the add-ons to install, from ${ADDON_NAMES.join(", ")} (leave out those the cluster already has), or ${NO_ADDONS}; unset: every one`;

/** The variable that picks the add-ons of `environment`: `STAGING_ADDONS`. */
export function addonsVariable(environment: string): string {
  return `${environment.toUpperCase()}_ADDONS`;
}

/**
 * The add-ons a value of `<ENV>_ADDONS` names, in {@link ADDON_NAMES}' order; undefined
 * when the value names something else (or nothing, or an add-on twice).
 */
export function parseAddons(text: string): AddonName[] | undefined {
  if (text.trim() === NO_ADDONS) return [];
  const names = text.split(",").map((name) => name.trim());
  if (names.some((name) => !(ADDON_NAMES as readonly string[]).includes(name))) return undefined;
  if (new Set(names).size !== names.length) return undefined;
  return ADDON_NAMES.filter((name) => names.includes(name));
}

/** The id of the add-ons stack of `environment`: `addons-staging` (its folder in cdktf.out/stacks/). */
export function addonsStackName(environment: string): string {
  return `addons-${environment}`;
}
