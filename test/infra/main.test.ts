import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const repositoryServices = readdirSync(path.join(root, "services")).filter((name) => existsSync(path.join(root, "services", name, "service.ts"))).sort();

describe("npm run synth", () => {
  let outdir: string;
  let localDir: string;
  let inodeBefore: number;
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    // GIVEN an output folder left by an earlier synth, with the files of a service since deleted
    outdir = mkdtempSync(path.join(os.tmpdir(), "platform-synth-cli-"));
    localDir = path.join(outdir, "monitoring", "local");
    mkdirSync(path.join(localDir, "rules"), { recursive: true });
    mkdirSync(path.join(localDir, "servicemonitors"), { recursive: true });
    writeFileSync(path.join(localDir, "rules", "deleted-service.yml"), "groups: []\n");
    writeFileSync(path.join(localDir, "servicemonitors", "stale.yml"), "{}\n");
    inodeBefore = statSync(localDir).ino;
    // WHEN synth runs as a user runs it
    run = spawnSync(process.execPath, ["--import", "tsx", "infra/main.ts"], { cwd: root, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8", timeout: 60_000 });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("THEN it exits 0 and writes the monitoring files of every environment next to the stacks", () => {
    expect(run.status, String(run.stderr)).toBe(0);
    for (const environment of ["local", "staging", "production"]) {
      expect(existsSync(path.join(outdir, "stacks", environment, "cdk.tf.json"))).toBe(true);
      expect(readdirSync(path.join(outdir, "monitoring", environment, "rules")).sort()).toEqual(repositoryServices.map((name) => `${name}.yml`));
      expect(readdirSync(path.join(outdir, "monitoring", environment, "dashboards")).sort()).toEqual(repositoryServices.map((name) => `${name}.json`));
    }
    expect(existsSync(path.join(localDir, "prometheus.yml"))).toBe(true);
  });

  it("THEN the files of deleted services are gone, but the folder the local Prometheus mounts is the same folder", () => {
    expect(existsSync(path.join(localDir, "rules", "deleted-service.yml"))).toBe(false);
    expect(existsSync(path.join(localDir, "servicemonitors"))).toBe(false);
    expect(statSync(localDir).ino).toBe(inodeBefore);
    expect(readdirSync(localDir).filter((name) => name.includes(".tmp"))).toEqual([]);
  });
});
