import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terraformPlatform } from "../../tools/doctor/provider-mirror.js";
import { runCli } from "../support/cli.js";
import { startProviderRegistry } from "../support/provider-registry.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";
import { withStandInCdktf } from "../support/stand-in-cdktf.js";
import { providerMirrorCliConfig } from "../../tools/deploy/terraform-cli-config.js";

const { folder, removeLater } = scratchFolders();

let sandbox: string;
let socket: string;
let engine: http.Server;
beforeAll(async () => {
  sandbox = folder("deploy-output-home-");
  socket = path.join(sandbox, "docker.sock");
  // Answers the preflight's /_ping like dockerd.
  engine = http.createServer((request, response) => response.writeHead(request.url === "/_ping" ? 200 : 404).end("OK"));
  await new Promise<void>((resolve) => engine.listen(socket, resolve));
});
afterAll(() => engine.close());

/**
 * A provider mirror holding local's providers (kreuzwerker/docker and hashicorp/random) in
 * the unpacked layout, each a stand-in executable that terraform init installs and nothing runs.
 */
function mirrorWithLocalProviders(): string {
  const mirror = folder("deploy-output-mirror-");
  for (const [namespace, type, version] of [
    ["kreuzwerker", "docker", "3.6.2"],
    ["hashicorp", "random", "3.7.2"],
  ] as const) {
    const dir = path.join(mirror, "registry.terraform.io", namespace, type, version, terraformPlatform());
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `terraform-provider-${type}_v${version}`), "#!/bin/sh\nexit 1\n");
    chmodSync(path.join(dir, `terraform-provider-${type}_v${version}`), 0o755);
  }
  return mirror;
}

/**
 * A laptop with a stand-in terraform for the preflight's version, a Docker engine, local's
 * providers in a mirror (no registry here), and a copy of the repository whose cdktf
 * records its arguments and the variables it was given, then runs `then`.
 */
function laptop(then = "") {
  const log = path.join(folder("deploy-output-log-"), "calls");
  const copy = withStandInCdktf(
    removeLater(copyRepository("deploy-output-")),
    log,
    `echo "CHECKPOINT_DISABLE=$CHECKPOINT_DISABLE TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE" >> "${log}"\n${then}`,
  );
  const bin = folder("deploy-output-bin-");
  writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\necho '{"terraform_version":"1.11.0"}'\n`);
  chmodSync(path.join(bin, "terraform"), 0o755);
  const mirror = mirrorWithLocalProviders();
  const env: NodeJS.ProcessEnv = {
    HOME: sandbox,
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    DOCKER_HOST: `unix://${socket}`,
    PLATFORM_PROVIDER_MIRROR: mirror,
  };
  return { log, copy, mirror, env };
}

describe("npm run deploy: what the wrapper gives cdktf and terraform, and says", () => {
  it("GIVEN PLATFORM_PROVIDER_MIRROR WHEN local is deployed THEN cdktf gets CHECKPOINT_DISABLE=1 and TF_CLI_CONFIG_FILE, whose configuration the real terraform installs the providers with, from the mirror", async () => {
    const { log, copy, mirror, env } = laptop();
    const run = await runCli("tools/deploy.ts", ["deploy", "local"], { cwd: copy, env });
    expect(run.status, run.output).toBe(0);
    expect(run.stdout).toContain(
      `✓ providers: the provider mirror ${mirror} holds kreuzwerker/docker 3.6.2, hashicorp/random 3.7.2`,
    );
    const cliConfig = path.join(copy, providerMirrorCliConfig(mirror));
    expect(run.stdout).toContain(
      `deploy local: terraform installs the providers from the mirror ${mirror} alone (TF_CLI_CONFIG_FILE=${cliConfig})`,
    );
    expect(readFileSync(log, "utf8")).toBe(
      `cdktf deploy local --app node tools/run-app.mjs local\nCHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=${cliConfig}\n`,
    );

    // THEN terraform itself, with that configuration, installs local's providers from the mirror.
    const work = folder("deploy-output-work-");
    writeFileSync(
      path.join(work, "main.tf.json"),
      JSON.stringify({
        terraform: {
          required_providers: {
            docker: { source: "kreuzwerker/docker", version: "3.6.2" },
            random: { source: "hashicorp/random", version: "3.7.2" },
          },
        },
      }),
    );
    const init = spawnSync("terraform", ["init", "-input=false", "-no-color"], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1" },
    });
    expect(init.stdout).toContain("Installed kreuzwerker/docker v3.6.2 (unauthenticated)");
    expect(init.stdout).toContain("Installed hashicorp/random v3.7.2 (unauthenticated)");
    expect(init.status, init.stderr).toBe(0);
  });

  it("GIVEN no PLATFORM_PROVIDER_MIRROR and a registry that answers WHEN local is deployed THEN cdktf gets CHECKPOINT_DISABLE=1 and the user's own TF_CLI_CONFIG_FILE", async () => {
    const { log, copy, env } = laptop();
    const registry = await startProviderRegistry();
    try {
      const own = path.join(sandbox, "own.tfrc");
      const run = await runCli("tools/deploy.ts", ["deploy", "local"], {
        cwd: copy,
        env: { ...env, PLATFORM_PROVIDER_MIRROR: "", DOCTOR_PROVIDER_REGISTRY: registry.url, TF_CLI_CONFIG_FILE: own },
      });
      expect(run.status, run.output).toBe(0);
      expect(run.stdout).not.toContain("terraform installs the providers from the mirror");
      expect(readFileSync(log, "utf8")).toBe(
        `cdktf deploy local --app node tools/run-app.mjs local\nCHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=${own}\n`,
      );
    } finally {
      await registry.close();
    }
  });

  it("GIVEN cdktf failing after the preflight passed WHEN local is deployed THEN the last line is the wrapper's own: which step failed and what to do", async () => {
    const { copy, env } = laptop("echo 'Error: Failed to query available provider packages' >&2\nexit 3\n");
    const run = await runCli("tools/deploy.ts", ["deploy", "local"], { cwd: copy, env });
    expect(run.status).toBe(3);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      "deploy local: 'cdktf deploy local' failed (exit 3) after the preflight passed; the lines above say what cdktf or terraform refused. Run npm run doctor -- local, fix what it marks ✗, and run again",
    );
  });
});
