import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepository, REPOSITORY_ROOT, type RepositoryCopy } from "../support/repository-copy.js";

const TEMPLATE_UPDATE = "tools/template-update.ts";
const TEMPLATE_CHECK = "tools/template-check.ts";
/** A tsx start-up and a few git runs per command: slow on a loaded 2-core machine. */
const SLOW = 120_000;
/**
 * The ceiling of a test that runs the command `runs` times, one after the other: 30 s a
 * run. The bad-input test's eleven runs took 126 s together beside another whole suite
 * (load average 14 to 22), past a flat 120 s.
 */
const ceilingFor = (runs: number): number => runs * 30_000;

/** The template's fix: a line after `ENV NODE_ENV=production` in the base layer's Dockerfile. */
const TEMPLATE_LINE = "ENV NODE_OPTIONS=--max-old-space-size=256";
/** orders' own edit, far from the template's fix: its image comes from a mirror. */
const ORDERS_LINE = "ARG BASE_IMAGE=registry.example.com/node:20.19.5-bookworm-slim";
/** gateway's own edit, on the very line the template's fix follows. */
const GATEWAY_LINE = "ENV NODE_ENV=production LOG_LEVEL=warn";

/** The template version an example service records in this repository (it moves with every change of its template). */
const recordedVersion = (service: string): string =>
  JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, "services", service, ".template.json"), "utf8")).version;
/** The http-service version orders was made from, and the worker version of fulfilment. */
const HTTP_RECORDED = recordedVersion("orders");
const WORKER_RECORDED = recordedVersion("fulfilment");

describe("npm run template:update", () => {
  let repository: RepositoryCopy;
  const git = (...args: string[]) => {
    const result = repository.run("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args]);
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  const read = (file: string) => readFileSync(path.join(repository.dir, file), "utf8");
  const edit = (file: string, from: RegExp, to: string) => {
    const text = read(file);
    expect(text).toMatch(from);
    writeFileSync(path.join(repository.dir, file), text.replace(from, to));
  };
  const record = (service: string) => JSON.parse(read(`services/${service}/.template.json`));
  /** Where template:check puts a service, from its JSON output (the other services' states set its exit code). */
  const checked = (service: string) =>
    JSON.parse(repository.node(TEMPLATE_CHECK, ["--format", "json"]).stdout).services.find(
      (s: { service: string }) => s.service === service,
    );
  const sha256 = (file: string) => `sha256:${createHash("sha256").update(read(file)).digest("hex")}`;

  beforeAll(() => {
    // GIVEN the example services, each recording the copy's commit (which holds the
    // templates they were made from), then a committed template fix, and committed edits
    // of the services' own: one apart from the fix (orders), one on its lines (gateway).
    repository = copyRepository();
    const made = git("rev-parse", "HEAD");
    for (const service of ["catalog", "fulfilment", "gateway", "orders"]) {
      const file = `services/${service}/.template.json`;
      writeFileSync(
        path.join(repository.dir, file),
        read(file).replace(/"commit": "[0-9a-f]{40}"/, `"commit": "${made}"`),
      );
    }
    git("commit", "--quiet", "-am", "the services record the commit they were made from");
    edit("templates/_base/Dockerfile", /^ENV NODE_ENV=production$/m, `ENV NODE_ENV=production\n${TEMPLATE_LINE}`);
    git("commit", "--quiet", "-am", "template fix");
    edit("services/orders/Dockerfile", /^ARG BASE_IMAGE=.*$/m, ORDERS_LINE);
    edit("services/gateway/Dockerfile", /^ENV NODE_ENV=production$/m, GATEWAY_LINE);
    git("commit", "--quiet", "-am", "the services' own edits");
  });
  afterAll(() => repository?.remove());

  it(
    "GIVEN a template fix WHEN --dry-run runs THEN it prints each change as a unified diff and the conflict it would leave, exits 1, and writes nothing",
    () => {
      const before = repository.snapshot();
      const result = repository.node(TEMPLATE_UPDATE, ["--dry-run"]);
      expect(result.stdout).toContain(`orders: would update from http-service ${HTTP_RECORDED} to `);
      expect(result.stdout).toMatch(/^ {2}merged {4}Dockerfile \(the template's change and the service's edits\)$/m);
      expect(result.stdout).toContain("--- a/services/orders/Dockerfile\n+++ b/services/orders/Dockerfile\n");
      expect(result.stdout).toContain(` ENV NODE_ENV=production\n+${TEMPLATE_LINE}\n`);
      expect(result.stdout).toMatch(new RegExp(`^- {2}"version": "${HTTP_RECORDED}",$`, "m"));
      expect(result.stdout).toMatch(/^ {2}conflict {2}Dockerfile \(1 conflict marked\)$/m);
      expect(result.stdout).toContain("+<<<<<<< services/gateway/Dockerfile (this service)\n");
      expect(result.stdout).toMatch(/\nnothing was written \(--dry-run\)\n$/);
      expect(result.status).toBe(1);
      expect(repository.snapshot()).toEqual(before);
      expect(git("status", "--porcelain")).toBe("");
    },
    SLOW,
  );

  it(
    "GIVEN an unknown service, a service without a record, uncommitted changes, a recorded commit that holds another version or none, no git repository or an unknown option WHEN run THEN each exits 2 naming what is wrong, and nothing is written",
    () => {
      const unknown = repository.node(TEMPLATE_UPDATE, ["ordres"]);
      expect(unknown.stderr).toBe(
        "template:update: refused (nothing was written):\n  ordres: no such service (no services/ordres/service.ts); did you mean orders?; services: catalog, fulfilment, gateway, orders\n",
      );
      expect(unknown.status).toBe(2);

      renameSync(
        path.join(repository.dir, "services/catalog/.template.json"),
        path.join(repository.dir, "catalog.json"),
      );
      try {
        const untracked = repository.node(TEMPLATE_UPDATE, ["catalog"]);
        expect(untracked.stderr).toContain(
          "catalog: was not made from a template (no services/catalog/.template.json), so there is no template to update it from",
        );
        expect(untracked.status).toBe(2);
      } finally {
        renameSync(
          path.join(repository.dir, "catalog.json"),
          path.join(repository.dir, "services/catalog/.template.json"),
        );
      }

      appendFileSync(path.join(repository.dir, "services/orders/src/application.ts"), "\n// work in progress\n");
      const dirty = repository.node(TEMPLATE_UPDATE, ["orders"]);
      expect(dirty.stderr).toContain(
        "orders: uncommitted changes in services/orders/, templates/_base/, templates/http-service/:\n",
      );
      expect(dirty.stderr).toContain(" M services/orders/src/application.ts\n");
      expect(dirty.status).toBe(2);
      git("checkout", "--", "services/orders/src/application.ts");

      renameSync(path.join(repository.dir, ".git"), path.join(repository.dir, ".git-away"));
      try {
        const outside = repository.node(TEMPLATE_UPDATE, []);
        expect(outside.stderr).toMatch(
          /^template:update: refused \(nothing was written\):\n {2}.* is not a git repository: /,
        );
        expect(outside.status).toBe(2);
      } finally {
        renameSync(path.join(repository.dir, ".git-away"), path.join(repository.dir, ".git"));
      }

      // A record whose commit holds another version, or is in no history: a merge from it would be wrong.
      const recordFile = path.join(repository.dir, "services/orders/.template.json");
      const recorded = read("services/orders/.template.json");
      const fixed = git("rev-parse", "HEAD~1");
      writeFileSync(recordFile, recorded.replace(/"commit": "[0-9a-f]{40}"/, `"commit": "${fixed}"`));
      const otherVersion = repository.node(TEMPLATE_UPDATE, ["orders", "--dry-run"]);
      expect(otherVersion.stderr).toMatch(
        new RegExp(
          `orders: services/orders/\\.template\\.json: commit: ${fixed} holds version [0-9a-f]{12} of the http-service template, not the recorded ${HTTP_RECORDED}; correct the record`,
        ),
      );
      expect(otherVersion.status).toBe(2);
      writeFileSync(recordFile, recorded.replace(/"commit": "[0-9a-f]{40}"/, `"commit": "${"0".repeat(40)}"`));
      const missing = repository.node(TEMPLATE_UPDATE, ["orders", "--dry-run"]);
      expect(missing.stderr).toContain(
        `orders: services/orders/.template.json: the http-service template as commit ${"0".repeat(40)} holds it cannot be read: git cannot give templates/ as commit`,
      );
      expect(missing.status).toBe(2);
      writeFileSync(recordFile, recorded);

      const help = repository.node(TEMPLATE_UPDATE, ["--help"]);
      expect(help.stdout).toMatch(/^Usage: npm run template:update \[-- <service>\.\.\.\] \[--dry-run\]\n/);
      expect(help.stdout).toContain(
        "Exit codes: 0 updated (or current, or accepted), 1 a file has conflicts, 2 bad input",
      );
      expect(help.status).toBe(0);

      const nobody = repository.node(TEMPLATE_UPDATE, ["--accept"]);
      expect(nobody.stderr).toMatch(/^template:update: --accept: name the services whose edits to accept\n/);
      expect(nobody.status).toBe(2);
      const behind = repository.node(TEMPLATE_UPDATE, ["--accept", "orders"]);
      expect(behind.stderr).toMatch(
        new RegExp(
          `^ {2}orders: records http-service ${HTTP_RECORDED}, not the template's current [0-9a-f]{12}: run npm run template:update -- orders first`,
          "m",
        ),
      );
      expect(behind.status).toBe(2);

      const option = repository.node(TEMPLATE_UPDATE, ["--force"]);
      expect(option.stderr).toMatch(/^template:update: Unknown option '--force'/);
      expect(option.status).toBe(2);
      expect(git("status", "--porcelain")).toBe("");
    },
    ceilingFor(11),
  );

  it(
    "GIVEN a service whose own edit is apart from the template's fix WHEN updated THEN both are in the file, the record names the new version and its commit and accepts the merged file's content, template:check calls it current, and it exits 0; a later edit of that file is EDITED by hand",
    () => {
      const result = repository.node(TEMPLATE_UPDATE, ["orders"]);
      expect(result.stdout).toMatch(
        new RegExp(
          `^orders: updated from http-service ${HTTP_RECORDED} to [0-9a-f]{12}\\n {2}merged {4}Dockerfile \\(the template's change and the service's edits\\)\\n {2}recorded {2}\\.template\\.json \\(http-service [0-9a-f]{12}; accepts the service's edits of Dockerfile\\)\\n1 service updated from its template: review the diff \\(git diff\\), then commit\\n$`,
        ),
      );
      expect(result.status).toBe(0);
      const dockerfile = read("services/orders/Dockerfile");
      expect(dockerfile).toContain(`${ORDERS_LINE}\n`);
      expect(dockerfile).toContain(`ENV NODE_ENV=production\n${TEMPLATE_LINE}\n`);
      expect(dockerfile).not.toMatch(/^(<{7}|={7}|>{7})/m);
      expect(record("orders")).toMatchObject({
        template: "http-service",
        version: expect.not.stringMatching(new RegExp(`^${HTTP_RECORDED}$`)),
        commit: git("log", "-1", "--format=%H", "--", "templates/"),
        answers: { name: "orders", dependsOn: ["catalog"] },
      });
      expect(repository.run("git", ["status", "--porcelain"]).stdout.trimEnd().split("\n").sort()).toEqual([
        " M services/orders/.template.json",
        " M services/orders/Dockerfile",
      ]);
      // The record accepts the merged content, and only it.
      expect(record("orders").edits).toEqual({ Dockerfile: sha256("services/orders/Dockerfile") });
      const merged = repository.node(TEMPLATE_CHECK);
      expect(merged.stdout).toContain(
        `orders      current (http-service ${record("orders").version}), with its own edits of Dockerfile (accepted in .template.json)\n`,
      );
      expect(merged.stdout).not.toMatch(/^orders .*(EDITED|DRIFTED)/m);
      git("commit", "--quiet", "-am", "orders updated from its template");
      // A second run has nothing left to merge.
      expect(repository.node(TEMPLATE_UPDATE, ["orders"]).stdout).toBe(
        `orders: current (http-service ${record("orders").version})\n1 service checked: each is at its template's version\n`,
      );

      // An edit of the platform's file after the update is not the one accepted.
      appendFileSync(path.join(repository.dir, "services/orders/Dockerfile"), "USER root\n");
      const tampered = repository.node(TEMPLATE_CHECK);
      expect(tampered.stdout).toContain(
        "orders      EDITED by hand: Dockerfile (a platform file, not accepted in .template.json: bring the template's back with npm run template:check -- --write, or after resolving a template:update conflict record it with npm run template:update -- --accept orders)\n",
      );
      expect(tampered.status).toBe(1);
      expect(checked("orders")).toMatchObject({ status: "drifted", files: [{ file: "Dockerfile", change: "edited" }] });
      git("checkout", "--", "services/orders/Dockerfile");
    },
    SLOW,
  );

  it(
    "GIVEN a service whose own edit is on the lines the template's fix changes WHEN updated THEN the file holds both between labelled conflict markers, the conflict is listed, template:check reports it, and it exits 1; once resolved, --accept records it and template:check calls it current",
    () => {
      const result = repository.node(TEMPLATE_UPDATE, ["gateway"]);
      expect(result.stdout).toMatch(/^ {2}conflict {2}Dockerfile \(1 conflict marked\)$/m);
      expect(result.stdout).toContain(
        "1 service updated from its template; conflicts left marked (<<<<<<<) in services/gateway/Dockerfile: resolve them, then commit\n",
      );
      expect(result.status).toBe(1);
      const version = record("gateway").version;
      expect(read("services/gateway/Dockerfile")).toContain(
        [
          "<<<<<<< services/gateway/Dockerfile (this service)",
          GATEWAY_LINE,
          `||||||| http-service ${HTTP_RECORDED} (the template it was made from)`,
          "ENV NODE_ENV=production",
          "=======",
          "ENV NODE_ENV=production",
          TEMPLATE_LINE,
          `>>>>>>> http-service ${version} (the template now)`,
          "WORKDIR /app",
        ].join("\n"),
      );
      // The README shows this very run (as the README's command, with orders beside it); versions aside, which change with any template edit.
      const anyVersion = (text: string) => text.replace(/\b[0-9a-f]{12}\b/g, "<version>");
      const readme = anyVersion(readFileSync(path.join(REPOSITORY_ROOT, "README.md"), "utf8"));
      expect(readme).toContain(anyVersion(result.stdout.split("\n").slice(0, 3).join("\n")));
      const markers = read("services/gateway/Dockerfile").match(/^<{7} [\s\S]*?^>{7} .*$/m)?.[0];
      expect(markers).toBeDefined();
      expect(readme).toContain(`\n${anyVersion(markers!)}\n`);

      const check = repository.node(TEMPLATE_CHECK);
      expect(check.stdout).toContain(
        "gateway     CONFLICTS left by template:update, not resolved: Dockerfile (resolve the markers, <<<<<<<, then npm run template:update -- --accept gateway)\n",
      );
      expect(check.status).toBe(1);
      expect(record("gateway").edits).toBeUndefined();

      // Markers left: nothing to accept yet.
      const early = repository.node(TEMPLATE_UPDATE, ["--accept", "gateway"]);
      expect(early.stderr).toBe(
        "template:update: refused (nothing was written):\n  gateway: Dockerfile still holds conflict markers (<<<<<<<): resolve them first\n",
      );
      expect(early.status).toBe(2);

      // Resolved by hand (both lines kept): an edit no record accepts, until --accept records it.
      writeFileSync(
        path.join(repository.dir, "services/gateway/Dockerfile"),
        read("services/gateway/Dockerfile").replace(markers!, `${GATEWAY_LINE}\n${TEMPLATE_LINE}`),
      );
      const resolved = repository.node(TEMPLATE_CHECK);
      expect(resolved.stdout).toMatch(/^gateway {5}EDITED by hand: Dockerfile \(/m);
      expect(checked("gateway")).toMatchObject({
        status: "drifted",
        files: [{ file: "Dockerfile", change: "edited" }],
      });
      const accepted = repository.node(TEMPLATE_UPDATE, ["--accept", "gateway"]);
      expect(accepted.stdout).toBe(
        "gateway: accepted its edits of Dockerfile, recorded in .template.json: review the diff (git diff), then commit\n",
      );
      expect(accepted.status).toBe(0);
      expect(record("gateway")).toMatchObject({
        version,
        edits: { Dockerfile: sha256("services/gateway/Dockerfile") },
      });
      const green = repository.node(TEMPLATE_CHECK);
      expect(green.stdout).toContain(
        `gateway     current (http-service ${version}), with its own edits of Dockerfile (accepted in .template.json)\n`,
      );
      expect(checked("gateway")).toMatchObject({ status: "current", edited: ["Dockerfile"] });
    },
    SLOW,
  );

  it(
    "GIVEN a template that adds a file and stops making two, one the service kept as made and one it edited WHEN updated THEN the first is created, the second removed, the third kept and said why, and it exits 0",
    () => {
      // The conflicting update of gateway is undone, as a user would: git holds the service as it was.
      git("checkout", "--", "services/gateway");
      expect(read("services/gateway/Dockerfile")).toContain(`\n${GATEWAY_LINE}\nWORKDIR /app\n`);
      writeFileSync(path.join(repository.dir, "templates/worker/src/added.ts"), "export const ADDED = true;\n");
      git("rm", "--quiet", "templates/worker/src/application.ts", "templates/worker/src/jobs.ts");
      git("add", "templates/worker");
      git("commit", "--quiet", "-m", "worker template: a file added, two removed");
      const result = repository.node(TEMPLATE_UPDATE, ["fulfilment"]);
      expect(result.stdout).toMatch(
        new RegExp(
          [
            `^fulfilment: updated from worker ${WORKER_RECORDED} to [0-9a-f]{12}`,
            "  updated   Dockerfile",
            "  created   src/added\\.ts",
            "  removed   src/application\\.ts",
            "  kept      src/jobs\\.ts: the template no longer makes it, and the service changed it: remove it if nothing needs it",
            "  recorded  \\.template\\.json \\(worker [0-9a-f]{12}\\)",
            "1 service updated from its template: review the diff \\(git diff\\), then commit\n$",
          ].join("\n"),
        ),
      );
      expect(result.status).toBe(0);
      expect(repository.run("git", ["status", "--porcelain"]).stdout.trimEnd().split("\n").sort()).toEqual([
        " D services/fulfilment/src/application.ts",
        " M services/fulfilment/.template.json",
        " M services/fulfilment/Dockerfile",
        "?? services/fulfilment/src/added.ts",
      ]);
      expect(read("services/fulfilment/src/added.ts")).toBe("export const ADDED = true;\n");
      expect(repository.node(TEMPLATE_CHECK).stdout).toMatch(/^fulfilment {2}current \(worker [0-9a-f]{12}\)$/m);
    },
    SLOW,
  );
});
