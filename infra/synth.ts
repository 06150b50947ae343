/**
 * The app's work: finds the services, builds one stack per environment and synthesizes
 * them to cdktf.out/stacks/<env>/cdk.tf.json. Two entries run it: `tools/run-app.mjs`
 * (compiled, what `npm run synth` and cdktf.json run) and `infra/main.ts` (through tsx).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { renderApiDocuments } from "./api-documents.js";
import { buildPlatformApp } from "./app.js";
import { STACK_NAMES, stackNamesOf } from "./stack-names.js";
import { withoutTokenTraces } from "./engine/cdk.js";
import { PlatformError, isPlatformError } from "./platform-error.js";
import { HCL_OUTPUT_REFUSED, hclOutputRequested } from "./engine/stack-synthesizer.js";
import { synthOutput, type SynthOutput } from "./engine/success-output.js";
import { removeLeftoversOfDeadRuns } from "./dead-run-leftovers.js";
import { SERVICES_DIR, discoverServices, importServiceModule, type ServiceModuleLoader } from "./discover-services.js";
import { ENVIRONMENT_NAMES, loadEnvironments, type Environment } from "./environments.js";
import { loadExtensions } from "./extensions.js";
import { EMPTY_IMAGES_LOCK, IMAGES_LOCK_FILE, readImagesLock } from "./images-lock.js";
import {
  ALL_ENVIRONMENTS,
  formatFinding,
  isBlocking,
  renderReport,
  renderSummary,
  type GuardrailsRun,
} from "./guardrails/index.js";
import { replaceFolder, replaceFolderLeftovers } from "./engine/output-files.js";
import { keepEarlierStacks, MANIFEST_FILE, readManifestStacks } from "./engine/kept-stacks-manifest.js";
import { stableJsonLeftovers } from "./engine/stable-json.js";
import { acquireProcessLock } from "./process-lock.js";
import { API_DOCUMENTS_DIR } from "./repository-layout.js";
import { ServiceFileError } from "./service-file-error.js";
import { describeNotAService, listServiceFolders } from "./service-folders.js";
import { dependencyCycles, formatCycle } from "./spec/dependency-cycles.js";
import type { DiscoveredService } from "./spec/model.js";
import { parseSynthArguments } from "./synth-arguments.js";

/**
 * The section of README.md that lists the settings (a test checks that README.md has a
 * heading of that name).
 */
export const SETTINGS_SECTION = "Environments and state backends";

const USAGE = `Usage: npm run synth [-- <environment> ...]
       npm run synth -- --help

Synthesizes the environments named (${ENVIRONMENT_NAMES.join(", ")}; default: every
one) to cdktf.out/stacks/<env>/cdk.tf.json, from every services/<name>/service.ts (and
each Kubernetes environment's cluster add-ons to cdktf.out/stacks/addons-<env>/), and
writes each one's monitoring files to cdktf.out/monitoring/<env>/, and
the OpenAPI document of each service with a src/api.ts to
cdktf.out/api/<service>.openapi.json. The files of the environments not named are left
as they are, and cdktf.out/manifest.json still lists those stacks. Checks each environment with the guardrails (the platform's rules and the
team's packs in extensions/guardrails/): one line per finding, a summary table, and a
report per environment in cdktf.out/guardrails/<env>.json.
A folder of services/ without a service.ts is not a service: the synth warns, naming it.
The Kubernetes Deployments run each built image by the digest ${IMAGES_LOCK_FILE} records
for its version, else by its tag, and the synth warns of those (see npm run images:lock -- --help).
Exits 0 on success, 1 when a service spec, a contract or a setting is invalid, a service
file throws, a guardrail finds an error that no service spec suppresses, or a service
folder changed while the synth read it (run it again), or ${IMAGES_LOCK_FILE} is not a valid lock, 2 on an argument it does not accept.
One synth at a time writes an output folder: another one waits for it (the lock
is <output folder>/.synth.lock, holding the pid of the synth that writes).
Settings come from environment variables; see README.md, "${SETTINGS_SECTION}".`;

/** The lock file in the output folder: one synth at a time writes there. */
export const SYNTH_LOCK_FILE = ".synth.lock";

/**
 * A service folder that appeared, vanished or was half-written while the synth read
 * `services/`: another command (new:service, git) was changing it. Nothing is wrong
 * with the services; the synth is run again.
 */
export class ServicesChangedError extends PlatformError {
  /** The service's folder below the repository root, such as `services/orders`. */
  readonly folder: string;

  /**
   * @param file the service's spec file (or any file in its folder) below the root, such as
   * `services/orders/service.ts`
   * @param change what the synth saw happen to the folder
   */
  constructor(file: string, change: "appeared" | "vanished") {
    const folder = file.split(/[\\/]/).slice(0, 2).join("/");
    const what =
      change === "appeared"
        ? "appeared after the synth had listed the services (and compiled them)"
        : "vanished or was half-written while the synth read it";
    super(
      "SERVICES_CHANGED",
      `${folder} ${what}: another command (such as new:service or a git checkout) was changing ${SERVICES_DIR}/. Run the synth again once it is done.`,
    );
    this.folder = folder;
  }
}

/** What one synth runs on. */
export interface SynthOptions {
  /** The repository root: its `services/` are synthesized. */
  readonly root: string;
  /** The command-line arguments (without node and the script). */
  readonly args: readonly string[];
  /**
   * Loads a service's spec module.
   * @default importServiceModule (a dynamic import of the file below `root`)
   */
  readonly loadService?: ServiceModuleLoader;
  /**
   * Loads a service's API contract module (`services/<name>/src/api.ts`).
   * @default importServiceModule (a dynamic import of the file below `root`)
   */
  readonly loadApi?: ServiceModuleLoader;
  /**
   * Loads a module of the platform team's extensions (`extensions/guardrails/<name>.ts`,
   * `extensions/adjustments/<name>.ts`).
   * @default importServiceModule (a dynamic import of the file below `root`)
   */
  readonly loadExtension?: ServiceModuleLoader;
}

/**
 * Synthesizes every environment of the repository at `options.root`, writes the
 * monitoring files and guardrail reports, prints the summary, and returns the exit code:
 * 0 on success, 1 on an invalid spec or setting or a blocking guardrail finding.
 */
export async function runSynth(options: SynthOptions): Promise<number> {
  const request = parseSynthArguments(options.args);
  if (request.kind === "help") {
    console.log(USAGE);
    return 0;
  }
  if (request.kind === "refused") {
    console.error(`synth: ${request.problem}\n\n${USAGE}`);
    return 2;
  }
  if (hclOutputRequested()) {
    console.error(`synth failed: ${HCL_OUTPUT_REFUSED}`);
    return 1;
  }
  const { root } = options;
  const output = synthOutput();
  const started = performance.now();
  limitHeapGrowth();
  // Synthesize and check every environment even when one has guardrail errors, so a
  // run reports them all; this program then fails itself (as the cdktf CLI, which
  // sets the same variable, fails on the error annotations).
  process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS ??= "true";
  try {
    const environments = loadEnvironments(process.env, request.environments);
    const folders = listServiceFolders(root);
    // Left out of every environment: said, so that a misnamed spec file is not a silent no-op.
    for (const folder of folders.notServices) output.warning(`warning: ${describeNotAService(folder)}`);
    const services = await discoverServices(
      root,
      namingChangedFolders(options.loadService ?? importServiceModule),
      folders.services,
    );
    const apiDocuments = await renderApiDocuments(
      root,
      services,
      namingChangedFolders(options.loadApi ?? importServiceModule),
    );
    const { guardrailRules, adjustments } = await loadExtensions(
      root,
      options.loadExtension ?? importServiceModule,
      // Every environment's name, not only those synthesized: an adjustment for production
      // is valid in a synth of local alone.
      ENVIRONMENT_NAMES,
    );
    // Only the Kubernetes Deployments read the lock: a synth of local alone never fails on it.
    const imageLock = environments.some((e) => e.target === "kubernetes") ? readImagesLock(root) : EMPTY_IMAGES_LOCK;
    const outdir = process.env.CDKTF_OUTDIR ?? path.join(root, "cdktf.out");
    // cdktf creates only the last folder of the path; an output folder in a folder that
    // does not exist yet (CDKTF_OUTDIR=out/ci/42) is made whole here.
    mkdirSync(outdir, { recursive: true });
    // Two synths writing one folder at once would leave one's staging stack beside the
    // other's production stack: the second waits, and the output is the whole of one.
    // Not a fresh folder renamed into place: Terraform keeps its .terraform folder and
    // lock file in stacks/<env>/, and a rename would throw them away.
    const lock = await acquireProcessLock(path.join(outdir, SYNTH_LOCK_FILE), {
      onWait: (holder) =>
        console.error(
          `synth: waiting for another synth (pid ${holder}) writing ${displayPath(outdir)}; if none runs, remove ${displayPath(path.join(outdir, SYNTH_LOCK_FILE))}`,
        ),
    });
    let blocking: number;
    let stacks: ReturnType<typeof buildPlatformApp>["stacks"];
    let checked: readonly string[];
    try {
      removeSynthLeftovers(outdir, environments);
      const earlierStacks = readManifestStacks(outdir);
      // One environment at a time: each writes its monitoring folder during the synth.
      const built = withoutTokenTraces(() => {
        const app = buildPlatformApp({
          services,
          environments,
          knownEnvironments: ENVIRONMENT_NAMES,
          guardrailRules,
          adjustments,
          imageLock,
          outdir,
          monitoringOutdir: path.join(outdir, "monitoring"),
        });
        app.app.synth();
        return app;
      });
      stacks = built.stacks;
      checked = built.guardrails.environments;
      // Each environment's stacks: its add-ons stack (on Kubernetes) and its own.
      const synthesized = environments.flatMap(stackNamesOf);
      // cdktf's manifest lists the stacks this synth wrote: those left as they were are listed again.
      keepEarlierStacks(
        outdir,
        earlierStacks,
        STACK_NAMES.filter((name) => !synthesized.includes(name)),
      );
      writeApiDocuments(path.join(outdir, API_DOCUMENTS_DIR), apiDocuments);
      printDependencyCycles(services, output);
      printPlatformWarnings(outdir, built.guardrails, synthesized, output);
      blocking = reportGuardrails(built.guardrails, outdir, output);
    } finally {
      lock.release();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    // Fail closed: a stack the guardrails did not check is never reported as a success.
    const unchecked = environments.flatMap(stackNamesOf).filter((name) => !checked.includes(name));
    if (unchecked.length > 0) {
      console.error(
        `synth failed: the guardrails did not check ${unchecked.join(", ")}; the stacks written there are unchecked`,
      );
      return 1;
    }
    if (blocking > 0) {
      console.error(
        `synth failed: ${blocking} guardrail error${blocking === 1 ? "" : "s"} (listed above; reports in ${path.relative(process.cwd(), path.join(outdir, "guardrails")) || "."})`,
      );
      return 1;
    }
    output.success(
      `synthesized ${stacks.map((s) => s.environment.name).join(", ")} (${services.length} services) in ${seconds}s`,
    );
    return 0;
  } catch (error) {
    // Every error a user can act on but a changed services/ folder (said on one line).
    if (isPlatformError(error) && !(error instanceof ServicesChangedError)) {
      console.error(`synth failed:\n${error.message}`);
      // A team's code that threw (a guardrail rule): where, for its author. A service
      // file's line is in the message already; its stack points into the compiled app.
      if (!(error instanceof ServiceFileError) && error.cause instanceof Error && error.cause.stack)
        console.error(error.cause.stack);
      return 1;
    }
    const changed = error instanceof ServicesChangedError ? error : vanishedServiceFile(error, root);
    if (changed) {
      console.error(`synth failed: ${changed.message}`);
      return 1;
    }
    throw error;
  }
}

/**
 * Replaces the folder of OpenAPI documents with exactly `documents`, whole or not at all
 * (a temp folder, then a rename); with none, removes it, so that no document outlives
 * its contract.
 */
function writeApiDocuments(folder: string, documents: Parameters<typeof replaceFolder>[1]): void {
  if (documents.length === 0) rmSync(folder, { recursive: true, force: true });
  else replaceFolder(folder, documents);
}

/** A path for messages: relative to the working folder when below it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/**
 * The service loader, whose failure for a spec file that is no longer there says so
 * (a loader that imports from source fails with a module-not-found stack otherwise).
 * Nothing more on the way of a load that succeeds.
 */
function namingChangedFolders(load: ServiceModuleLoader): ServiceModuleLoader {
  return async (file, root) => {
    try {
      return await load(file, root);
    } catch (error) {
      if (!(error instanceof ServicesChangedError) && !existsSync(path.join(root, file)))
        throw new ServicesChangedError(file, "vanished");
      throw error;
    }
  };
}

/**
 * A file system error on a file below `services/<name>/` that is no longer there, as a {@link ServicesChangedError}.
 */
function vanishedServiceFile(error: unknown, root: string): ServicesChangedError | undefined {
  const { code, path: file } = error as NodeJS.ErrnoException;
  if (code !== "ENOENT" || typeof file !== "string") return undefined;
  const relative = path.relative(path.join(root, SERVICES_DIR), file);
  if (relative.startsWith("..") || path.isAbsolute(relative) || !relative.includes(path.sep)) return undefined;
  return new ServicesChangedError(`${SERVICES_DIR}/${relative}`, "vanished");
}

/**
 * Removes what synths killed half way left in the output folder (their pid is in the
 * name, and that process is gone): the temporary and previous folders of the
 * guardrail reports and of each environment's monitoring files, and half-written
 * stacks and manifests. A handful of small folders are listed; nothing else is read.
 */
function removeSynthLeftovers(outdir: string, environments: readonly Environment[]): void {
  removeLeftoversOfDeadRuns(outdir, replaceFolderLeftovers(["guardrails", API_DOCUMENTS_DIR]));
  removeLeftoversOfDeadRuns(outdir, stableJsonLeftovers(MANIFEST_FILE));
  removeLeftoversOfDeadRuns(path.join(outdir, "monitoring"), replaceFolderLeftovers(environments.map((e) => e.name)));
  const stackLeftovers = stableJsonLeftovers("cdk.tf.json");
  for (const stack of environments.flatMap(stackNamesOf))
    removeLeftoversOfDeadRuns(path.join(outdir, "stacks", stack), stackLeftovers);
}

/**
 * Lets V8's heap grow by half of what a full garbage collection leaves alive, instead of
 * up to four times that. A synth holds little at a time (one environment, about 50 MB
 * for 500 services) but makes a lot of short-lived garbage, so V8's own growth let the
 * heap reach 250 to 450 MB between full collections: peak memory 400 to 590 MiB for
 * 500 services against about 320 MiB with this, for the same CPU time. It bounds no
 * size: a larger catalogue gets a larger heap, collected more often (2,000 services:
 * 0.8 GB instead of 1.7 GB, for about a fifth more CPU time). A growth set on node's
 * command line (--heap-growing-percent) wins.
 */
function limitHeapGrowth(): void {
  if (
    process.execArgv.some((arg) => arg.startsWith("--heap-growing-percent") || arg.startsWith("--heap_growing_percent"))
  )
    return;
  v8.setFlagsFromString("--heap-growing-percent=50");
}

/**
 * One line per cycle of `dependsOn` (a -> b -> a), naming the files that make it: the
 * platform builds it (each edge is a network rule), but a request can loop round it and a
 * failure of one of its services reaches the others.
 */
function printDependencyCycles(services: readonly DiscoveredService[], output: SynthOutput): void {
  const fileOf = new Map(services.map((service) => [service.definition.name, service.file]));
  const edges = services.flatMap((service) =>
    (service.definition.dependsOn ?? []).map((callee) => [service.definition.name, callee] as const),
  );
  for (const cycle of dependencyCycles(edges)) {
    const files = [...new Set(cycle.map((name) => fileOf.get(name)!))];
    output.warning(
      `warning: dependsOn cycle ${formatCycle(cycle)} (${files.join(", ")}): a request can loop round it and a failure of one of them reaches the others; break it, for example with a queue instead of one of the calls`,
    );
  }
}

/**
 * The platform's own warnings (a setting missing for an environment, production without
 * backups), which the constructs add as cdktf warning annotations: the cdktf CLI prints
 * them, this program prints them too. The guardrails' findings, also annotations, are
 * printed by `reportGuardrails`.
 */
function printPlatformWarnings(
  outdir: string,
  guardrails: GuardrailsRun,
  synthesized: readonly string[],
  output: SynthOutput,
): void {
  const manifest = JSON.parse(readFileSync(path.join(outdir, MANIFEST_FILE), "utf8")) as {
    stacks: Record<string, { annotations?: Array<{ constructPath: string; level: string; message: string }> }>;
  };
  const findings = new Set(guardrails.findings.map(formatFinding));
  // The stacks this synth wrote: those it left as they were are listed too, with their warnings of then.
  const warnings = Object.entries(manifest.stacks)
    .filter(([name]) => synthesized.includes(name))
    .map(([, stack]) => stack)
    .flatMap((stack) => stack.annotations ?? [])
    .filter((a) => a.level === "@cdktf/warn" && !findings.has(a.message));
  for (const warning of warnings) output.annotatedWarning(`warning: ${warning.message} [${warning.constructPath}]`);
}

/**
 * Prints every unsuppressed finding (errors first) and the summary table, writes each
 * environment's report (keeping the reports of the environments this synth left alone),
 * and returns how many errors fail the synth.
 */
function reportGuardrails(guardrails: GuardrailsRun, outdir: string, output: SynthOutput): number {
  const findings = guardrails.findings.filter((f) => !f.suppressed);
  const ordered = [...findings.filter(isBlocking), ...findings.filter((f) => !isBlocking(f))];
  for (const finding of ordered)
    (isBlocking(finding) ? (text: string) => console.error(text) : output.annotatedWarning)(formatFinding(finding));
  const rows = guardrails.environments.map((environment) => ({
    label: environment,
    findings: guardrails.findings.filter((f) => f.environment === environment),
  }));
  if (guardrails.suppressionFindings.length > 0)
    rows.push({ label: `suppressions (${ALL_ENVIRONMENTS})`, findings: [...guardrails.suppressionFindings] });
  const blocking = findings.filter(isBlocking).length;
  // Without errors the summary is a success: not an error line under the cdktf CLI.
  (blocking > 0 ? (text: string) => console.error(text) : output.success)(renderSummary(rows, guardrails.rules.length));

  // Written whole or not at all (a temp folder, then a rename): a reader never sees half a report.
  const folder = path.join(outdir, "guardrails");
  replaceFolder(folder, [
    ...guardrails.environments.map((environment) => ({
      path: `${environment}.json`,
      content: renderReport(environment, guardrails.findingsOf(environment), guardrails.rules.length),
    })),
    // The report of an environment not synthesized this time stays beside its stack.
    ...STACK_NAMES.filter((environment) => !guardrails.environments.includes(environment)).flatMap((environment) => {
      const file = path.join(folder, `${environment}.json`);
      return existsSync(file) ? [{ path: `${environment}.json`, content: readFileSync(file, "utf8") }] : [];
    }),
  ]);
  return blocking;
}
