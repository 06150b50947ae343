import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { BadInputError, scratchFolder, shortCommit, type Checkout } from "./checkouts.js";
import { synthesisKey, type SynthesisCache } from "./synthesis-cache.js";

/** A side's synthesized output, in a temporary folder. */
export interface Synthesis {
  /** The cdktf output folder (`stacks/<env>/cdk.tf.json`, and the guardrail report when written). */
  readonly outdir: string;
  readonly seconds: number;
  /** True when the output came from the cache of earlier runs. */
  readonly cached: boolean;
  /** Removes the output folder (not a cached one). */
  dispose(): void;
}

/**
 * Runs the side's own app command (the `app` of its cdktf.json, as `cdktf synth` would)
 * in its project folder, writing to a temporary CDKTF_OUTDIR in the scratch folder. A failing synth is bad
 * input: the message says which side failed and shows what the app printed. A commit
 * already synthesized with the same dependencies and variables comes from the cache; a
 * synth is stored there only when its folder still holds the commit's files afterwards
 * (`Checkout.stillHoldsCommit`).
 */
export async function synthesize(
  checkout: Checkout,
  side: "base" | "head",
  cache?: SynthesisCache,
): Promise<Synthesis> {
  const configFile = path.join(checkout.projectRoot, "cdktf.json");
  const where = `the ${side} (${checkout.ref ?? "working tree"}${checkout.commit ? `, ${shortCommit(checkout.commit)}` : ""})`;
  if (!existsSync(configFile)) throw new BadInputError(`synth of ${where} failed: it has no cdktf.json`);
  const app = (JSON.parse(readFileSync(configFile, "utf8")) as { app?: unknown }).app;
  if (typeof app !== "string" || app.trim() === "")
    throw new BadInputError(`synth of ${where} failed: cdktf.json has no "app" command`);

  const key =
    cache && checkout.commit
      ? synthesisKey(
          checkout.commit,
          checkout.projectPrefix,
          app,
          path.join(checkout.projectRoot, "node_modules"),
          process.env,
        )
      : undefined;
  const cached = key !== undefined ? cache!.lookup(key) : undefined;
  if (cached) return { outdir: cached, seconds: 0, cached: true, dispose() {} };

  const outdir = scratchFolder(`${side}-out`);
  const dispose = () => rmSync(outdir, { recursive: true, force: true });
  const started = performance.now();
  const { code, output } = await run(app, checkout.projectRoot, { ...process.env, CDKTF_OUTDIR: outdir });
  if (code !== 0 || !existsSync(path.join(outdir, "stacks"))) {
    dispose();
    const detail = output.trim() || `the app command exited with status ${code} and printed nothing`;
    throw new BadInputError(`synth of ${where} failed (${app}):\n${indent(detail)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (key !== undefined && checkout.stillHoldsCommit()) cache!.store(key, outdir);
  return { outdir, seconds, cached: false, dispose };
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ code: 127, output: `${output}${error.message}` }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function indent(text: string): string {
  const lines = text.split("\n");
  const shown = lines.length > 40 ? [...lines.slice(0, 40), `... (${lines.length - 40} more lines)`] : lines;
  return shown.map((line) => `  ${line}`).join("\n");
}
