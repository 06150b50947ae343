import { createRequire } from "node:module";
import type { Environment } from "../environments.js";
import type { ServiceSpec } from "../spec/resolve.js";

/** One Terraform provider a stack requires, as `terraform init` installs it. */
export interface TerraformProviderRequirement {
  /** The registry that is the provider's origin: `registry.terraform.io`. */
  readonly hostname: string;
  /** `hashicorp`, `kreuzwerker`. */
  readonly namespace: string;
  /** `kubernetes`, `docker`, `random`. */
  readonly type: string;
  /** The exact version the provider package pins (cdktf writes it in `required_providers`). */
  readonly version: string;
}

const require = createRequire(import.meta.url);

/** The provider a prebuilt cdktf provider package was generated for (its package.json's `cdktf.provider`). */
function fromPackage(packageName: string): TerraformProviderRequirement {
  const { name, version } = (
    require(`${packageName}/package.json`) as { cdktf: { provider: { name: string; version: string } } }
  ).cdktf.provider;
  const [hostname = "", namespace = "", type = ""] = name.split("/");
  return { hostname, namespace, type, version };
}

/**
 * Whether a target's stack declares the random provider: the docker target makes every
 * database's and queue's password with it, the kubernetes target only a Redis store's.
 */
export function needsRandomProvider(
  target: Environment["target"],
  services: readonly Pick<ServiceSpec, "backingServices">[],
): boolean {
  return target === "docker"
    ? services.some((s) => s.backingServices.length > 0)
    : services.some((s) => s.backingServices.some((r) => r.type === "redis" && r.external === undefined));
}

/**
 * The providers a target's stacks require for these services, as the stacks'
 * `terraform.required_providers` name them: on Kubernetes also helm, which the
 * environment's add-ons stack (`addons-<env>`, deployed with it) declares.
 */
export function terraformProviders(
  target: Environment["target"],
  services: readonly Pick<ServiceSpec, "backingServices">[],
): TerraformProviderRequirement[] {
  return [
    fromPackage(target === "docker" ? "@cdktf/provider-docker" : "@cdktf/provider-kubernetes"),
    ...(target === "kubernetes" ? [fromPackage("@cdktf/provider-helm")] : []),
    ...(needsRandomProvider(target, services) ? [fromPackage("@cdktf/provider-random")] : []),
  ];
}

/** `hashicorp/random 3.7.2`, as the doctor's lines name a provider. */
export function describeProvider(provider: TerraformProviderRequirement): string {
  return `${provider.namespace}/${provider.type} ${provider.version}`;
}
