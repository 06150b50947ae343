// Bundles the service into one file, dist/main.mjs, with its dependencies inside, so
// the image needs node and this file only: no node_modules, no package manager.
// Usage: node build.mjs [outdir]   (outdir defaults to dist, relative to this folder)
import path from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const outdir = path.resolve(here, process.argv[2] ?? "dist");

await build({
  entryPoints: [path.join(here, "src/main.ts")],
  outfile: path.join(outdir, "main.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
  // pino and prom-client are CommonJS and call require() for Node's own modules; an ES
  // module bundle has no require unless it makes one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
