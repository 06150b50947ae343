import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.js";
import { type ProviderRegistryStandIn, startProviderRegistry } from "../../support/provider-registry.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
const MIRROR_FIX =
  "set PLATFORM_PROVIDER_MIRROR to a provider mirror folder made with 'terraform providers mirror' on a machine that reaches it (README.md: \"Without the provider registry\")";

let home: string;
beforeAll(() => {
  home = folder("doctor-registry-home-");
});

/** The doctor of `environment` on a machine without terraform, Docker or a kubeconfig: the providers line is what is tested. */
function doctor(environment: string, variables: Record<string, string>) {
  return runCli("tools/doctor.ts", [environment], {
    env: {
      HOME: home,
      PATH: "/usr/bin:/bin",
      KUBECONFIG: path.join(home, "none"),
      DOCKER_HOST: `unix://${home}/none.sock`,
      ...variables,
    },
  });
}

/** The providers line the doctor printed. */
function providersLine(stdout: string): string | undefined {
  return stdout.split("\n").find((line) => line.slice(2).startsWith("providers: "));
}

describe("npm run doctor: the provider registry", () => {
  let registry: ProviderRegistryStandIn;
  beforeAll(async () => {
    registry = await startProviderRegistry({ lacking: ["hashicorp/random"] });
  });
  afterAll(() => registry.close());

  it("GIVEN a registry that answers the discovery document and each provider's versions WHEN checking staging THEN the line passes, naming the providers and versions it listed", async () => {
    const everything = await startProviderRegistry();
    try {
      const run = await doctor("staging", { DOCTOR_PROVIDER_REGISTRY: everything.url });
      expect(providersLine(run.stdout)).toBe(
        `✓ providers: the provider registry ${everything.url} lists hashicorp/kubernetes 2.38.0, hashicorp/helm 3.1.1, hashicorp/random 3.7.2`,
      );
      // As terraform init asks: the discovery document first, then the versions of each provider.
      expect(everything.requests).toEqual([
        "/.well-known/terraform.json",
        "/v1/providers/hashicorp/kubernetes/versions",
        "/v1/providers/hashicorp/helm/versions",
        "/v1/providers/hashicorp/random/versions",
      ]);
    } finally {
      await everything.close();
    }
  });

  it("GIVEN a registry that answers 404 for one provider WHEN checking local THEN the line names it, with the mirror fix, and the doctor exits 1", async () => {
    const run = await doctor("local", { DOCTOR_PROVIDER_REGISTRY: registry.url });
    expect(providersLine(run.stdout)).toBe(
      `✗ providers: the provider registry ${registry.url} is not reachable (hashicorp/random: /v1/providers/hashicorp/random/versions answered 404), so terraform init cannot install kreuzwerker/docker 3.6.2, hashicorp/random 3.7.2; give this machine access to it, or ${MIRROR_FIX}`,
    );
    expect(run.status).toBe(1);
  });

  it("GIVEN a registry address where nothing listens WHEN checking local THEN the line says it is not reachable and why, with the fix, and the doctor exits 1", async () => {
    // A port that was free a moment ago: the connection is refused.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const run = await doctor("local", { DOCTOR_PROVIDER_REGISTRY: `http://127.0.0.1:${port}` });
    expect(providersLine(run.stdout)).toBe(
      `✗ providers: the provider registry http://127.0.0.1:${port} is not reachable (connect ECONNREFUSED 127.0.0.1:${port}), so terraform init cannot install kreuzwerker/docker 3.6.2, hashicorp/random 3.7.2; give this machine access to it, or ${MIRROR_FIX}`,
    );
    expect(run.stdout).toContain("local: 3 missing");
    expect(run.status).toBe(1);
  });

  it("GIVEN no DOCTOR_PROVIDER_REGISTRY WHEN checking local THEN the doctor asks registry.terraform.io itself, and says whether it answered", async () => {
    const run = await doctor("local", {});
    // Either way, depending on this machine's network (none here but the npm registry: it says not reachable).
    expect(providersLine(run.stdout)).toMatch(
      /^(✓ providers: the provider registry https:\/\/registry\.terraform\.io lists kreuzwerker\/docker 3\.6\.2, hashicorp\/random 3\.7\.2|✗ providers: the provider registry https:\/\/registry\.terraform\.io is not reachable \(.+\), so terraform init cannot install kreuzwerker\/docker 3\.6\.2, hashicorp\/random 3\.7\.2; give this machine access to it, or set PLATFORM_PROVIDER_MIRROR)/,
    );
  });

  it("GIVEN HTTPS_PROXY WHEN checking local THEN the registry is not asked (terraform goes through the proxy, the check cannot), and the line says so", async () => {
    const run = await doctor("local", { HTTPS_PROXY: "http://127.0.0.1:9" });
    expect(providersLine(run.stdout)).toBe(
      "✓ providers: not checked: HTTPS_PROXY is set, and terraform init reaches the registry through the proxy, which this check cannot; terraform init will tell",
    );
  });

  it("GIVEN a Terraform CLI configuration with its own provider_installation WHEN checking local THEN terraform's choice is left to it, and the line names the file", async () => {
    const cliConfig = path.join(folder("doctor-cli-config-"), "terraformrc");
    writeFileSync(
      cliConfig,
      'provider_installation {\n  network_mirror {\n    url = "https://mirror.example/"\n  }\n}\n',
    );
    const run = await doctor("local", { TF_CLI_CONFIG_FILE: cliConfig });
    expect(providersLine(run.stdout)).toBe(
      `✓ providers: not checked: your Terraform CLI configuration ${cliConfig} has a provider_installation of its own, which terraform init follows`,
    );
    // A configuration without one changes nothing: the registry is asked.
    writeFileSync(cliConfig, 'plugin_cache_dir = "/tmp"\n');
    const asked = await doctor("local", { TF_CLI_CONFIG_FILE: cliConfig });
    expect(providersLine(asked.stdout)).toMatch(
      /^[✓✗] providers: the provider registry https:\/\/registry\.terraform\.io /,
    );
  });

  it("GIVEN --help WHEN asked THEN it names the registry override and the mirror setting", async () => {
    const run = await runCli("tools/doctor.ts", ["--help"], { env: { HOME: home, PATH: "/usr/bin:/bin" } });
    expect(run.stdout).toContain(
      "DOCTOR_PROVIDER_REGISTRY   the registry the doctor asks (default: https://registry.terraform.io)",
    );
    expect(run.stdout).toContain("PLATFORM_PROVIDER_MIRROR");
    expect(run.status).toBe(0);
  });
});
