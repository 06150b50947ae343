/**
 * `npm run infra:diff`: the infrastructure diff of a pull request, per service and
 * risks first, from two synthesized revisions (and, optionally, Terraform plans).
 * See `--help` and README.md, "Job 3".
 */
import { renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { analyse, type ApiContracts } from "./analysis/index.js";
import { readApiDocuments, type ApiDocuments } from "./api-documents.js";
import { parseArguments, USAGE, type InfraDiffOptions } from "./arguments.js";
import {
  BadInputError,
  changedFiles,
  checkoutCommit,
  cleanWorkingTree,
  disposeAllCheckouts,
  findRepository,
  removeLeftoverCheckouts,
  resolveCommit,
  shortCommit,
  treeOf,
  workingTree,
  workingTreeAt,
  type Checkout,
  type Repository,
} from "./checkouts.js";
import {
  readGuardrailReports,
  readSpecSuppressions,
  serviceFolders,
  type GuardrailExceptions,
} from "./guardrail-exceptions.js";
import { diffFromPlan, readPlanFile } from "./plan-reader.js";
import { mergeSecrets, redactSecrets, type PlanSecrets } from "./plan-secrets.js";
import { renderPullRequestComment } from "./render-markdown.js";
import { renderText } from "./render-text.js";
import type { InfraDiffReport } from "./report.js";
import { guardrailFindingsOf, compareStacks, type EnvironmentDiff } from "./resource-changes.js";
import { withGuardrailFindings } from "./guardrail-findings.js";
import { readSynthesizedStacksAsync, sortEnvironments, type StackSnapshot } from "./stack-snapshot.js";
import { openSynthesisCache, type SynthesisCache } from "./synthesis-cache.js";
import { synthesize, type Synthesis } from "./synthesize.js";

/** Runs the command; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: InfraDiffOptions;
  try {
    options = parseArguments(argv);
  } catch (error) {
    return fail(error);
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const cleanups: Array<() => void> = [];
  const releases: Array<Promise<void>> = [];
  try {
    const report = await buildReport(options, cleanups, releases);
    writeOutput(render(report, options), options.output);
    return report.changed ? 1 : 0;
  } catch (error) {
    return fail(error);
  } finally {
    await Promise.allSettled(releases);
    for (const cleanup of cleanups.reverse()) cleanup();
    disposeAllCheckouts();
  }
}

/**
 * Bad input exits 2 with its message. So does a bug, with its stack: exit 1 means
 * "there are changes", which a crash must not pass for in CI.
 */
function fail(error: unknown): number {
  if (error instanceof BadInputError) console.error(`infra-diff: ${error.message}`);
  else
    console.error(
      `infra-diff: failed unexpectedly (a bug in tools/infra-diff; please report it):\n${error instanceof Error ? error.stack : String(error)}`,
    );
  return 2;
}

async function buildReport(
  options: InfraDiffOptions,
  cleanups: Array<() => void>,
  releases: Array<Promise<void>>,
): Promise<InfraDiffReport> {
  // Every input is checked before the synths, which take seconds: the output's folder, and
  // each plan, read and parsed now.
  checkOutputFolder(options.output);
  const plans = new Map(
    [...options.plans].map(([environment, file]) => [environment, readPlanFile(file, environment)]),
  );
  const repository = options.base !== undefined ? findRepository(process.cwd()) : undefined;
  const baseCommit =
    repository && options.base !== undefined ? resolveCommit(repository, options.base, "--base") : undefined;
  const headCommit =
    repository && options.head !== undefined ? resolveCommit(repository, options.head, "--head") : undefined;

  let baseStacks = new Map<string, StackSnapshot>();
  let headStacks = new Map<string, StackSnapshot>();
  let exceptions: { before: GuardrailExceptions; after: GuardrailExceptions } | undefined;
  let contracts: ApiContracts | undefined;
  const notes: string[] = [];

  if (repository && baseCommit !== undefined) {
    for (const folder of removeLeftoverCheckouts(repository))
      console.error(`infra-diff: removed ${folder}, left by an infra:diff that was stopped`);
    const { base, head, sameFiles } = await checkoutBoth(repository, options, baseCommit, headCommit, cleanups);

    const started = performance.now();
    const place = (checkout: Checkout) =>
      checkout.projectRoot === repository.projectRoot
        ? "in the working tree, which holds its files"
        : "in a temporary worktree";
    const headName = options.head !== undefined ? `${options.head}, ${shortCommit(headCommit!)}` : "working tree";
    console.error(
      sameFiles
        ? `infra-diff: synthesizing the base (${options.base}, ${shortCommit(baseCommit)}) ${place(base)}, once: the head (${headName}) has the same files...`
        : `infra-diff: synthesizing the base (${options.base}, ${shortCommit(baseCommit)}, ${place(base)}) and the head (${options.head !== undefined ? `${headName}, ${place(head)}` : headName})...`,
    );
    const cache = options.cache ? openSynthesisCache(repository.gitCommonDir) : undefined;
    const [baseSide, headSide] = await synthesizeBoth(base, sameFiles ? undefined : head, cleanups, cache);
    const synthSeconds = (Math.max(baseSide.ended, headSide.ended) - started) / 1000;
    const [baseSynth, headSynth] = [baseSide.synthesis, headSide.synthesis];
    baseStacks = baseSide.stacks;
    headStacks = headSide.stacks;
    contracts = comparableContracts(baseSide.api, headSide.api, notes);
    exceptions = await readExceptions(
      repository,
      baseCommit,
      headCommit ?? null,
      base,
      head,
      baseSynth,
      headSynth,
      notes,
    );
    // The worktrees are no longer needed: removing their files overlaps the comparison.
    releases.push(base.release(), head.release());
    const took = (s: Synthesis) => (s.cached ? "from the cache" : `${s.seconds.toFixed(2)}s`);
    const headTook = sameFiles ? "the same files as the base" : took(headSynth);
    console.error(
      `infra-diff: synthesized both sides in ${synthSeconds.toFixed(2)}s (base ${took(baseSynth)}, head ${headTook})`,
    );
  }

  const compareStarted = performance.now();
  const diffs = new Map<string, EnvironmentDiff>();
  for (const environment of sortEnvironments([...baseStacks.keys(), ...headStacks.keys()])) {
    const empty: StackSnapshot = { environment, blocks: new Map() };
    diffs.set(environment, compareStacks(baseStacks.get(environment) ?? empty, headStacks.get(environment) ?? empty));
  }
  const secrets: PlanSecrets[] = [];
  for (const [environment, plan] of plans) {
    secrets.push(plan.secrets);
    const [base, head] = [baseStacks.get(environment), headStacks.get(environment)];
    const planned = diffFromPlan(environment, plan, [head, base]);
    // Relaxations come from the synthesized configurations the plan was made of, when there are.
    diffs.set(environment, {
      ...planned,
      guardrailFindings: base && head ? guardrailFindingsOf(base, head) : undefined,
    });
  }
  if (options.plans.size > 0 && baseCommit === undefined)
    notes.push(
      "security relaxations are not computed from plans alone: they are the guardrails' new findings on the synthesized sides (give --base)",
    );
  const analysed = analyse({
    base: { ref: options.base ?? null, commit: baseCommit ?? null },
    head: { ref: options.head ?? null, commit: headCommit ?? null },
    environments: sortEnvironments(diffs.keys()).map((e) => diffs.get(e)!),
    exceptions,
    notes,
    contracts,
  });
  // Each plan's values are redacted as they are read; this pass is the guarantee for every
  // format that no text of the report, wherever it comes from, holds any plan's secret.
  const report = redactSecrets(analysed, mergeSecrets(secrets), "kept");
  console.error(`infra-diff: compared in ${((performance.now() - compareStarted) / 1000).toFixed(2)}s`);
  return report;
}

/** The two sides on disk; `sameFiles` when both hold the same files (one synth does for both). */
interface Sides {
  readonly base: Checkout;
  readonly head: Checkout;
  readonly sameFiles: boolean;
}

/**
 * Both sides checked out at once; when either fails, the other is still removed. A
 * commit whose files the working tree holds exactly is synthesized there, without a
 * checkout; two sides with the same tree are synthesized once.
 */
async function checkoutBoth(
  repository: Repository,
  options: InfraDiffOptions,
  baseCommit: string,
  headCommit: string | undefined,
  cleanups: Array<() => void>,
): Promise<Sides> {
  const clean = cleanWorkingTree(repository);
  const baseTree = treeOf(repository, baseCommit);
  const headTree = headCommit !== undefined ? treeOf(repository, headCommit) : clean;
  const side = (ref: string, commit: string, tree: string, label: string) =>
    tree === clean
      ? Promise.resolve(workingTreeAt(repository, ref, commit))
      : checkoutCommit(repository, ref, commit, label);
  const sameFiles = baseTree === headTree;
  const results = await Promise.allSettled([
    side(options.base!, baseCommit, baseTree, "base"),
    sameFiles
      ? undefined
      : headCommit !== undefined
        ? side(options.head!, headCommit, headTree!, "head")
        : workingTree(repository),
  ]);
  for (const result of results)
    if (result.status === "fulfilled" && result.value) cleanups.push(() => result.value!.dispose());
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) throw failure.reason;
  const base = (results[0] as PromiseFulfilledResult<Checkout>).value;
  const head = sameFiles
    ? { ...base, ref: options.head ?? null, commit: headCommit ?? null, dispose() {}, release: async () => {} }
    : (results[1] as PromiseFulfilledResult<Checkout>).value;
  return { base, head, sameFiles };
}

/** A side's synthesized output, read. */
interface SynthesizedSide {
  readonly synthesis: Synthesis;
  /** When its synth ended (`performance.now()`). */
  readonly ended: number;
  readonly stacks: Map<string, StackSnapshot>;
  /** Its services' API contracts (`api/<service>.openapi.json`). */
  readonly api: ApiDocuments;
}

/**
 * Both synths at once; each side's stacks are read as soon as its synth ends, on the
 * core the other synth leaves free. When either fails, the other's output is still
 * cleaned up.
 */
async function synthesizeBoth(
  base: Checkout,
  head: Checkout | undefined,
  cleanups: Array<() => void>,
  cache: SynthesisCache | undefined,
): Promise<[SynthesizedSide, SynthesizedSide]> {
  const side = async (checkout: Checkout, label: "base" | "head"): Promise<SynthesizedSide> => {
    const synthesis = await synthesize(checkout, label, cache);
    const ended = performance.now();
    cleanups.push(() => synthesis.dispose());
    return {
      synthesis,
      ended,
      stacks: withGuardrailFindings(await readSynthesizedStacksAsync(synthesis.outdir)),
      api: readApiDocuments(synthesis.outdir),
    };
  };
  const results = await Promise.allSettled(head ? [side(base, "base"), side(head, "head")] : [side(base, "base")]);
  const failures = results
    .filter((r): r is PromiseRejectedResult => r.status === "rejected")
    .map((r) => r.reason as unknown);
  if (failures.length > 0) {
    const bad = failures.filter((f): f is BadInputError => f instanceof BadInputError);
    if (bad.length !== failures.length) throw failures.find((f) => !(f instanceof BadInputError));
    throw new BadInputError(bad.map((f) => f.message).join("\n"));
  }
  const [baseSide, headSide = baseSide] = results.map((r) => (r as PromiseFulfilledResult<SynthesizedSide>).value);
  return [baseSide!, headSide!];
}

/**
 * The contracts to compare: a service whose document either side could not read is
 * left out of the comparison (and named in a note), not taken for one without a contract.
 */
function comparableContracts(base: ApiDocuments, head: ApiDocuments, notes: string[]): ApiContracts {
  const before = new Map(base.documents);
  const after = new Map(head.documents);
  for (const [side, documents] of [
    ["base", base],
    ["head", head],
  ] as const) {
    for (const [service, why] of documents.unreadable) {
      notes.push(
        `the API contract of ${service} on the ${side} could not be read (${why}); its changes are not listed`,
      );
      before.delete(service);
      after.delete(service);
    }
  }
  return { before, after };
}

/**
 * The guardrail exceptions of both sides: the guardrail reports the synth wrote, and,
 * when a side has none (a revision older than the guardrails), the spec suppressions
 * of every service whose folder changed (all services when the spec code itself
 * changed): an unchanged service declares what it declared.
 */
async function readExceptions(
  repository: Repository,
  baseCommit: string,
  headCommit: string | null,
  base: Checkout,
  head: Checkout,
  baseSynth: Synthesis,
  headSynth: Synthesis,
  notes: string[],
): Promise<{ before: GuardrailExceptions; after: GuardrailExceptions } | undefined> {
  const beforeFindings = readGuardrailReports(baseSynth.outdir);
  const afterFindings = readGuardrailReports(headSynth.outdir);
  if (beforeFindings.size > 0 && afterFindings.size > 0) {
    return {
      before: { suppressions: new Map(), findings: beforeFindings },
      after: { suppressions: new Map(), findings: afterFindings },
    };
  }
  const changed = changedFiles(repository, baseCommit, headCommit);
  const everything = changed.some((file) => file.startsWith("infra/spec/"));
  const services = everything
    ? new Set([...serviceFolders(base.projectRoot), ...serviceFolders(head.projectRoot)])
    : new Set(
        changed.map((file) => /^services\/([^/]+)\//.exec(file)?.[1]).filter((s): s is string => s !== undefined),
      );
  const read = async (checkout: Checkout, side: string) => {
    try {
      return await readSpecSuppressions(checkout.projectRoot, services);
    } catch (error) {
      notes.push(
        `the guardrail suppressions of the ${side} could not be read (${(error as Error).message}); new suppressions may be missing from the risks`,
      );
      return new Map();
    }
  };
  return {
    before: { suppressions: await read(base, "base"), findings: beforeFindings },
    after: { suppressions: await read(head, "head"), findings: afterFindings },
  };
}

function render(report: InfraDiffReport, options: InfraDiffOptions): string {
  switch (options.format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "text":
      return renderText(report);
    case "markdown":
      return renderPullRequestComment(report).join("\n");
  }
}

/** Refuses an `--output` whose folder is not there: a typo must not make folders, nor wait for the synths. */
function checkOutputFolder(file: string | undefined): void {
  if (file === undefined) return;
  const folder = path.dirname(path.resolve(file));
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    throw new BadInputError(
      `--output ${file}: the folder ${folder} does not exist; give a file in an existing folder, or leave --output out for standard output`,
    );
}

/** Writes to a file atomically (a temporary file, then a rename), or to standard output. */
function writeOutput(text: string, file: string | undefined): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  const target = path.resolve(file);
  const temporary = `${target}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
}

process.exitCode = await main(process.argv.slice(2));
