import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listServiceFolders } from "../../infra/service-folders.js";
import { runCli } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch, removeLater } = scratchFolders();

/** GIVEN helper: a repository whose services/<name>/ folders hold these files (empty ones). */
function repositoryWith(services: Record<string, readonly string[]>): string {
  const root = scratch("platform-service-folders-");
  for (const [name, files] of Object.entries(services)) {
    mkdirSync(path.join(root, "services", name), { recursive: true });
    for (const file of files) writeFileSync(path.join(root, "services", name, file), "");
  }
  return root;
}

describe("listServiceFolders", () => {
  it("GIVEN folders with service.ts, with a near miss of it, with neither, and new:service's dot-folder WHEN listed THEN only the first are services, the others are named with their near misses, and the dot-folder is neither", () => {
    const root = repositoryWith({
      orders: ["service.ts", "Service.ts"],
      billing: ["Service.ts", "package.json"],
      payments: ["servcie.ts", "service.js", "server.ts"],
      leftover: [],
      ".new-refunds-123": ["service.ts"],
    });
    writeFileSync(path.join(root, "services", "README.md"), "not a folder\n");
    expect(listServiceFolders(root)).toEqual({
      services: ["orders"],
      notServices: [
        { folder: "billing", nearMisses: ["Service.ts"] },
        { folder: "leftover", nearMisses: [] },
        { folder: "payments", nearMisses: ["servcie.ts", "service.js"] },
      ],
    });
  });

  it("GIVEN no services/ folder WHEN listed THEN there is nothing", () => {
    expect(listServiceFolders(scratch("platform-no-services-"))).toEqual({ services: [], notServices: [] });
  });
});

describe("npm run synth with a service folder that holds no service.ts", () => {
  it("GIVEN a copy of orders' spec saved as services/billing/Service.ts and a folder with no spec at all WHEN synthesized THEN it warns naming each folder (and the near miss), leaves them out, and succeeds", async () => {
    const repo = removeLater(copyRepository());
    mkdirSync(path.join(repo, "services", "billing"));
    copyFileSync(
      path.join(repo, "services", "orders", "service.ts"),
      path.join(repo, "services", "billing", "Service.ts"),
    );
    mkdirSync(path.join(repo, "services", "leftover", "node_modules"), { recursive: true });
    const outdir = scratch("synth-not-services-");

    const run = await runCli("tools/run-app.mjs", ["local"], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });

    const warnings = run.stderr.split("\n").filter((line) => line.startsWith("warning: services/"));
    expect(warnings).toEqual([
      "warning: services/billing has no service.ts, so it is not a service; it has Service.ts: a service's spec file is named service.ts, exactly (rename it)",
      'warning: services/leftover has no service.ts, so it is not a service: add one (README.md, "Adding a service by hand"), or remove the folder',
    ]);
    expect(run.stderr).toMatch(/^synthesized local \(4 services\)/m);
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(outdir, "monitoring", "local", "dashboards")).sort()).toEqual([
      "catalog.json",
      "fulfilment.json",
      "gateway.json",
      "orders.json",
    ]);
  });
});
