#!/usr/bin/env node
// Bundles the service in the current folder into one file, <outdir>/main.mjs, with its
// dependencies inside (this runtime included, with the clients of the backing services),
// so the image needs node and this file only: no node_modules, no package manager. The
// service's migrations/ folder (SQL files), when it has one, is copied to
// <outdir>/migrations/, where the runtime looks for it beside main.mjs.
// Usage, from a service folder: bundle-service [outdir]   (outdir defaults to dist)
// A service's `npm run build` runs it; npm puts it on the PATH, as this package's bin.
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const serviceDir = process.cwd();
const entryPoint = path.join(serviceDir, "src/main.ts");
if (!existsSync(entryPoint)) {
  console.error(
    `bundle-service: ${entryPoint}: missing; run it from a service folder, whose src/main.ts is the entry point`,
  );
  process.exit(2);
}
const outdir = path.resolve(serviceDir, process.argv[2] ?? "dist");

await build({
  entryPoints: [entryPoint],
  outfile: path.join(outdir, "main.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // The image runs `node /app/main.mjs` without `--enable-source-maps`: with it, Node
  // decodes the map at the first stack trace (not at start), about 60 MiB and a stall of
  // the event loop, which a service under a tight CPU and memory limit meets when a
  // dependency first fails. The map, without the sources inside it, ships beside the bundle
  // for mapping a trace (`NODE_OPTIONS=--enable-source-maps`, or offline); the bundle drops
  // whitespace but keeps identifiers and function names (no syntax minification, which
  // drops the names of function expressions), so a stack trace names the functions. With
  // the trace SDK loaded only when tracing is on, the http-service template starts in about
  // 100 MiB, under its 128Mi.
  sourcemap: true,
  sourcesContent: false,
  minifyWhitespace: true,
  legalComments: "none",
  logLevel: "warning",
  // pino and prom-client are CommonJS and call require() for Node's own modules; an ES
  // module bundle has no require unless it makes one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Optional native or platform-specific modules that the libraries load only when asked:
  // pg's native binding (pg.native, which the runtime never uses) and Cloudflare's socket.
  external: ["pg-native", "cloudflare:sockets"],
});

const migrations = path.join(serviceDir, "migrations");
const bundledMigrations = path.join(outdir, "migrations");
rmSync(bundledMigrations, { recursive: true, force: true });
if (existsSync(migrations)) cpSync(migrations, bundledMigrations, { recursive: true });
