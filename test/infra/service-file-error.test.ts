import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverServices } from "../../infra/discover-services.js";
import { ServiceFileError } from "../../infra/service-file-error.js";
import { runCli } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch, removeLater } = scratchFolders();

/** Where orders/service.ts throws in {@link copyWithThrowingOrders}: `services/orders/service.ts:<line>:<column>`. */
type ThrowingCopy = { repo: string; at: string };

/**
 * GIVEN helper: a copy of the repository whose orders/service.ts throws on a line of its
 * own (`at`: file, line and column of the \`new Error\`), its other files as they are.
 */
function copyWithThrowingOrders(): ThrowingCopy {
  const repo = removeLater(copyRepository());
  const file = path.join(repo, "services", "orders", "service.ts");
  const lines = readFileSync(file, "utf8").split("\n");
  const exported = lines.findIndex((line) => line.startsWith("export default"));
  expect(exported, "orders/service.ts has an `export default` line").toBeGreaterThan(0);
  const throwing = 'if (Number.isNaN(limit)) throw new Error("boom: no limit");';
  lines.splice(exported, 0, "const limit = Number('x');", throwing);
  writeFileSync(file, lines.join("\n"));
  return { repo, at: `services/orders/service.ts:${exported + 2}:${throwing.indexOf("new Error") + 1}` };
}

/** What discoverServices rejects with when loading any service file throws `thrown`; undefined when it resolves. */
function discoveryFailure(root: string, thrown: unknown): Promise<unknown> {
  return discoverServices(root, async () => {
    throw thrown;
  }).then(
    () => undefined,
    (failed: unknown) => failed,
  );
}

describe("a service file that throws while the synth loads it", () => {
  it("GIVEN orders/service.ts throwing on a line of its own WHEN synthesized (compiled, as npm run synth) THEN one 'synth failed' line names that file and line, no stack points into the compiled app, it exits 1 and writes nothing", async () => {
    const { repo, at } = copyWithThrowingOrders();
    const outdir = scratch("synth-throws-");
    const run = await runCli("tools/run-app.mjs", [], { cwd: repo, env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(run.stderr).toBe(`synth failed:\n${at}: threw Error: boom: no limit while the synth loaded it\n`);
    expect(run.status).toBe(1);
    expect(readdirSync(outdir)).toEqual([]);
  });

  it("GIVEN the same file WHEN synthesized from the TypeScript sources (node --import tsx infra/main.ts) THEN the same line is named", async () => {
    const { repo, at } = copyWithThrowingOrders();
    const run = await runCli("infra/main.ts", [], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: scratch("synth-throws-source-") },
    });
    expect(run.stderr).toBe(`synth failed:\n${at}: threw Error: boom: no limit while the synth loaded it\n`);
    expect(run.status).toBe(1);
    // tsx transforms infra/ and every service file first: tens of seconds on a loaded 2-core
    // machine, within the suite's budget (vitest.config.ts).
  });

  it("GIVEN a module of the service's own that throws when service.ts imports it WHEN synthesized THEN the service file is named, with the module's line", async () => {
    const repo = removeLater(copyRepository());
    writeFileSync(
      path.join(repo, "services", "orders", "limits.ts"),
      'export const LIMIT = 1;\nthrow new Error("no limits here");\n',
    );
    const file = path.join(repo, "services", "orders", "service.ts");
    writeFileSync(file, `import { LIMIT } from "./limits.js";\nvoid LIMIT;\n${readFileSync(file, "utf8")}`);
    const run = await runCli("tools/run-app.mjs", [], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: scratch("synth-throws-helper-") },
    });
    expect(run.stderr).toBe(
      "synth failed:\nservices/orders/service.ts: threw Error: no limits here while the synth loaded it, at services/orders/limits.ts:2:7 (a module it imports)\n",
    );
    expect(run.status).toBe(1);
  });

  it("GIVEN a shared module outside the service's folder (lib/config.ts) that throws when service.ts imports it WHEN synthesized THEN the service file is named, with the shared module's line, and no stack points into the compiled app", async () => {
    const repo = removeLater(copyRepository());
    mkdirSync(path.join(repo, "lib"), { recursive: true });
    writeFileSync(
      path.join(repo, "lib", "config.ts"),
      'export const REGION = "eu";\nthrow new Error("no config here");\n',
    );
    const file = path.join(repo, "services", "orders", "service.ts");
    writeFileSync(file, `import { REGION } from "../../lib/config.js";\nvoid REGION;\n${readFileSync(file, "utf8")}`);
    const outdir = scratch("synth-throws-shared-");
    const run = await runCli("tools/run-app.mjs", [], { cwd: repo, env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(run.stderr).toBe(
      "synth failed:\nservices/orders/service.ts: threw Error: no config here while the synth loaded it, at lib/config.ts:2:7 (a module it imports)\n",
    );
    expect(run.status).toBe(1);
    expect(readdirSync(outdir)).toEqual([]);
  });

  it("GIVEN catalog's contract (src/api.ts) throwing on a line of its own WHEN synthesized (compiled, as npm run synth) THEN one 'synth failed' line names that file and line, no stack points into the compiled app, it exits 1 and writes nothing", async () => {
    const repo = removeLater(copyRepository());
    const file = path.join(repo, "services", "catalog", "src", "api.ts");
    const lines = readFileSync(file, "utf8").split("\n");
    const exported = lines.findIndex((line) => line.startsWith("export default"));
    expect(exported, "catalog/src/api.ts has an `export default` line").toBeGreaterThan(0);
    const throwing = 'if (process.env.CATALOG_CURRENCY === undefined) throw new Error("no currency");';
    lines.splice(exported, 0, throwing);
    writeFileSync(file, lines.join("\n"));
    const outdir = scratch("synth-api-throws-");
    const run = await runCli("tools/run-app.mjs", [], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CATALOG_CURRENCY: undefined },
    });
    const at = `services/catalog/src/api.ts:${exported + 1}:${throwing.indexOf("new Error") + 1}`;
    // gateway's contract imports catalog's (it passes catalog's products on), so it fails too, and says where.
    expect(run.stderr).toBe(
      `synth failed:\n${at}: threw Error: no currency while the synth loaded it\nservices/gateway/src/api.ts: threw Error: no currency while the synth loaded it, at ${at} (a module it imports)\n`,
    );
    expect(run.status).toBe(1);
    expect(readdirSync(outdir)).toEqual([]);
  });
});

describe("discoverServices with a service file that throws", () => {
  it("GIVEN two service files, one throwing a string and one an Error from a frame of its own WHEN discovered THEN one ServiceFileError names both, the first with no line to tell", async () => {
    const root = scratch("platform-throws-");
    for (const name of ["billing", "orders"]) {
      const folder = path.join(root, "services", name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, "service.ts"), "");
    }
    const error = await discoverServices(root, async (file) => {
      if (file.includes("billing")) throw "not ready";
      const thrown = new Error("bad spec");
      thrown.stack = `Error: bad spec\n    at file://${path.join(root, "services", "orders", "service.ts")}:4:11\n    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)`;
      throw thrown;
    }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ServiceFileError);
    expect((error as ServiceFileError).code).toBe("SERVICE_FILE_THREW");
    expect((error as Error).message).toBe(
      'services/billing/service.ts: threw "not ready" while the synth loaded it (no stack tells the line)\nservices/orders/service.ts:4:11: threw Error: bad spec while the synth loaded it',
    );
  });

  it("GIVEN a loader that fails with no frame in the service's folder (a compiled file that went missing) WHEN discovered THEN that error passes unchanged, for the launcher to compile again", async () => {
    const root = scratch("platform-loader-fails-");
    mkdirSync(path.join(root, "services", "orders"), { recursive: true });
    writeFileSync(path.join(root, "services", "orders", "service.ts"), "");
    const missing = Object.assign(new Error("Cannot find module '/cache/chunks/service-1.js'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await discoveryFailure(root, missing);
    expect(error).toBe(missing);
  });

  it("GIVEN a loader error with frames only in a shared module of the repository and in node_modules WHEN discovered THEN a ServiceFileError names the service file and the shared module's line, not the package's", async () => {
    const root = scratch("platform-shared-throws-");
    mkdirSync(path.join(root, "services", "orders"), { recursive: true });
    mkdirSync(path.join(root, "lib"), { recursive: true });
    writeFileSync(path.join(root, "services", "orders", "service.ts"), "");
    writeFileSync(path.join(root, "lib", "config.ts"), "");
    const thrown = new TypeError("bad config");
    thrown.stack = `TypeError: bad config\n    at parse (${path.join(root, "node_modules", "zod", "index.js")}:9:3)\n    at file://${path.join(root, "lib", "config.ts")}:3:5\n    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)`;
    const error = await discoveryFailure(root, thrown);
    expect(error).toBeInstanceOf(ServiceFileError);
    expect((error as Error).message).toBe(
      "services/orders/service.ts: threw TypeError: bad config while the synth loaded it, at lib/config.ts:3:5 (a module it imports)",
    );
  });

  it("GIVEN a loader error with no frame in the repository that is no missing module (ENOENT from node's internals) WHEN discovered THEN a ServiceFileError names the service file, saying no frame tells the line", async () => {
    const root = scratch("platform-no-frame-");
    mkdirSync(path.join(root, "services", "orders"), { recursive: true });
    writeFileSync(path.join(root, "services", "orders", "service.ts"), "");
    const thrown = Object.assign(new Error("ENOENT: no such file or directory, open '/etc/platform.json'"), {
      code: "ENOENT",
    });
    thrown.stack = `Error: ENOENT\n    at Object.openSync (node:fs:573:18)`;
    const error = await discoveryFailure(root, thrown);
    expect(error).toBeInstanceOf(ServiceFileError);
    expect((error as Error).message).toBe(
      "services/orders/service.ts: threw Error: ENOENT: no such file or directory, open '/etc/platform.json' while the synth loaded it (no frame of its stack is in the repository's files)",
    );
  });
});
