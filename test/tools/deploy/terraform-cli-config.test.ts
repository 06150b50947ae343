import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { terraformPlatform } from "../../../tools/doctor/provider-mirror.js";
import { providerMirrorCliConfig, writeProviderMirrorConfig } from "../../../tools/deploy/terraform-cli-config.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();

/** The real `terraform init` in a folder whose main.tf requires hashicorp/random 3.7.2, with this CLI configuration. */
function initWith(cliConfig: string): { status: number | null; output: string } {
  const work = folder("cli-config-work-");
  writeFileSync(
    path.join(work, "main.tf"),
    'terraform {\n  required_providers {\n    random = { source = "hashicorp/random", version = "3.7.2" }\n  }\n}\n',
  );
  const run = spawnSync("terraform", ["init", "-input=false", "-no-color"], {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" },
  });
  // Terraform wraps its messages at 78 columns: one space for each run of blanks.
  return { status: run.status, output: `${run.stdout}${run.stderr}`.replace(/\s+/g, " ") };
}

describe("the CLI configuration PLATFORM_PROVIDER_MIRROR writes, read by terraform itself", () => {
  it("GIVEN an empty mirror folder WHEN terraform init runs with the written configuration THEN it fails with the mirror's own message, and asks no registry", () => {
    const root = folder("cli-config-root-");
    const mirror = folder("cli-config-mirror-");
    const file = writeProviderMirrorConfig(root, mirror);
    expect(file).toBe(path.join(root, providerMirrorCliConfig(mirror)));
    // Another mirror gets a file of its own: a deploy with it never rewrites this one.
    expect(providerMirrorCliConfig(folder("cli-config-other-mirror-"))).not.toBe(providerMirrorCliConfig(mirror));
    const init = initWith(file);
    expect(init.status).toBe(1);
    expect(init.output).toContain(
      "provider registry.terraform.io/hashicorp/random was not found in any of the search locations",
    );
    expect(init.output).toContain(` - ${mirror} `);
    // The registry's own failure reads "could not connect to registry.terraform.io: failed to request discovery document".
    expect(init.output).not.toContain("could not connect to registry.terraform.io");
    expect(init.output).not.toContain("discovery document");
  });

  it("GIVEN a mirror holding the provider in the unpacked layout the doctor accepts WHEN terraform init runs with it THEN terraform installs the provider from the mirror", () => {
    const mirror = folder("cli-config-mirror-");
    const version = path.join(mirror, "registry.terraform.io", "hashicorp", "random", "3.7.2", terraformPlatform());
    mkdirSync(version, { recursive: true });
    // A stand-in for the provider's executable: init installs it, nothing runs it.
    writeFileSync(path.join(version, "terraform-provider-random_v3.7.2"), "#!/bin/sh\nexit 1\n");
    chmodSync(path.join(version, "terraform-provider-random_v3.7.2"), 0o755);
    const init = initWith(writeProviderMirrorConfig(folder("cli-config-root-"), mirror));
    expect(init.output).toContain("Installed hashicorp/random v3.7.2 (unauthenticated)");
    expect(init.status).toBe(0);
  });

  it("GIVEN a mirror path holding quotes, a backslash, ${ and %{ WHEN written THEN terraform reads that path as it is", () => {
    const mirror = path.join(folder("cli-config-mirror-"), 'odd "name" \\ ${x} %{y}');
    mkdirSync(mirror);
    const file = writeProviderMirrorConfig(folder("cli-config-root-"), mirror);
    expect(readFileSync(file, "utf8")).toContain('odd \\"name\\" \\\\ ${x} %{y}"');
    const init = initWith(file);
    expect(init.output).toContain(` - ${mirror} `);
    expect(init.status).toBe(1);
  });
});
