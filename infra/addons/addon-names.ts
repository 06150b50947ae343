import type { MeshName, ServiceMeshName } from "../mesh-settings.js";

/**
 * The cluster add-ons an environment's add-ons stack (`addons-<env>`) can install, and
 * the setting that picks them (`<ENV>_ADDONS`, read in infra/environments.ts).
 */

/** The add-ons that are a service mesh: each is installed only in an environment whose mesh it is. */
export const MESH_ADDON_NAMES = ["istio", "linkerd"] as const satisfies readonly ServiceMeshName[];

/** Every add-on, in the order the add-ons stack declares them (the mesh's releases come first by `dependsOn`). */
export const ADDON_NAMES = [
  "kube-prometheus-stack",
  "cert-manager",
  "ingress-nginx",
  "cloudnative-pg",
  "rabbitmq-cluster-operator",
  ...MESH_ADDON_NAMES,
] as const;

/** The name of one add-on. */
export type AddonName = (typeof ADDON_NAMES)[number];

/** The name of an add-on that is not a mesh: one chart, one release. */
export type ChartAddonName = Exclude<AddonName, ServiceMeshName>;

/** The value of `<ENV>_ADDONS` that installs no add-on (the cluster has them all). */
export const NO_ADDONS = "none";

/** What `<ENV>_ADDONS` accepts. */
export const ADDONS_ACCEPTED = `a comma-separated list of the add-ons to install, from ${ADDON_NAMES.join(", ")} (leave out those the cluster already has; ${MESH_ADDON_NAMES.join(" or ")} only as the environment's mesh, <ENV>_MESH or PLATFORM_MESH), or ${NO_ADDONS}; unset: every one, the environment's mesh among them when it has one`;

/** The variable that picks the add-ons of `environment`: `STAGING_ADDONS`. */
export function addonsVariable(environment: string): string {
  return `${environment.toUpperCase()}_ADDONS`;
}

/** Whether `addon` is a service mesh. */
export function isMeshAddon(addon: AddonName): addon is ServiceMeshName {
  return (MESH_ADDON_NAMES as readonly string[]).includes(addon);
}

/**
 * Whether an environment whose mesh is `mesh` may install `addon`: every add-on but a mesh
 * other than its own (a cluster runs one mesh, the one the service stack writes objects for).
 */
export function fitsMesh(addon: AddonName, mesh: MeshName): boolean {
  return !isMeshAddon(addon) || addon === mesh;
}

/** The add-ons of an environment whose `<ENV>_ADDONS` is unset: every one that fits its mesh. */
export function defaultAddons(mesh: MeshName): AddonName[] {
  return ADDON_NAMES.filter((addon) => fitsMesh(addon, mesh));
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
