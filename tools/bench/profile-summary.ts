/**
 * `node --import tsx tools/bench/profile-summary.ts <file.cpuprofile> [--top N]`:
 * summarizes a V8 CPU profile (from `node --cpu-prof`) the way docs/BENCHMARKS.md
 * reports it: self time by the package or part of the code it is spent in, the
 * functions with the most self time, and the inclusive time of the app's phases.
 * Exit 0, 2 on bad input.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** A node of a V8 `.cpuprofile`. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

/** A V8 `.cpuprofile` file. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Where a function's code lives, for people: which package or part of the platform. */
export function areaOf(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)" || functionName === "(idle)") return "V8 and native (compile, startup, idle)";
  if (url === "") return "native (builtins without a script)";
  if (/node_modules\/(tsx|esbuild|get-tsconfig)\//.test(url)) return "tsx loader (TypeScript transform, resolution)";
  if (url.startsWith("node:internal/modules") || url.startsWith("node:internal/vm")) return "node module loader";
  if (url.startsWith("node:")) return "node core (fs, streams, ...)";
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (match) {
    const [, pkg, file] = match;
    if (pkg === "cdktf") {
      if (/lib\/tokens\/|lib\/_tokens/.test(file!)) return "cdktf token resolution";
      return "cdktf (elements, synth, other)";
    }
    if (pkg!.startsWith("@cdktf/provider-")) return `${pkg} (resource classes, toTerraform)`;
    return pkg!;
  }
  if (/\/infra\//.test(url)) return "platform infra/ code";
  if (/\/services\//.test(url)) return "service specs (services/*/service.ts)";
  return url.replace(/^file:\/\//, "");
}

/** Self and inclusive milliseconds per key. */
export interface ProfileSummary {
  readonly totalMs: number;
  readonly selfByArea: ReadonlyArray<readonly [string, number]>;
  readonly selfByFunction: ReadonlyArray<readonly [string, number]>;
  readonly inclusiveByFunction: ReadonlyMap<string, number>;
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(infra|tools|services)\//, "$1/")}:${lineNumber + 1}`
    : "native";
  return `${functionName || "(anonymous)"} ${where}`;
}

/** Sums the profile's sample times by area and function, self and inclusive (each function once per stack). */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfByArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    const node = byId.get(id)!;
    add(selfByArea, areaOf(node.callFrame.url, node.callFrame.functionName), ms);
    add(selfByFunction, functionKey(node), ms);
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const key = functionKey(byId.get(current)!);
      if (!seen.has(key)) add(inclusive, key, ms);
      seen.add(key);
    }
  });
  const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs,
    selfByArea: sorted(selfByArea),
    selfByFunction: sorted(selfByFunction),
    inclusiveByFunction: inclusive,
  };
}

/** The inclusive time of every function whose key matches, largest first. */
export function inclusiveMatching(summary: ProfileSummary, pattern: RegExp): Array<readonly [string, number]> {
  return [...summary.inclusiveByFunction.entries()].filter(([key]) => pattern.test(key)).sort((a, b) => b[1] - a[1]);
}

/** The app phases docs/BENCHMARKS.md reports inclusive time for. */
const PHASES: ReadonlyArray<readonly [string, RegExp]> = [
  [
    "service discovery (discoverServices; the imports of the service files run outside it)",
    /^discoverServices infra\/discover-services/,
  ],
  [
    "building the app (buildPlatformApp: settings, catalogues, one empty stack per environment)",
    /^buildPlatformApp infra\/app/,
  ],
  [
    "building an environment's construct tree (PlatformStack.buildTarget, when synth reaches its stack)",
    /^buildTarget infra\/platform-stack/,
  ],
  ["rendering the monitoring files (renderMonitoring)", /^renderMonitoring(Files)? infra\/monitoring/],
  ["synthesis (App.synth: aspects, validation, stack JSON, writing)", /^synth cdktf\/lib\/app\.js/],
  ["guardrails aspect (visit)", /^visit infra\/guardrails/],
  ["stack to JSON (EngineStack.toTerraform / render)", /^(toTerraform|render) infra\/engine\/engine-stack/],
  [
    "token resolution (resolveStackValue, with the cdktf resolve it hands over to)",
    /^resolveStackValue infra\/engine\/token-resolution/,
  ],
  ["cdktf token resolution (resolve)", /^resolve cdktf\/lib\/tokens\/private\/resolve\.js/],
  ["writing cdk.tf.json (writeStableJson, sorted keys)", /^writeStableJson infra\/engine\/stable-json/],
  ["writing the monitoring files (replaceFolder)", /^replaceFolder infra\/engine\/output-files/],
];

function render(summary: ProfileSummary, top: number): string {
  const pct = (ms: number) => `${((ms / summary.totalMs) * 100).toFixed(1)}%`;
  const line = (label: string, ms: number) => `| ${label} | ${ms.toFixed(0)} | ${pct(ms)} |`;
  const phases = PHASES.map(([label, pattern]) => {
    const best = inclusiveMatching(summary, pattern)[0];
    return best ? line(label, best[1]) : `| ${label} | not in the profile | |`;
  });
  return [
    `Profile: ${summary.totalMs.toFixed(0)} ms sampled.`,
    "",
    "| self time by area | ms | share |",
    "| --- | ---: | ---: |",
    ...summary.selfByArea.slice(0, top).map(([area, ms]) => line(area, ms)),
    "",
    "| function (self time) | ms | share |",
    "| --- | ---: | ---: |",
    ...summary.selfByFunction.slice(0, top).map(([fn, ms]) => line(`\`${fn}\``, ms)),
    "",
    "| phase (inclusive time) | ms | share |",
    "| --- | ---: | ---: |",
    ...phases,
    "",
  ].join("\n");
}

function main(argv: string[]): number {
  const options = { top: { type: "string" }, help: { type: "boolean", short: "h" } } as const;
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: typeof options }>
  >;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    console.error(`profile-summary: ${(error as Error).message}`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length !== 1) {
    const usage = "Usage: node --import tsx tools/bench/profile-summary.ts <file.cpuprofile> [--top N]";
    if (parsed.values.help) console.log(usage);
    else console.error(`profile-summary: give one .cpuprofile file\n${usage}`);
    return parsed.values.help ? 0 : 2;
  }
  const top = Number(parsed.values.top ?? 15);
  let profile: CpuProfile;
  try {
    profile = JSON.parse(readFileSync(parsed.positionals[0]!, "utf8")) as CpuProfile;
  } catch (error) {
    console.error(`profile-summary: ${parsed.positionals[0]}: cannot read a CPU profile (${(error as Error).message})`);
    return 2;
  }
  process.stdout.write(render(summarizeProfile(profile), top));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
