/**
 * The app: finds the services, builds one stack per environment and synthesizes them
 * to cdktf.out/stacks/<env>/cdk.tf.json. `npm run synth` runs it with node directly;
 * `cdktf synth`, `cdktf deploy` and `cdktf diff` run it through cdktf.json.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { buildPlatformApp } from "./app.js";
import { withoutTokenTraces } from "./cdk.js";
import { discoverServices } from "./discover-services.js";
import { EnvironmentConfigError, loadEnvironments } from "./environments.js";
import { ALL_ENVIRONMENTS, formatFinding, isBlocking, renderReport, renderSummary, type GuardrailsRun } from "./guardrails/index.js";
import { replaceFolder } from "./output-files.js";
import { SpecError } from "./spec/index.js";

const USAGE = `Usage: npm run synth [-- --help]

Synthesizes every environment (local, staging, production) to
cdktf.out/stacks/<env>/cdk.tf.json, from every services/<name>/service.ts, and
writes each environment's monitoring files to cdktf.out/monitoring/<env>/. Checks
each environment with the guardrails: one line per finding, a summary table, and a
report per environment in cdktf.out/guardrails/<env>.json.
Exits 0 on success, 1 when a service spec or a setting is invalid or a guardrail
finds an error that no service spec suppresses.
Settings come from environment variables; see README.md, "Environments".`;

async function main(): Promise<number> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const started = performance.now();
  limitHeapGrowth();
  // Synthesize and check every environment even when one has guardrail errors, so a
  // run reports them all; this program then fails itself (as the cdktf CLI, which
  // sets the same variable, fails on the error annotations).
  process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS ??= "true";
  try {
    const environments = loadEnvironments(process.env);
    const services = await discoverServices(root);
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(root, "cdktf.out");
    const { stacks, monitoring, guardrails } = withoutTokenTraces(() => {
      const built = buildPlatformApp({ services, environments, outdir, monitoringOutdir: path.join(outdir, "monitoring") });
      built.app.synth();
      return built;
    });
    for (const [environment, rendered] of monitoring) replaceFolder(path.join(outdir, "monitoring", environment), rendered.files);
    const blocking = reportGuardrails(guardrails, outdir);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (blocking > 0) {
      console.error(`synth failed: ${blocking} guardrail error${blocking === 1 ? "" : "s"} (listed above; reports in ${path.relative(process.cwd(), path.join(outdir, "guardrails")) || "."})`);
      return 1;
    }
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
 * Lets V8's heap grow by half of what a full garbage collection leaves alive, instead of
 * up to four times that. A synth holds little at a time (one environment, about 50 MB
 * for 500 services) but makes a lot of short-lived garbage, so V8's own growth let the
 * heap reach 250 to 450 MB before it collected: peak memory 400 to 590 MiB for 500
 * services against about 320 MiB with this, for the same CPU time. It bounds no size: a
 * larger catalogue gets a larger heap, collected a little more often. A growth set on
 * node's command line (--heap-growing-percent) wins.
 */
function limitHeapGrowth(): void {
  if (process.execArgv.some((arg) => arg.startsWith("--heap-growing-percent") || arg.startsWith("--heap_growing_percent"))) return;
  v8.setFlagsFromString("--heap-growing-percent=50");
}

/**
 * Prints every unsuppressed finding (errors first) and the summary table, writes each
 * environment's report, and returns how many errors fail the synth.
 */
function reportGuardrails(guardrails: GuardrailsRun, outdir: string): number {
  const findings = guardrails.findings.filter((f) => !f.suppressed);
  const ordered = [...findings.filter(isBlocking), ...findings.filter((f) => !isBlocking(f))];
  for (const finding of ordered) console.error(formatFinding(finding));
  const rows = guardrails.environments.map((environment) => ({ label: environment, findings: guardrails.findings.filter((f) => f.environment === environment) }));
  if (guardrails.suppressionFindings.length > 0) rows.push({ label: `suppressions (${ALL_ENVIRONMENTS})`, findings: [...guardrails.suppressionFindings] });
  console.error(renderSummary(rows, guardrails.rules.length));

  // Written whole or not at all (a temp folder, then a rename): a reader never sees half a report.
  replaceFolder(
    path.join(outdir, "guardrails"),
    guardrails.environments.map((environment) => ({ path: `${environment}.json`, content: renderReport(environment, guardrails.findingsOf(environment), guardrails.rules.length) })),
  );
  return findings.filter(isBlocking).length;
}

process.exitCode = await main();
