import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBE_API_CIDR_ACCEPTED } from "../../infra/environments.js";
import { runCli } from "../support/cli.js";
import { type ProviderRegistryStandIn, startProviderRegistry } from "../support/provider-registry.js";
import { copyRepository, withOrdersDatabase } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const { folder, removeLater } = scratchFolders();

/** A copy of the repository where orders owns a PostgreSQL database. */
function copyWithDatabase(): string {
  return withOrdersDatabase(removeLater(copyRepository("database-settings-")));
}

let registry: ProviderRegistryStandIn;
beforeAll(async () => {
  registry = await startProviderRegistry();
});
afterAll(() => registry.close());

/**
 * A PATH with a stand-in terraform 1.11.0, a kubeconfig with both contexts, a stand-in of
 * the provider registry, no cluster to ask, and no PLATFORM_* settings.
 */
function laptop(sandbox: string): NodeJS.ProcessEnv {
  const terraform = path.join(sandbox, "terraform");
  writeFileSync(terraform, `#!/bin/sh\necho '{"terraform_version":"1.11.0","platform":"linux_amd64"}'\n`);
  chmodSync(terraform, 0o755);
  const kubeconfig = path.join(sandbox, "kubeconfig");
  writeFileSync(kubeconfig, "contexts:\n- name: staging\n- name: production\n");
  return {
    HOME: sandbox,
    PATH: `${sandbox}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    KUBECONFIG: kubeconfig,
    DOCTOR_PROVIDER_REGISTRY: registry.url,
    // The kubeconfig names no cluster to ask.
    DOCTOR_SKIP_CLUSTER: "1",
  };
}

describe("PLATFORM_KUBE_API_CIDR with a database", () => {
  let copy: string;
  let sandbox: string;
  beforeAll(() => {
    // GIVEN orders owning a database, and a laptop where no Kubernetes setting is set
    copy = copyWithDatabase();
    sandbox = folder("database-settings-home-");
  });

  it("WHEN npm run synth THEN it succeeds, prints a warning naming the setting for staging and production, and the database pods get no API-server egress", async () => {
    const outdir = path.join(sandbox, "out");
    const run = await runCli("tools/run-app.mjs", [], {
      cwd: copy,
      env: { ...laptop(sandbox), CDKTF_OUTDIR: outdir },
    });
    expect(run.status, run.stderr).toBe(0);
    for (const environment of ["staging", "production"])
      expect(run.stderr).toContain(
        `warning: ${environment}: PLATFORM_KUBE_API_CIDR is not set, so the database and queue pods get no egress to the Kubernetes API server, which CloudNativePG's instance manager and RabbitMQ's peer discovery need; npm run deploy -- ${environment} refuses this.`,
      );
    expect(run.stderr).not.toContain("warning: local:");
    const staging = JSON.parse(readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8"));
    const policy = Object.values(staging.resource.kubernetes_network_policy_v1 as Record<string, any>).find(
      (p) => p.metadata.name === "orders-db",
    );
    expect(JSON.stringify(policy.spec.egress)).not.toContain("ip_block");
  });

  it("WHEN npm run deploy -- staging THEN the preflight refuses, naming the variable and what is accepted, and runs nothing", async () => {
    const run = await runCli("tools/deploy.ts", ["deploy", "staging"], { cwd: copy, env: laptop(sandbox) });
    expect(run.stdout).toContain(`✗ databases: PLATFORM_KUBE_API_CIDR is not set; accepted: ${KUBE_API_CIDR_ACCEPTED}`);
    expect(run.stdout).not.toContain('""');
    expect(run.stderr).toContain("deploy staging: stopped by the preflight before any change; nothing was run");
    expect(run.status).toBe(1);
  });

  it("WHEN npm run doctor -- production with the setting THEN the databases line passes", async () => {
    const run = await runCli("tools/doctor.ts", ["production"], {
      cwd: copy,
      env: { ...laptop(sandbox), PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" },
    });
    expect(run.stdout).toContain("✓ databases: the API server's address for the database pods is set");
    expect(run.status, run.output).toBe(0);
  });
});
