/**
 * The app: finds the services, builds one stack per environment and synthesizes them
 * to cdktf.out/stacks/<env>/cdk.tf.json. `npm run synth` runs it with node directly;
 * `cdktf synth`, `cdktf deploy` and `cdktf diff` run it through cdktf.json.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlatformApp } from "./app.js";
import { withoutTokenTraces } from "./cdk.js";
import { discoverServices } from "./discover-services.js";
import { EnvironmentConfigError, loadEnvironments } from "./environments.js";
import { replaceFolder } from "./output-files.js";
import { SpecError } from "./spec/index.js";

const USAGE = `Usage: npm run synth [-- --help]

Synthesizes every environment (local, staging, production) to
cdktf.out/stacks/<env>/cdk.tf.json, from every services/<name>/service.ts, and
writes each environment's monitoring files to cdktf.out/monitoring/<env>/.
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
    const { stacks, monitoringFiles } = withoutTokenTraces(() => {
      const built = buildPlatformApp({ services, environments, outdir });
      built.app.synth();
      return built;
    });
    for (const [environment, files] of monitoringFiles) replaceFolder(path.join(outdir, "monitoring", environment), files);
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

process.exitCode = await main();
