import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { ROOT } from "../support/cli.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch, removeLater } = scratchFolders();

describe("npm run synth (tools/run-app.mjs running infra/synth.ts)", () => {
  describe("GIVEN the example catalogue, and an output folder holding monitoring files of a deleted service", () => {
    // One synth for both tests: a stale file in the output folder changes nothing else of what it writes.
    let outdir: string;
    let run: CliRun;
    beforeAll(async () => {
      outdir = scratch("synth-out-");
      mkdirSync(path.join(outdir, "monitoring", "local", "rules"), { recursive: true });
      writeFileSync(path.join(outdir, "monitoring", "local", "rules", "deleted-service.yml"), "groups: []\n");
      run = await runCli("tools/run-app.mjs", [], { env: { ...process.env, CDKTF_OUTDIR: outdir } });
    });

    it("WHEN synthesized THEN every environment's stack and the local monitoring files are written", () => {
      expect(run.stderr).toMatch(/synthesized local, staging, production \(\d+ services\) in \d+\.\d+s/);
      expect(run.status).toBe(0);
      // The examples call each other without a cycle (synth would warn of one).
      expect(run.stderr).not.toContain("dependsOn cycle");
      for (const environment of ["local", "staging", "production"]) {
        const stack = JSON.parse(readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8"));
        expect(stack["//"].metadata.stackName).toBe(environment);
      }
      expect(existsSync(path.join(outdir, "monitoring", "local", "prometheus.yml"))).toBe(true);
    });

    it("WHEN synthesized THEN every environment's folder holds the rules and dashboards of exactly the current services", () => {
      expect(run.status, run.stderr).toBe(0);
      const services = readdirSync(path.join(ROOT, "services"))
        .filter((name) => existsSync(path.join(ROOT, "services", name, "service.ts")))
        .sort();
      for (const environment of ["local", "staging", "production"]) {
        expect(readdirSync(path.join(outdir, "monitoring", environment, "rules")).sort()).toEqual(
          [...services, "platform"].sort().map((name) => `${name}.yml`),
        );
        expect(readdirSync(path.join(outdir, "monitoring", environment, "dashboards")).sort()).toEqual(
          services.map((name) => `${name}.json`),
        );
      }
      expect(readdirSync(path.join(outdir, "monitoring", "local", "rule-tests")).sort()).toEqual(
        services.map((name) => `${name}.yml`),
      );
      expect(existsSync(path.join(outdir, "monitoring", "staging", "rule-tests"))).toBe(false);
      expect(readdirSync(path.join(outdir, "monitoring", "staging", "servicemonitors")).sort()).toEqual(
        services.map((name) => `${name}.yml`),
      );
    });
  });

  it("GIVEN a service file with several problems WHEN synthesized THEN it exits 1 naming the file, each field, value and what is accepted", async () => {
    const repo = copyRepository();
    removeLater(repo);
    writeFileSync(
      path.join(repo, "services", "orders", "service.ts"),
      `import { defineService } from "../../infra/spec/index.js";\nexport default defineService({ name: "orders", build: {}, port: 0, scaling: { min: 3, max: 1 } });\n`,
    );
    const run = await runCli("tools/run-app.mjs", [], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: scratch("synth-bad-") },
    });
    expect(run.stderr).toContain("synth failed:");
    expect(run.stderr).toContain(
      "services/orders/service.ts: port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got 0)",
    );
    expect(run.stderr).toContain(
      "services/orders/service.ts: scaling.min: must be at most scaling.max (1); min === max means a fixed replica count (got 3)",
    );
    expect(run.status).toBe(1);
  });

  it("GIVEN a dependency on a service that does not exist WHEN synthesized THEN the dependent's file and the known services are named", async () => {
    const repo = copyRepository();
    removeLater(repo);
    const file = path.join(repo, "services", "orders", "service.ts");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('dependsOn: ["catalog"]', 'dependsOn: ["catalog", "billing"]'),
    );
    const run = await runCli("tools/run-app.mjs", [], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: scratch("synth-bad-") },
    });
    expect(run.stderr).toMatch(
      /services\/orders\/service\.ts: dependsOn\[1\]: is not a service; known services: catalog, fulfilment, gateway, orders \(got "billing"\)/,
    );
    expect(run.status).toBe(1);
  });

  it("GIVEN SYNTH_HCL_OUTPUT=1, cdktf's HCL output, which renders past the literal boundary WHEN synthesized THEN it exits 1 saying so and writes nothing", async () => {
    const outdir = scratch("synth-hcl-");
    const run = await runCli("tools/run-app.mjs", [], {
      env: { ...process.env, CDKTF_OUTDIR: outdir, SYNTH_HCL_OUTPUT: "1" },
    });
    expect(run.stderr).toContain("synth failed: SYNTH_HCL_OUTPUT is not supported: the platform writes cdk.tf.json");
    expect(run.status).toBe(1);
    expect(readdirSync(outdir)).toEqual([]);
  });

  it("GIVEN CDKTF_OUTDIR in folders that do not exist yet WHEN synthesized THEN they are made and the stacks written there", async () => {
    const outdir = path.join(scratch("synth-nested-"), "ci", "42", "out");
    const run = await runCli("tools/run-app.mjs", [], { env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(path.join(outdir, "stacks", "production", "cdk.tf.json"))).toBe(true);
  });

  it("GIVEN --help WHEN asked THEN it prints its usage and exits 0", async () => {
    const run = await runCli("tools/run-app.mjs", ["--help"]);
    expect(run.stdout).toContain("Usage: npm run synth");
    expect(run.status).toBe(0);
  });
});
