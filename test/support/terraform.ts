import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Runs the real Terraform CLI in `dir`, with no call home. Only configurations of
 * Terraform's built-in `terraform_data`, variables and outputs run here: no provider
 * can be downloaded.
 */
export function terraform(dir: string, ...args: string[]): string {
  return execFileSync("terraform", args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * What Terraform makes of each value as a resource argument: every value becomes the
 * `input` of a `terraform_data` resource in `dir` (a JSON configuration, as cdktf writes
 * one), is applied, and read back through an output. A string that Terraform read as a
 * template comes back changed (or fails the apply).
 */
export function valuesThroughTerraform(dir: string, inputs: readonly unknown[]): unknown[] {
  const resources = Object.fromEntries(inputs.map((input, index) => [`value_${index}`, { input }]));
  const outputs = Object.fromEntries(
    inputs.map((_input, index) => [`value_${index}`, { value: `\${terraform_data.value_${index}.output}` }]),
  );
  writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({ resource: { terraform_data: resources }, output: outputs }),
  );
  terraform(dir, "init", "-input=false", "-no-color");
  terraform(dir, "apply", "-auto-approve", "-input=false", "-no-color");
  const read = JSON.parse(terraform(dir, "output", "-json", "-no-color")) as Record<string, { value: unknown }>;
  return inputs.map((_input, index) => read[`value_${index}`]!.value);
}
