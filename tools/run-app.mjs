#!/usr/bin/env node
/**
 * Runs the platform app (`runSynth` of infra/synth.ts) as plain JavaScript: what
 * `npm run synth` and cdktf.json's `app` run.
 *
 * Running TypeScript through a loader (tsx) costs about as much again as the synth of a
 * small catalogue: the loader's start-up and thread, and the resolution and transform of
 * every file. So this launcher compiles infra/, every services/<name>/service.ts and every
 * services/<name>/src/api.ts (a service's API contract) once with esbuild into one bundle (shared code in chunks, one chunk per service), keeps it in
 * node_modules/.cache/platform-app/<key>/, and runs it with node. The key is a digest of the
 * contents of infra/**\/*.ts, of the service files and of tsconfig.json (not their paths),
 * of this launcher, node and esbuild, so every copy and git worktree that shares
 * node_modules shares the compiled app, and any edit, added or removed service makes a new
 * one. Files a build also read (a service's own helper module) are known only after it:
 * each build of a key lives in a folder named by the digest of those files, checked before
 * each use, so two builds that differ only there never share a folder.
 *
 * The platform team's rule packs and adjustments (extensions/guardrails/*.ts,
 * extensions/adjustments/*.ts) are compiled in the same way, one chunk each. The compile
 * also checks what the service files reach: a service file, and every module of its own it imports, may import from infra/ only the spec API
 * (infra/spec/index.ts) and nothing of extensions/; one that imports the guardrails or a
 * target is refused before anything runs. The source
 * entry (infra/main.ts) makes no such check; there the rule pack is still frozen.
 *
 * It is plain JavaScript because it is what runs before any TypeScript can be.
 * Packages (cdktf, the providers, zod) are not bundled: node loads them from node_modules.
 * Stack traces point into the bundle; run with NODE_OPTIONS=--enable-source-maps to map
 * them back to the .ts files, or run `node --import tsx infra/main.ts`, the same synth
 * from the sources. A service file that throws is named with its line all the same: the
 * synth maps that frame through the source map esbuild writes beside each chunk
 * (infra/thrown-location.ts).
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** How many compiled apps the cache keeps (the most recently used ones). */
const KEEP_BUILDS = 12;
const ENTRY_FILE = "entry.js";
const MANIFEST_FILE = "manifest.json";
/** The name esbuild gives the generated entry (it is no file). */
const ENTRY_SOURCE = "platform-app-entry.ts";
/**
 * The one module of infra/ that a service file, or a module of its own it imports, may
 * import: the spec API (`defineService`). Everything else of infra/ (the guardrails, the
 * targets, the synth) is the platform's: a service file that reached it could change
 * what every other service is checked with.
 */
const SPEC_API = "infra/spec/index.ts";
/** A service's API contract, in its folder (infra/repository-layout.ts, SERVICE_API_FILE). */
const API_FILE = "src/api.ts";
/**
 * The one module of the service runtime a contract imports, and what it is in the runtime's
 * sources: bundled from there (node cannot load the runtime's TypeScript), and from this
 * repository's own runtime.
 */
const CONTRACT_MODULE = "@platform/service-runtime/contract";
const CONTRACT_SOURCE = "templates/runtime/src/contract/index.ts";

/** The platform team's own modules (infra/repository-layout.ts). */
const EXTENSIONS_DIR = "extensions";
/** The folders of the extensions' modules (infra/repository-layout.ts): rule packs and adjustments. */
const EXTENSION_FOLDERS = [`${EXTENSIONS_DIR}/guardrails`, `${EXTENSIONS_DIR}/adjustments`];

/** A service's module that imports from infra/ what is not the spec API. */
class ForbiddenImportError extends Error {
  /** @param {Array<{ file: string, imports: string }>} imports */
  constructor(imports) {
    super(
      imports
        .map(({ file, imports: imported }) =>
          imported.startsWith(`${EXTENSIONS_DIR}/`)
            ? `${file}: imports ${imported}; a service file (and every module it imports) may import nothing of the platform team's ${EXTENSIONS_DIR}/`
            : `${file}: imports ${imported}; a service file (and every module it imports) may import from infra/ only the spec API, ${SPEC_API} (defineService)`,
        )
        .join("\n"),
    );
    this.name = "ForbiddenImportError";
  }
}

/**
 * The imports into infra/ (other than the spec API) and into extensions/ of every
 * compiled module that is not the platform's (the service files and the modules they
 * import), from esbuild's metafile. The platform team's extensions are the platform's:
 * they may import infra/.
 */
function forbiddenImports(metafile) {
  const found = [];
  const platformSide = (file) => file.startsWith("infra/") || file.startsWith(`${EXTENSIONS_DIR}/`);
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (file === ENTRY_SOURCE || platformSide(file) || file.startsWith("node_modules/")) continue;
    for (const imported of input.imports) {
      if (!imported.external && platformSide(imported.path) && imported.path !== SPEC_API)
        found.push({ file, imports: imported.path });
    }
  }
  return found;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The files that decide the bundle and are known before building: every .ts file below
 * infra/, every services/<name>/service.ts and src/api.ts, and the extensions' modules,
 * sorted, relative to the root.
 * @returns {{ infra: string[], services: string[], apis: string[], extensions: string[] }}
 */
function primaryInputs() {
  const infra = [];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".ts")) infra.push(relative);
    }
  };
  walk("infra");
  const servicesDir = path.join(root, "services");
  // The same rule as infra/service-folders.ts: a folder holding a file named exactly
  // service.ts is a service (Service.ts is none, even where the file system ignores case),
  // unless its name starts with a dot (new:service's staging folder, maybe half-written).
  const holdsServiceFile = (folder) => {
    try {
      return readdirSync(path.join(servicesDir, folder)).includes("service.ts");
    } catch {
      return false;
    }
  };
  const services = existsSync(servicesDir)
    ? readdirSync(servicesDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && holdsServiceFile(entry.name))
        .map((entry) => `services/${entry.name}/service.ts`)
    : [];
  // A service's API contract (infra/repository-layout.ts, SERVICE_API_FILE): loaded by the
  // synth for its OpenAPI document, so compiled like its service.ts, one chunk each.
  const apis = services
    .map((file) => file.replace(/service\.ts$/, API_FILE))
    .filter((file) => existsSync(path.join(root, file)));
  // The same rule as infra/extensions.ts: every .ts file of an extensions folder but
  // tests and dot-files is a module.
  const extensions = EXTENSION_FOLDERS.flatMap((folder) =>
    existsSync(path.join(root, folder))
      ? readdirSync(path.join(root, folder), { withFileTypes: true })
          .filter(
            (entry) =>
              entry.isFile() &&
              entry.name.endsWith(".ts") &&
              !entry.name.endsWith(".test.ts") &&
              !entry.name.startsWith("."),
          )
          .map((entry) => `${folder}/${entry.name}`)
      : [],
  );
  return { infra: infra.sort(), services: services.sort(), apis: apis.sort(), extensions: extensions.sort() };
}

/** A digest of the named files' paths and contents; a missing file counts as such. */
function digestOf(files) {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file).update("\0");
    try {
      hash.update(readFileSync(path.join(root, file)));
    } catch {
      hash.update("\u0001missing");
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** The source of the bundle's entry: runSynth, and a loader for each service's, contract's and extension's chunk. */
function entrySource(services, apis, extensions) {
  const loadersOf = (files) =>
    files.map((file) => `  ${JSON.stringify(file)}: () => import(${JSON.stringify(`./${file}`)}),`).join("\n");
  return `import { ExtensionError } from "./infra/extensions.ts";
import { ServicesChangedError, runSynth } from "./infra/synth.ts";
const services = {
${loadersOf(services)}
};
const apis = {
${loadersOf(apis)}
};
const extensions = {
${loadersOf(extensions)}
};
export function run(root, args) {
  return runSynth({
    root,
    args,
    loadService: (file) => {
      const load = services[file];
      // A folder new:service published after this launcher listed the services.
      if (load === undefined) throw new ServicesChangedError(file, "appeared");
      return load();
    },
    loadApi: (file) => {
      const load = apis[file];
      // A contract added after this launcher listed the services.
      if (load === undefined) throw new ServicesChangedError(file, "appeared");
      return load();
    },
    loadExtension: (file) => {
      const load = extensions[file];
      // A file added to extensions/ after this launcher listed them.
      if (load === undefined) throw new ExtensionError([\`\${file}: appeared after the app was compiled; run the synth again\`]);
      return load();
    },
  });
}
`;
}

/**
 * Compiles the app into `dir` (esbuild, loaded only when a compile is needed) and returns
 * the files it read; throws a ForbiddenImportError when a service reaches into infra/.
 */
async function compile(dir, services, apis, extensions) {
  const { build } = await import("esbuild");
  const result = await build({
    stdin: {
      contents: entrySource(services, apis, extensions),
      resolveDir: root,
      sourcefile: ENTRY_SOURCE,
      loader: "ts",
    },
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outdir: dir,
    entryNames: "entry",
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
    plugins: [bundledContractModule],
  });
  const forbidden = forbiddenImports(result.metafile);
  if (forbidden.length > 0) throw new ForbiddenImportError(forbidden);
  return Object.keys(result.metafile.inputs).filter(
    (input) => input !== ENTRY_SOURCE && !input.startsWith("node_modules/"),
  );
}

/**
 * Compiles the runtime's contract module into the app from this repository's sources
 * (every other package stays external): a contract imports it by its package name. The
 * rest of the runtime (the HTTP server, the backing services' clients) is the services'
 * own and not for the synth: an import of it is refused by name.
 * @type {import("esbuild").Plugin}
 */
const bundledContractModule = {
  name: "platform-contract-module",
  setup(build) {
    build.onResolve({ filter: /^@platform\/service-runtime(\/.*)?$/ }, (args) =>
      args.path === CONTRACT_MODULE
        ? { path: path.join(root, CONTRACT_SOURCE) }
        : {
            errors: [
              {
                text: `imports ${args.path}; a service file or contract (and every module it imports) may import of the service runtime only ${CONTRACT_MODULE}`,
              },
            ],
          },
    );
  },
};

/** Keeps the KEEP_BUILDS most recently used builds and removes the others. */
function prune(cache) {
  const builds = readdirSync(cache)
    .map((name) => {
      try {
        return { name, used: statSync(path.join(cache, name)).mtimeMs };
      } catch {
        return { name, used: 0 };
      }
    })
    .sort((a, b) => b.used - a.used);
  for (const { name } of builds.slice(KEEP_BUILDS)) {
    // Not one used in the last minute, which another synth may be loading. Looked at again
    // right before removing: the list above is already old when another synth, started
    // since, picks a build from it (tests run many synths side by side).
    const dir = path.join(cache, name);
    try {
      if (statSync(dir).mtimeMs >= Date.now() - 60_000) continue;
    } catch {
      continue;
    }
    removeBuild(dir);
  }
}

/**
 * Removes a build folder: first renamed out of the way (at once), then deleted, so that
 * another synth finds the whole build or none of it, never a half-deleted one.
 */
function removeBuild(dir) {
  const doomed = path.join(path.dirname(dir), `.${path.basename(dir)}.${process.pid}.removed`);
  try {
    renameSync(dir, doomed);
  } catch (error) {
    if (error?.code === "ENOENT") return;
    throw error;
  }
  rmSync(doomed, { recursive: true, force: true });
}

/** The digest that names a build's folder: of the files it read besides the primary inputs. */
const variantOf = (otherInputs) => digestOf(otherInputs).slice(0, 16);

/** A build of `keyDir` whose other inputs are as they are now, marked as used; or undefined. */
function reusableBuild(keyDir) {
  let variants;
  try {
    // Marked as used before it is read, so that a prune in another synth keeps it.
    const now = new Date();
    utimesSync(keyDir, now, now);
    variants = readdirSync(keyDir);
  } catch (error) {
    if (error?.code === "ENOENT") return undefined;
    throw error;
  }
  for (const variant of variants) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(keyDir, variant, MANIFEST_FILE), "utf8"));
      if (variantOf(manifest.otherInputs) === variant) return path.join(keyDir, variant, ENTRY_FILE);
    } catch (error) {
      // Pruned by another synth in the meantime: compiled again.
      if (error?.code !== "ENOENT") throw error;
    }
  }
  return undefined;
}

/** The installed esbuild's version: another esbuild may compile differently. */
function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(path.join(root, "node_modules", "esbuild", "package.json"), "utf8")).version;
  } catch {
    return "none";
  }
}

/** The path of a compiled app for the sources as they are now, compiling it if needed. */
async function compiledApp() {
  const { infra, services, apis, extensions } = primaryInputs();
  const key = createHash("sha256")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(`\0${process.version}\0${esbuildVersion()}\0`)
    .update(digestOf(["tsconfig.json", ...infra, ...services, ...apis, ...extensions]))
    .digest("hex")
    .slice(0, 32);
  const cache = path.join(root, "node_modules", ".cache", "platform-app");
  const keyDir = path.join(cache, key);
  const reused = reusableBuild(keyDir);
  if (reused) return reused;
  // Built whole in a temporary folder, then renamed into place: another synth running at
  // the same time never sees half a bundle.
  mkdirSync(keyDir, { recursive: true });
  const temporary = path.join(cache, `.${key}.${process.pid}.tmp`);
  rmSync(temporary, { recursive: true, force: true });
  let dir;
  try {
    const inputs = await compile(temporary, services, apis, extensions);
    const known = new Set([...infra, ...services, ...apis, ...extensions]);
    const otherInputs = inputs.filter((input) => !known.has(input)).sort();
    writeFileSync(path.join(temporary, MANIFEST_FILE), `${JSON.stringify({ key, otherInputs }, null, 2)}\n`);
    dir = path.join(keyDir, variantOf(otherInputs));
    try {
      renameSync(temporary, dir);
    } catch (error) {
      // Another synth put the same build (same key, same other inputs) in place first: use that one.
      if (!existsSync(path.join(dir, MANIFEST_FILE))) throw error;
    }
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  prune(cache);
  return path.join(dir, ENTRY_FILE);
}

/** esbuild's errors as `file:line:column: message` lines. */
function describeCompileError(error) {
  return error.errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text))
    .join("\n");
}

/** The compiled app's entry; on failure, says why and exits 1. */
async function compiledAppOrExit() {
  try {
    return await compiledApp();
  } catch (error) {
    if (error instanceof ForbiddenImportError) console.error(`synth failed:\n${error.message}`);
    else if (Array.isArray(error?.errors))
      console.error(`synth failed: the app does not compile:\n${describeCompileError(error)}`);
    else
      console.error(
        `synth failed: cannot prepare the compiled app in ${path.join(root, "node_modules", ".cache", "platform-app")}: ${error?.message ?? error}`,
      );
    process.exit(1);
  }
}

/**
 * Runs the compiled app. A build that lost files while this synth loaded it (another
 * synth's clean-up removed it between the check and the load) is removed and compiled
 * again, once: nothing is written before the service files are loaded.
 */
async function run(args) {
  for (let attempt = 1; ; attempt++) {
    const entry = await compiledAppOrExit();
    const build = path.dirname(entry);
    try {
      const app = await import(pathToFileURL(entry).href);
      return await app.run(root, args);
    } catch (error) {
      if (attempt > 1 || error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes(build)) throw error;
      removeBuild(build);
    }
  }
}

process.exitCode = await run(process.argv.slice(2));
