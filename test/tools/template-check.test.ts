import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";

const TEMPLATE_CHECK = "tools/template-check.ts";

describe("npm run template:check", () => {
  let repository: RepositoryCopy;
  beforeAll(() => {
    repository = copyRepository();
  });
  afterAll(() => repository.remove());

  it("GIVEN the example services as they are WHEN checked THEN each is current and it exits 0", () => {
    const result = repository.node(TEMPLATE_CHECK);
    expect(result.stdout).toMatch(
      /^catalog +current \(http-service [0-9a-f]{12}\)\nfulfilment +current \(worker [0-9a-f]{12}\)\ngateway +current \(http-service [0-9a-f]{12}\)\norders +current \(http-service [0-9a-f]{12}\)\n4 services checked: none drifted from its template\n$/,
    );
    expect(result.status).toBe(0);
  });

  it("GIVEN a hand edit of a platform file at the template's current version WHEN checked THEN the service is EDITED, naming the file and how to bring it back, and it exits 1 until the record accepts that very content", () => {
    const dockerfile = path.join(repository.dir, "services/orders/Dockerfile");
    const recordFile = path.join(repository.dir, "services/orders/.template.json");
    const recorded = readFileSync(recordFile, "utf8");
    try {
      appendFileSync(dockerfile, "USER root\n");
      const edited = repository.node(TEMPLATE_CHECK);
      expect(edited.stdout).toContain(
        "orders      EDITED by hand: Dockerfile (a platform file, not accepted in .template.json: bring the template's back with npm run template:check -- --write, or after resolving a template:update conflict record it with npm run template:update -- --accept orders)\n",
      );
      expect(edited.stdout).toMatch(/\n1 of 4 services drifted from their template: /);
      expect(edited.status).toBe(1);

      // A record that accepts this very content (as template:update writes it) takes it as the service's own.
      const hash = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
      const record = JSON.parse(recorded);
      const accept = (text: string) =>
        writeFileSync(recordFile, `${JSON.stringify({ ...record, edits: { Dockerfile: hash(text) } }, null, 2)}\n`);
      accept(readFileSync(dockerfile, "utf8"));
      const accepted = repository.node(TEMPLATE_CHECK);
      expect(accepted.stdout).toMatch(
        /^orders +current \(http-service [0-9a-f]{12}\), with its own edits of Dockerfile \(accepted in \.template\.json\)$/m,
      );
      expect(accepted.status).toBe(0);

      // Another edit after that is not the accepted content.
      appendFileSync(dockerfile, "RUN echo later\n");
      const later = repository.node(TEMPLATE_CHECK);
      expect(later.stdout).toMatch(/^orders +EDITED by hand: Dockerfile \(/m);
      expect(later.status).toBe(1);

      // --write brings the platform's file back and drops the acceptance.
      const written = repository.node(TEMPLATE_CHECK, ["--write"]);
      expect(written.stderr).toBe("orders: wrote Dockerfile, .template.json\n");
      expect(JSON.parse(readFileSync(recordFile, "utf8")).edits).toBeUndefined();
      expect(repository.node(TEMPLATE_CHECK).status).toBe(0);

      // A malformed acceptance is refused, naming the field.
      writeFileSync(recordFile, `${JSON.stringify({ ...record, edits: { Dockerfile: "md5:0" } }, null, 2)}\n`);
      expect(repository.node(TEMPLATE_CHECK).stdout).toContain(
        'orders      BROKEN: services/orders/.template.json: edits: must be an object of platform files and the hash of the content accepted for each ("sha256:" and 64 hex digits)\n',
      );
    } finally {
      repository.run("git", ["checkout", "--", "services/orders"]);
    }
  });

  it("GIVEN a fix in the runtime package WHEN checked THEN no service drifted: they all use the one package, not copies", () => {
    appendFileSync(
      path.join(repository.dir, "templates/runtime/src/config.ts"),
      "\n/** A runtime fix. */\nexport const RUNTIME_FIXED = true;\n",
    );
    const result = repository.node(TEMPLATE_CHECK);
    expect(result.stdout).toMatch(/\n4 services checked: none drifted from its template\n$/);
    expect(result.status).toBe(0);
    repository.run("git", ["checkout", "--", "templates/runtime/src/config.ts"]);
  });

  it("GIVEN a fix in the template's Dockerfile and an edit of a service's own code WHEN checked THEN every service misses the fix, the own edit is not reported, and it exits 1", () => {
    appendFileSync(path.join(repository.dir, "templates/_base/Dockerfile"), "# A template fix.\n");
    appendFileSync(
      path.join(repository.dir, "services/orders/src/application.ts"),
      "\n/** The team's own change. */\nexport const OWN = true;\n",
    );
    rmSync(path.join(repository.dir, "services/catalog/.template.json"));
    const result = repository.node(TEMPLATE_CHECK);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("catalog     not made from a template (no .template.json)");
    // The worker shares the base layer: it misses the fix too.
    expect(lines[1]).toMatch(
      /^fulfilment {2}DRIFTED from worker [0-9a-f]{12} \(made from [0-9a-f]{12}\): Dockerfile \(changed\)$/,
    );
    expect(lines[2]).toMatch(
      /^gateway {5}DRIFTED from http-service [0-9a-f]{12} \(made from [0-9a-f]{12}\): Dockerfile \(changed\)$/,
    );
    expect(lines[3]).toMatch(
      /^orders {6}DRIFTED from http-service [0-9a-f]{12} \(made from [0-9a-f]{12}\): Dockerfile \(changed\)$/,
    );
    expect(lines[4]).toBe(
      "3 of 4 services drifted from their template: bring the template's current version of the files listed into each (they belong to the platform, not to the service)",
    );
    expect(result.status).toBe(1);

    const json = JSON.parse(repository.node(TEMPLATE_CHECK, ["--format", "json"]).stdout);
    expect(json.services.map((s: { service: string; status: string }) => [s.service, s.status])).toEqual([
      ["catalog", "untracked"],
      ["fulfilment", "drifted"],
      ["gateway", "drifted"],
      ["orders", "drifted"],
    ]);
  });

  it("GIVEN drifted services WHEN --write runs THEN only their managed files and records change, and they are current", () => {
    const written = repository.node(TEMPLATE_CHECK, ["--write"]);
    expect(written.status).toBe(0);
    expect(written.stderr).toBe(
      "fulfilment: wrote Dockerfile, .template.json\ngateway: wrote Dockerfile, .template.json\norders: wrote Dockerfile, .template.json\n",
    );
    const changed = repository.run("git", ["status", "--porcelain"]).stdout.trimEnd().split("\n").sort();
    expect(changed).toEqual([
      " D services/catalog/.template.json",
      " M services/fulfilment/.template.json",
      " M services/fulfilment/Dockerfile",
      " M services/gateway/.template.json",
      " M services/gateway/Dockerfile",
      " M services/orders/.template.json",
      " M services/orders/Dockerfile",
      " M services/orders/src/application.ts",
      " M templates/_base/Dockerfile",
    ]);
    expect(readFileSync(path.join(repository.dir, "services/orders/Dockerfile"), "utf8")).toBe(
      readFileSync(path.join(repository.dir, "templates/_base/Dockerfile"), "utf8")
        .replaceAll("{{name}}", "orders")
        .replaceAll("{{port}}", "8080"),
    );
    expect(readFileSync(path.join(repository.dir, "services/orders/src/application.ts"), "utf8")).toContain(
      "export const OWN = true;",
    );
    // The fixed template is in no commit yet, so the record names none rather than one without the fix.
    const record = JSON.parse(readFileSync(path.join(repository.dir, "services/orders/.template.json"), "utf8"));
    expect(record).toMatchObject({ template: "http-service", commit: null, answers: { name: "orders" } });
    expect(repository.node(TEMPLATE_CHECK).status).toBe(0);
    // Four template:check runs (a tsx start-up each): past 30 s on a loaded 2-core machine,
    // within the suite's budget (vitest.config.ts).
  });

  it("GIVEN a hand-edited record whose port the template refuses WHEN --write runs THEN the service is broken, naming the file, the answer, the value and what is accepted, and no managed file is written", () => {
    const file = path.join(repository.dir, "services/orders/.template.json");
    const record = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, `${JSON.stringify({ ...record, answers: { ...record.answers, port: 80 } }, null, 2)}\n`);
    appendFileSync(path.join(repository.dir, "templates/_base/Dockerfile"), "# Another template fix.\n");
    const before = readFileSync(path.join(repository.dir, "services/orders/Dockerfile"), "utf8");
    const result = repository.node(TEMPLATE_CHECK, ["--write"]);
    expect(result.stderr).not.toMatch(/^orders: wrote/m);
    expect(readFileSync(path.join(repository.dir, "services/orders/Dockerfile"), "utf8")).toBe(before);
    expect(result.status).toBe(1);
    expect(repository.node(TEMPLATE_CHECK).stdout).toContain(
      "orders      BROKEN: services/orders/.template.json: answers.port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got 80); the http-service template's --port accepts only that\n",
    );
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  });

  it("GIVEN a folder of services/ holding Service.ts instead of service.ts, and one holding no spec at all WHEN checked THEN each is refused as BROKEN, naming the folder (and the near miss), and it exits 1", () => {
    const billing = path.join(repository.dir, "services/billing");
    const leftover = path.join(repository.dir, "services/leftover");
    mkdirSync(billing);
    copyFileSync(path.join(repository.dir, "services/orders/service.ts"), path.join(billing, "Service.ts"));
    mkdirSync(path.join(leftover, "node_modules"), { recursive: true });
    try {
      const result = repository.node(TEMPLATE_CHECK);
      const lines = result.stdout.split("\n");
      expect(lines).toContain(
        "billing     BROKEN: services/billing has no service.ts, so it is not a service; it has Service.ts: a service's spec file is named service.ts, exactly (rename it)",
      );
      expect(lines).toContain(
        'leftover    BROKEN: services/leftover has no service.ts, so it is not a service: add one (README.md, "Adding a service by hand"), or remove the folder',
      );
      expect(result.status).toBe(1);
    } finally {
      rmSync(billing, { recursive: true, force: true });
      rmSync(leftover, { recursive: true, force: true });
    }
  });

  it("GIVEN an unknown option WHEN run THEN it exits 2 with the usage", () => {
    const result = repository.node(TEMPLATE_CHECK, ["--fix"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^template:check: Unknown option '--fix'/);
  });
});
