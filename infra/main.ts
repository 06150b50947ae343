/**
 * The app: finds the services, builds one stack per environment and synthesizes them
 * to cdktf.out/stacks/<env>/cdk.tf.json, and writes each environment's monitoring files
 * (rules, scrape configuration, dashboards) to cdktf.out/monitoring/<env>/. `npm run
 * synth` runs it with node directly; `cdktf synth`, `cdktf deploy` and `cdktf diff` run
 * it through cdktf.json.
 */
import { mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlatformApp } from "./app.js";
import { discoverServices } from "./discover-services.js";
import { EnvironmentConfigError, loadEnvironments } from "./environments.js";
import { monitoringDir, renderMonitoringFiles, type RenderedFile } from "./monitoring/monitoring-files.js";
import { SpecError } from "./spec/index.js";

const USAGE = `Usage: npm run synth [-- --help]

Synthesizes every environment (local, staging, production) to
cdktf.out/stacks/<env>/cdk.tf.json, from every services/<name>/service.ts, and
writes its alert rules, scrape configuration and dashboards to
cdktf.out/monitoring/<env>/.
Exits 0 on success, 1 when a service spec or a setting is invalid.
Settings come from environment variables; see README.md, "Environments".`;

async function main(): Promise<number> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const started = performance.now();
  try {
    const environments = loadEnvironments(process.env);
    const services = await discoverServices(root);
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(root, "cdktf.out");
    const { app, stacks, catalogues } = buildPlatformApp({ services, environments, outdir });
    app.synth();
    for (const environment of environments) {
      writeFilesInPlace(path.join(outdir, monitoringDir(environment.name)), renderMonitoringFiles(environment, catalogues.get(environment.name)!));
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.error(`synthesized ${stacks.map((s) => s.environment.name).join(", ")} (${services.length} services) in ${seconds}s`);
    return 0;
  } catch (error) {
    if (error instanceof SpecError || error instanceof EnvironmentConfigError) {
      console.error(`synth failed:\n${error.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * Writes the files into `dir`, each one atomically (a temporary file renamed over it),
 * and removes the files of `dir` that are no longer rendered (a deleted service's).
 * The folder itself is kept, not swapped for a new one: the local Prometheus container
 * bind-mounts it, and a mount keeps showing the folder it was made with.
 */
function writeFilesInPlace(dir: string, files: readonly RenderedFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const target = path.join(dir, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    writeFileSync(temporary, file.content);
    renameSync(temporary, target);
  }
  const wanted = new Set(files.map((f) => path.join(dir, f.path)));
  const prune = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const entryPath = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        prune(entryPath);
        if (readdirSync(entryPath).length === 0) rmdirSync(entryPath);
      } else if (!wanted.has(entryPath)) {
        rmSync(entryPath, { force: true });
      }
    }
  };
  prune(dir);
}

process.exitCode = await main();
