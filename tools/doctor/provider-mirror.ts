import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { describeProvider, type TerraformProviderRequirement } from "../../infra/targets/terraform-providers.js";
import type { CheckResult } from "./check-result.js";

/** The platform Terraform names this machine by (`linux_amd64`), as mirror folders are named. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
  return `${os}_${cpu}`;
}

/**
 * Whether `provider` is in the filesystem mirror at `mirror` for `platform`, in either
 * layout Terraform reads: unpacked (`<host>/<namespace>/<type>/<version>/<platform>/`) or
 * packed (`<host>/<namespace>/<type>/terraform-provider-<type>_<version>_<platform>.zip`,
 * what `terraform providers mirror` writes).
 */
export function inMirror(mirror: string, provider: TerraformProviderRequirement, platform: string): boolean {
  const folder = path.join(mirror, provider.hostname, provider.namespace, provider.type);
  const unpacked = path.join(folder, provider.version, platform);
  const packed = path.join(folder, `terraform-provider-${provider.type}_${provider.version}_${platform}.zip`);
  return (
    (existsSync(unpacked) && statSync(unpacked).isDirectory()) || (existsSync(packed) && statSync(packed).isFile())
  );
}

/** Checks that the mirror folder holds every provider the stack requires, for this machine's platform. */
export function checkProviderMirror(
  mirror: string,
  providers: readonly TerraformProviderRequirement[],
  platform: string = terraformPlatform(),
): CheckResult {
  const make = `make it on a machine that reaches registry.terraform.io: npm run synth, then 'terraform providers mirror -platform=${platform} <folder>' in cdktf.out/stacks/<environment>, and copy the folder here`;
  if (!existsSync(mirror) || !statSync(mirror).isDirectory())
    return {
      ok: false,
      line: `providers: PLATFORM_PROVIDER_MIRROR=${mirror} is not a folder; ${make}`,
    };
  const missing = providers.filter((provider) => !inMirror(mirror, provider, platform));
  if (missing.length > 0)
    return {
      ok: false,
      line: `providers: the provider mirror ${mirror} lacks ${missing.map(describeProvider).join(", ")} for ${platform}; ${make}`,
    };
  return {
    ok: true,
    line: `providers: the provider mirror ${mirror} holds ${providers.map(describeProvider).join(", ")} for ${platform}`,
  };
}
