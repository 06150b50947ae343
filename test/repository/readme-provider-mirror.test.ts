import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_NAMES } from "../../infra/environments.js";
import { ROOT } from "../support/cli.js";

/**
 * The README's commands for making a provider mirror ("Without the provider registry"),
 * checked against what they act on: `terraform providers mirror` needs the registry, so
 * it is not run here.
 */
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The sh block of the section "Without the provider registry". */
function mirrorCommands(): string {
  const section = README.slice(README.indexOf("### Without the provider registry"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README.md: the section 'Without the provider registry' has no sh block");
  return block[1]!;
}

/** Every provider source/version a synthesized stack requires (the committed snapshots). */
function requiredProviders(environment: string): string[] {
  const stack = JSON.parse(
    readFileSync(path.join(ROOT, "test", "infra", "__snapshots__", `${environment}.cdk.tf.json`), "utf8"),
  ) as { terraform: { required_providers: Record<string, { source: string; version: string }> } };
  return Object.values(stack.terraform.required_providers).map((p) => `${p.source}@${p.version}`);
}

describe("README: making a provider mirror", () => {
  const commands = mirrorCommands();
  const loop =
    /for env in ([a-z ]+); do \(cd cdktf\.out\/stacks\/\$env && terraform providers mirror -platform=(\S+) (\S+)\); done/.exec(
      commands,
    );

  it("GIVEN the README's mirror commands WHEN read THEN they synthesize first, then mirror from stacks that together require every provider of every environment", () => {
    expect(commands).toContain("npm run synth");
    expect(commands.indexOf("npm run synth")).toBeLessThan(commands.indexOf("terraform providers mirror"));
    expect(loop, commands).not.toBeNull();
    const mirrored = new Set(loop![1]!.trim().split(" ").flatMap(requiredProviders));
    for (const environment of ENVIRONMENT_NAMES)
      for (const provider of requiredProviders(environment)) expect([...mirrored]).toContain(provider);
  });

  it("GIVEN the folder each stack mirrors into WHEN resolved from cdktf.out/stacks/<env> THEN it is the one PLATFORM_PROVIDER_MIRROR names, in the form terraform names platforms", () => {
    const target = path.resolve(ROOT, "cdktf.out", "stacks", "local", loop![3]!);
    expect(target).toBe(path.join(ROOT, "providers"));
    expect(commands).toContain("PLATFORM_PROVIDER_MIRROR=$PWD/providers npm run deploy -- local");
    expect(loop![2]).toMatch(/^(linux|darwin|windows|freebsd|openbsd|solaris)_(amd64|arm64|386|arm)$/);
  });
});
