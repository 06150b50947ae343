import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The Terraform CLI configuration the deploy writes when PLATFORM_PROVIDER_MIRROR is set,
 * relative to the repository: beside the repository's other ignored outputs, never the
 * user's own `~/.terraformrc`, which stays as it is for their other work. One file per
 * mirror folder (named by a hash of its absolute path): two deploys at once with two
 * mirrors never rewrite the file the other's terraform reads at each of its steps.
 */
export function providerMirrorCliConfig(mirror: string): string {
  const digest = createHash("sha256").update(path.resolve(mirror)).digest("hex").slice(0, 12);
  return path.join(".terraform.d", `provider-mirror-${digest}.tfrc`);
}

/**
 * `value` as a quoted string of the CLI configuration: quotes, backslashes and control
 * characters escaped. Terraform reads no templates there (`${` and `%{` stay as they are:
 * a test runs terraform init on such a path).
 */
function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
  return `"${escaped}"`;
}

/**
 * A CLI configuration whose `provider_installation` has one `filesystem_mirror` at
 * `mirror` and no `direct` block: terraform init installs every provider from the mirror
 * and asks no registry, so a provider the mirror lacks fails init with the mirror's
 * own message.
 */
export function renderProviderMirrorConfig(mirror: string): string {
  return `# Written by npm run deploy|destroy from PLATFORM_PROVIDER_MIRROR (this mirror's own file), rewritten on every run.
# terraform installs every provider from this mirror alone (no direct block: no registry).
provider_installation {
  filesystem_mirror {
    path = ${hclString(path.resolve(mirror))}
  }
}
`;
}

/**
 * Writes the mirror's CLI configuration below `root` (to a temporary file beside it, then
 * a rename, so that a terraform of another run never reads half a file) and returns its
 * absolute path, for TF_CLI_CONFIG_FILE.
 */
export function writeProviderMirrorConfig(root: string, mirror: string): string {
  const file = path.join(root, providerMirrorCliConfig(mirror));
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, renderProviderMirrorConfig(mirror));
  renameSync(temporary, file);
  return file;
}
