/**
 * The app's source entry: `node --import tsx infra/main.ts` runs the synth straight from
 * the TypeScript sources (for debugging with real file names in stack traces).
 * `npm run synth` and cdktf.json run the same `runSynth` compiled, through tools/run-app.mjs.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runSynth } from "./synth.js";

process.exitCode = await runSynth({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), ".."),
  args: process.argv.slice(2),
});
