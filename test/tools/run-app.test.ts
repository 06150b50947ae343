import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GUARDRAIL_RULES } from "../../infra/guardrails/index.js";
import { ROOT, runCli } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch, removeLater } = scratchFolders();

/**
 * A copy of the repository with a node_modules folder of its own (each package a link to
 * the installed one), so that its compile cache, node_modules/.cache/platform-app, is its
 * own and not shared with the other tests.
 */
function copyWithOwnCache(): string {
  const copy = copyRepository("platform-run-app-");
  removeLater(copy);
  const modules = path.join(copy, "node_modules");
  rmSync(modules);
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry !== ".cache") symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  }
  return copy;
}

const cacheOf = (copy: string) => path.join(copy, "node_modules", ".cache", "platform-app");
/** The compiled apps in the cache: one folder per key. */
const builds = (copy: string) => readdirSync(cacheOf(copy)).sort();
/** The entry files of a key's builds (one per content of the files only a build knows of). */
const entriesOf = (copy: string, key: string) =>
  readdirSync(path.join(cacheOf(copy), key)).map((variant) => path.join(cacheOf(copy), key, variant, "entry.js"));

/** Every file below `dir`, relative to it, with its content. */
function filesBelow(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else files[child] = readFileSync(path.join(dir, child), "utf8");
    }
  };
  walk("");
  return files;
}

function synth(copy: string, script = "tools/run-app.mjs") {
  const outdir = scratch("run-app-out-");
  return runCli(script, [], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir } }).then((run) => ({
    ...run,
    outdir,
  }));
}

function edit(copy: string, file: string, change: (text: string) => string): void {
  const full = path.join(copy, file);
  const before = readFileSync(full, "utf8");
  const after = change(before);
  expect(after, `the edit of ${file} must change it`).not.toBe(before);
  writeFileSync(full, after);
}

/** A bound of the service's autoscaler in the environment's stack. */
function replicaBoundOf(
  outdir: string,
  environment: string,
  service: string,
  field: "min_replicas" | "max_replicas",
): number | undefined {
  const stack = JSON.parse(readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8"));
  const autoscalers = Object.values(
    stack.resource.kubernetes_horizontal_pod_autoscaler_v2 as Record<
      string,
      { "//": { metadata: { path: string } }; spec: Record<string, number> }
    >,
  );
  return autoscalers.find((autoscaler) =>
    autoscaler["//"].metadata.path.startsWith(`${environment}/kubernetes/${service}/`),
  )?.spec[field];
}

describe("tools/run-app.mjs (the compiled app: npm run synth, cdktf.json)", () => {
  let copy: string;
  beforeAll(() => {
    copy = copyWithOwnCache();
  });

  it("GIVEN the example catalogue WHEN synthesized compiled and from the TypeScript sources THEN every file written is byte-identical", async () => {
    const [compiled, fromSources] = await Promise.all([synth(copy), synth(copy, "infra/main.ts")]);
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(fromSources.status, fromSources.stderr).toBe(0);
    const files = filesBelow(compiled.outdir);
    expect(Object.keys(files)).toContain(path.join("stacks", "production", "cdk.tf.json"));
    expect(Object.keys(files)).toContain(path.join("guardrails", "local.json"));
    expect(files).toEqual(filesBelow(fromSources.outdir));
    // The summary counts every rule of the pack that ran.
    expect(compiled.stderr).toContain(`guardrails (${GUARDRAIL_RULES.length} rules)`);
    expect(GUARDRAIL_RULES.length).toBeGreaterThan(30);
  });

  it("GIVEN unchanged sources WHEN synthesized again THEN the compiled app is reused, not compiled again", async () => {
    expect((await synth(copy)).status).toBe(0);
    const [build] = builds(copy);
    const [entry, ...others] = entriesOf(copy, build!);
    expect(others).toEqual([]);
    const compiledAt = statSync(entry!).mtimeMs;
    expect((await synth(copy)).status).toBe(0);
    expect(builds(copy)).toEqual([build]);
    expect(statSync(entry!).mtimeMs).toBe(compiledAt);
  });

  it("GIVEN a service spec edited after a synth WHEN synthesized again THEN the stacks follow the edit", async () => {
    const changed = copyWithOwnCache();
    expect((await synth(changed)).status).toBe(0);
    edit(changed, "services/orders/service.ts", (t) =>
      t.replace("production: { scaling: { min: 3, max: 12 }", "production: { scaling: { min: 4, max: 12 }"),
    );
    const run = await synth(changed);
    expect(run.status, run.stderr).toBe(0);
    expect(replicaBoundOf(run.outdir, "production", "orders", "min_replicas")).toBe(4);
    expect(builds(changed)).toHaveLength(2);
  });

  it("GIVEN a new service folder and a service reading a helper module WHEN each is changed THEN the next synth sees it", async () => {
    const changed = copyWithOwnCache();
    mkdirSync(path.join(changed, "services", "billing"));
    writeFileSync(path.join(changed, "services", "billing", "replicas.ts"), "export const MAX_REPLICAS = 5;\n");
    writeFileSync(
      path.join(changed, "services", "billing", "service.ts"),
      `import { defineService } from "../../infra/spec/index.js";\nimport { MAX_REPLICAS } from "./replicas.js";\n` +
        `export default defineService({ name: "billing", build: {}, port: 8080, scaling: { min: 2, max: MAX_REPLICAS }, monitoring: { owner: "team-billing" } });\n`,
    );
    const first = await synth(changed);
    // The four examples and billing.
    expect(first.stderr).toMatch(/\(5 services\)/);
    expect(first.status, first.stderr).toBe(0);
    expect(replicaBoundOf(first.outdir, "staging", "billing", "max_replicas")).toBe(5);

    writeFileSync(path.join(changed, "services", "billing", "replicas.ts"), "export const MAX_REPLICAS = 7;\n");
    const second = await synth(changed);
    expect(second.status, second.stderr).toBe(0);
    expect(replicaBoundOf(second.outdir, "staging", "billing", "max_replicas")).toBe(7);
  });

  it("GIVEN two copies sharing one cache whose service helper modules differ WHEN synthesized side by side THEN each runs its own code", async () => {
    const first = copyWithOwnCache();
    const second = copyRepository("platform-run-app-shared-");
    removeLater(second);
    // The second copy's node_modules is the first's: one cache, as for infra:diff's worktrees.
    rmSync(path.join(second, "node_modules"));
    symlinkSync(path.join(first, "node_modules"), path.join(second, "node_modules"));
    for (const [copy, max] of [
      [first, 5],
      [second, 7],
    ] as const) {
      writeFileSync(path.join(copy, "services", "orders", "replicas.ts"), `export const MAX_REPLICAS = ${max};\n`);
      edit(
        copy,
        "services/orders/service.ts",
        (t) =>
          'import { MAX_REPLICAS } from "./replicas.js";\n' +
          t.replace("scaling: { min: 2, max: 8,", "scaling: { min: 2, max: MAX_REPLICAS,"),
      );
    }
    const [one, two] = await Promise.all([synth(first), synth(second)]);
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(replicaBoundOf(one.outdir, "staging", "orders", "max_replicas")).toBe(5);
    expect(replicaBoundOf(two.outdir, "staging", "orders", "max_replicas")).toBe(7);
    const [key, ...otherKeys] = builds(first);
    expect(otherKeys).toEqual([]);
    expect(entriesOf(first, key!)).toHaveLength(2);
  });

  it("GIVEN a compiled app that lost a service's file (removed by another synth's clean-up while loading) WHEN synthesized THEN it compiles again and succeeds", async () => {
    const damaged = copyWithOwnCache();
    expect((await synth(damaged)).status).toBe(0);
    const [key] = builds(damaged);
    const [entry] = entriesOf(damaged, key!);
    const chunks = path.join(path.dirname(entry!), "chunks");
    for (const chunk of readdirSync(chunks).filter((name) => name.startsWith("service-") && name.endsWith(".js")))
      rmSync(path.join(chunks, chunk));
    const run = await synth(damaged);
    expect(run.status, run.stderr).toBe(0);
    // The four examples: catalog, fulfilment, gateway, orders; one chunk each.
    expect(run.stderr).toMatch(/\(4 services\)/);
    expect(readdirSync(chunks).filter((name) => name.startsWith("service-") && name.endsWith(".js"))).toHaveLength(4);
  });

  it("GIVEN a service file that is not valid TypeScript WHEN synthesized THEN it exits 1 naming the file, line and column", async () => {
    const broken = copyWithOwnCache();
    edit(broken, "services/orders/service.ts", (t) => t.replace("port: 8080,", "port: 8080 +,"));
    const run = await synth(broken);
    expect(run.stderr).toMatch(/^synth failed: the app does not compile:\nservices\/orders\/service\.ts:7:\d+: /m);
    expect(run.status).toBe(1);
    expect(readdirSync(run.outdir)).toEqual([]);
  });

  /** A service file that tries to switch the guardrails off through the rule pack. */
  const DISARMING =
    'import { GUARDRAIL_RULES } from "../../infra/guardrails/index.js";\n(GUARDRAIL_RULES as unknown[]).splice(0);\n';

  it("GIVEN a service file that imports the guardrails to empty the rule pack WHEN synthesized THEN it exits 1 naming the file and the import, and writes nothing", async () => {
    const disarmed = copyWithOwnCache();
    edit(disarmed, "services/orders/service.ts", (t) => DISARMING + t);
    const run = await synth(disarmed);
    expect(run.stderr).toContain(
      "synth failed:\nservices/orders/service.ts: imports infra/guardrails/index.ts; a service file (and every module it imports) may import from infra/ only the spec API, infra/spec/index.ts (defineService)",
    );
    expect(run.stderr).not.toContain("rules)");
    expect(run.status).toBe(1);
    expect(readdirSync(run.outdir)).toEqual([]);
  });

  it("GIVEN a module of a service's own that imports the guardrails WHEN synthesized THEN it is refused, naming that module", async () => {
    const disarmed = copyWithOwnCache();
    writeFileSync(
      path.join(disarmed, "services", "orders", "tuning.ts"),
      `${DISARMING}export const MAX_REPLICAS = 8;\n`,
    );
    edit(
      disarmed,
      "services/orders/service.ts",
      (t) =>
        'import { MAX_REPLICAS } from "./tuning.js";\n' +
        t.replace("scaling: { min: 2, max: 8,", "scaling: { min: 2, max: MAX_REPLICAS,"),
    );
    const run = await synth(disarmed);
    expect(run.stderr).toContain("services/orders/tuning.ts: imports infra/guardrails/index.ts;");
    expect(run.status).toBe(1);
  });

  it("GIVEN the same service file synthesized from the TypeScript sources, where no import is checked WHEN synthesized THEN the frozen rule pack refuses the change and the synth fails", async () => {
    const disarmed = copyWithOwnCache();
    edit(disarmed, "services/orders/service.ts", (t) => DISARMING + t);
    const run = await synth(disarmed, "infra/main.ts");
    expect(run.stderr).toMatch(/Cannot (delete|assign to read only) property/);
    expect(run.stderr).not.toContain("(0 rules)");
    expect(run.status).not.toBe(0);
  });

  it("GIVEN a cache folder that cannot be made WHEN synthesized THEN it exits 1 naming the folder and the system's error, not a compile error", async () => {
    const blocked = copyWithOwnCache();
    writeFileSync(path.join(blocked, "node_modules", ".cache"), "a file where the cache folder would be\n");
    const run = await synth(blocked);
    expect(run.stderr).toContain(`synth failed: cannot prepare the compiled app in ${cacheOf(blocked)}: ENOTDIR`);
    expect(run.stderr).not.toContain("does not compile");
    expect(run.status).toBe(1);
  });

  it("GIVEN more old compiled apps than the cache keeps WHEN synthesized THEN the oldest are removed and the one in use is kept", async () => {
    const crowded = copyWithOwnCache();
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (let i = 0; i < 14; i++) {
      const old = path.join(cacheOf(crowded), `old-build-${String(i).padStart(2, "0")}`);
      mkdirSync(old, { recursive: true });
      utimesSync(old, hoursAgo, hoursAgo);
    }
    const run = await synth(crowded);
    expect(run.status, run.stderr).toBe(0);
    const kept = builds(crowded);
    expect(kept).toHaveLength(12);
    expect(kept.filter((name) => !name.startsWith("old-build-"))).toHaveLength(1);
    expect(
      entriesOf(crowded, kept.find((name) => !name.startsWith("old-build-"))!).map((entry) =>
        lstatSync(entry).isFile(),
      ),
    ).toEqual([true]);
  });
});
