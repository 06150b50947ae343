import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: scratch, removeLater } = scratchFolders();

/** `npm run synth` in a copy of the repository changed by `edit`, as a user runs it after that edit. */
async function synthAfter(edit: (repo: string) => void) {
  const repo = copyRepository();
  removeLater(repo);
  edit(repo);
  const run = await runCli("tools/run-app.mjs", [], {
    cwd: repo,
    env: { ...process.env, CDKTF_OUTDIR: scratch("synth-out-") },
  });
  return { ...run, lines: run.stderr.split("\n").filter((line) => line.length > 0) };
}

/** Replaces `from` with `to` in a file of the copy, failing when `from` is not there. */
function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file}: no ${JSON.stringify(from)} to replace`);
  writeFileSync(file, text.replace(from, to));
}

describe("what npm run synth says of the services against each other", () => {
  it("GIVEN services/gateway copied to services/gateway2 (its contract renamed, its spec not) WHEN synthesized THEN every line names the copy, and the original only as the other party", async () => {
    const run = await synthAfter((repo) => {
      cpSync(path.join(repo, "services", "gateway"), path.join(repo, "services", "gateway2"), { recursive: true });
      replaceIn(path.join(repo, "services", "gateway2", "src", "api.ts"), '"gateway"', '"gateway2"');
    });
    expect(run.status).toBe(1);
    const problems = run.lines.slice(run.lines.indexOf("synth failed:") + 1);
    expect(problems).toEqual([
      `services/gateway2/service.ts: name: must equal the folder name 'gateway2' (got "gateway")`,
      `services/gateway2/service.ts: name: is already taken by services/gateway/service.ts; service names must be unique (got "gateway")`,
      `services/gateway2/service.ts: expose.public: is also served by services/gateway/service.ts; give each public service its own host or path (got "shop.example.com/")`,
      "services/gateway2/service.ts: expose.public.localPort: is also published on 127.0.0.1 by services/gateway/service.ts in the local environment; set expose.public.localPort to a free port (got 8080)",
      `services/gateway2/service.ts: environments.staging.expose.public: is also served by services/gateway/service.ts; give each public service its own host or path (got "staging.shop.example.com/")`,
    ]);
  });

  it("GIVEN catalog edited to be public on gateway's host WHEN synthesized THEN catalog's file is named with the clash", async () => {
    const run = await synthAfter((repo) =>
      replaceIn(
        path.join(repo, "services", "catalog", "service.ts"),
        "  port: 8080,\n",
        '  port: 8080,\n  expose: { public: { host: "shop.example.com", localPort: 8085 } },\n',
      ),
    );
    expect(run.status).toBe(1);
    expect(run.lines).toContain(
      `services/catalog/service.ts: expose.public: is also served by services/gateway/service.ts; give each public service its own host or path (got "shop.example.com/")`,
    );
  });

  it("GIVEN catalog edited to depend on orders, which depends on catalog WHEN synthesized THEN it succeeds with one warning naming the cycle and both files", async () => {
    const run = await synthAfter((repo) =>
      replaceIn(
        path.join(repo, "services", "catalog", "service.ts"),
        "  port: 8080,\n",
        '  port: 8080,\n  dependsOn: ["orders"],\n',
      ),
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.lines.filter((line) => line.includes("cycle"))).toEqual([
      "warning: dependsOn cycle catalog -> orders -> catalog (services/catalog/service.ts, services/orders/service.ts): a request can loop round it and a failure of one of them reaches the others; break it, for example with a queue instead of one of the calls",
    ]);
  });
});
