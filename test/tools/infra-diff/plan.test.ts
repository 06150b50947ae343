import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PART_MARKER } from "../../../tools/infra-diff/render-markdown.js";
import type { InfraDiffReport } from "../../../tools/infra-diff/report.js";
import { runCli, type CliRun } from "../../support/cli.js";
import { terraform as terraformIn } from "../../support/terraform.js";

/**
 * `--plan <env>=<file>` on a plan made by the real Terraform CLI, from resources of
 * the built-in `terraform_data` type (no provider to download). Their names follow
 * cdktf's convention `<target>_<service>_<concern>_<resource>`, which is how a plan's
 * addresses map to services.
 */

const CLI = "tools/infra-diff/cli.ts";
let dir: string;

/** A configuration of terraform_data resources by name: their input, and what forces their replacement. */
function configuration(resources: Record<string, { input: unknown; triggers_replace?: unknown }>): string {
  return JSON.stringify({ resource: { terraform_data: resources } }, null, 2);
}

function terraform(...args: string[]): string {
  return terraformIn(dir, ...args);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-plan-"));
  writeFileSync(
    path.join(dir, "main.tf.json"),
    configuration({
      app_platform_namespace: { input: "platform-staging" },
      app_orders_workload_deployment: { input: { image: "orders:1.0.0", replicas: 2 } },
      app_orders_workload_secret: { input: '${sensitive("hunter2-old")}' },
      app_catalog_workload_deployment: { input: { image: "catalog:1.0.0" }, triggers_replace: ["selector-v1"] },
      app_legacy_workload_deployment: { input: { image: "legacy:0.9.0" } },
    }),
  );
  terraform("init", "-input=false", "-no-color");
  terraform("apply", "-auto-approve", "-input=false", "-no-color");
  writeFileSync(
    path.join(dir, "main.tf.json"),
    configuration({
      app_platform_namespace: { input: "platform-staging" },
      app_orders_workload_deployment: { input: { image: "orders:1.1.0", replicas: 2 } },
      app_orders_workload_secret: { input: '${sensitive("hunter2-new")}' },
      app_catalog_workload_deployment: { input: { image: "catalog:1.0.0" }, triggers_replace: ["selector-v2"] },
      app_payments_workload_deployment: { input: { image: "payments:1.0.0" } },
    }),
  );
  terraform("plan", "-input=false", "-no-color", "-out=staging.tfplan");
  writeFileSync(path.join(dir, "staging-plan.json"), terraform("show", "-json", "staging.tfplan"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run infra:diff -- --plan", () => {
  let json: CliRun;
  let report: InfraDiffReport;
  beforeAll(async () => {
    json = await runCli(CLI, ["--plan", `staging=${path.join(dir, "staging-plan.json")}`, "--format", "json"]);
    report = JSON.parse(json.stdout) as InfraDiffReport;
  });

  it("GIVEN a plan that creates, updates, replaces and destroys WHEN rendered THEN the counts are the plan's actions", () => {
    expect(json.status).toBe(1);
    expect(report.summary.environments).toEqual({
      staging: { adds: 1, changes: 2, replacements: 1, destroys: 1, source: "plan" },
    });
  });

  it("THEN the destroy and the replacement come first, with the plan's reason, grouped by service", () => {
    expect(report.risks.map((r) => [r.kind, r.service, r.reason])).toEqual([
      ["destroy", "legacy", "the service is removed; workload/deployment is destroyed"],
      [
        "replacement",
        "catalog",
        "workload/deployment (terraform_data) is destroyed and created again: triggers_replace (selector-v1 -> selector-v2) cannot be updated in place",
      ],
    ]);
    expect(report.services.map((s) => [s.name, s.summary])).toEqual([
      ["catalog", "staging: workload/deployment: triggers_replace (+3 more)"],
      ["legacy", "staging: removed"],
      ["orders", "staging: workload/deployment: input.image (+1 more), workload/secret: input (+1 more)"],
      ["payments", "staging: new service"],
    ]);
  });

  it("THEN an update shows the attribute's old and new value, and what is known after apply", () => {
    const [deployment] = report.services.find((s) => s.name === "orders")!.environments.staging!;
    expect(deployment!.attributes).toEqual([
      {
        path: "input.image",
        before: "orders:1.0.0",
        after: "orders:1.1.0",
        forcesReplacement: false,
        unknownAfter: false,
      },
      { path: "output", before: { image: "orders:1.0.0", replicas: 2 }, forcesReplacement: false, unknownAfter: true },
    ]);
  });

  it("THEN a created resource shows what a reviewer needs of it (a terraform_data's input), not an empty line", () => {
    const [created] = report.services.find((s) => s.name === "payments")!.environments.staging!;
    expect(created!.action).toBe("create");
    expect(created!.attributes).toEqual([
      { path: "input", after: { image: "payments:1.0.0" }, forcesReplacement: false, unknownAfter: false },
    ]);
  });

  it("THEN a sensitive value is never shown, only that it changes", () => {
    expect(json.stdout).not.toContain("hunter2");
    const secret = report.services.find((s) => s.name === "orders")!.environments.staging![1]!;
    expect(secret.attributes[0]).toEqual({
      path: "input",
      before: "(sensitive)",
      after: "(sensitive, changed)",
      forcesReplacement: false,
      unknownAfter: false,
    });
  });

  it("THEN the Markdown has the plan's row in the summary table and the same risks", async () => {
    const markdown = await runCli(CLI, ["--plan", `staging=${path.join(dir, "staging-plan.json")}`]);
    expect(markdown.status).toBe(1);
    expect(markdown.stdout).toContain("| staging (plan) | 1 | 2 | 1 | 1 |");
    expect(markdown.stdout).toContain(
      "- **destroy** (destroy) · staging · `legacy`: the service is removed; workload/deployment is destroyed",
    );
    expect(markdown.stdout).toContain("<details><summary><b>payments</b>: staging: new service</summary>");
    expect(markdown.stdout).not.toContain("hunter2");
  });

  it("GIVEN a plan file that does not exist or an argument without an environment WHEN run THEN it exits 2 and says what it expects", async () => {
    const missing = await runCli(CLI, ["--plan", "staging=/nonexistent/plan.json"]);
    expect(missing.stderr).toBe("infra-diff: --plan staging=/nonexistent/plan.json: no such file\n");
    expect(missing.status).toBe(2);
    const malformed = await runCli(CLI, ["--plan", "plan.json"]);
    expect(malformed.stderr).toBe(
      'infra-diff: --plan: "plan.json" is not <env>=<file>; for example --plan staging=staging-plan.json\n',
    );
    expect(malformed.status).toBe(2);
  });
});

describe("npm run infra:diff -- --plan, with a secret that flows from the resource that marks it into another one", () => {
  const OLD_SECRET = "old-Secret-value-4711";
  const NEW_SECRET = "new-Secret-value-4712";
  let secretDir: string;
  let planFile: string;
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    secretDir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-plan-secret-"));
    // A sensitive variable, a terraform_data that takes it (its input is marked), and a
    // second one built from the first's output: Terraform does not mark that copy.
    writeFileSync(
      path.join(secretDir, "main.tf.json"),
      JSON.stringify({
        variable: { database_password: { type: "string", sensitive: true } },
        resource: {
          terraform_data: {
            app_orders_workload_password: { input: "${var.database_password}" },
            app_orders_workload_connection: {
              input: { url: "postgres://orders:${terraform_data.app_orders_workload_password.output}@db:5432/orders" },
            },
          },
        },
      }),
    );
    terraformIn(secretDir, "init", "-input=false", "-no-color");
    terraformIn(
      secretDir,
      "apply",
      "-auto-approve",
      "-input=false",
      "-no-color",
      `-var=database_password=${OLD_SECRET}`,
    );
    terraformIn(
      secretDir,
      "plan",
      "-input=false",
      "-no-color",
      `-var=database_password=${NEW_SECRET}`,
      "-out=staging.tfplan",
    );
    planFile = path.join(secretDir, "staging-plan.json");
    writeFileSync(planFile, terraformIn(secretDir, "show", "-json", "staging.tfplan"));
    const formats = ["markdown", "text", "json"];
    const results = await Promise.all(
      formats.map((format) => runCli(CLI, ["--plan", `staging=${planFile}`, "--format", format])),
    );
    formats.forEach((format, index) => {
      runs[format] = results[index]!;
    });
  });

  afterAll(() => {
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  it("GIVEN the plan holds both secrets unmarked in places (the check that this test can fail) WHEN read as is THEN both are in it", () => {
    const plan = readFileSync(planFile, "utf8");
    expect(plan).toContain(`postgres://orders:${OLD_SECRET}@db:5432/orders`);
    expect(plan).toContain(NEW_SECRET);
  });

  it.each(["markdown", "text", "json"])(
    "WHEN rendered as %s THEN neither the old nor the new secret is printed, on stdout or stderr",
    (format) => {
      const run = runs[format]!;
      expect(run.status).toBe(1);
      expect(run.output).not.toContain(OLD_SECRET);
      expect(run.output).not.toContain(NEW_SECRET);
    },
  );

  it("THEN the copy in the other resource is hidden inside its longer string, and the rest of that string still shows", () => {
    const report = JSON.parse(runs.json!.stdout) as InfraDiffReport;
    const [connection] = report.services.find((s) => s.name === "orders")!.environments.staging!;
    expect(connection!.address).toBe("terraform_data.app_orders_workload_connection");
    expect(connection!.attributes).toContainEqual({
      path: "input.url",
      before: "postgres://orders:(sensitive)@db:5432/orders",
      forcesReplacement: false,
      unknownAfter: true,
    });
    expect(runs.markdown!.stdout).toContain("postgres://orders:(sensitive)@db:5432/orders");
  });
});

describe("npm run infra:diff -- --plan, with a file that is no plan", () => {
  let badDir: string;
  /** Each case's file and the CLI run on it, all started at once (each run is a process of its own). */
  const runs = new Map<string, { file: string; run: Promise<CliRun> }>();
  const cases: Record<string, (dir: string) => string> = {
    shadow: (dir) =>
      writeInto(dir, "shadow", "root:*:19700:0:99999:7:::\ndaemon:$6$s3cr3t-salt$hash:19700:0:99999:7:::\n"),
    binary: (dir) => writeInto(dir, "staging.tfplan", "PK\u0003\u0004tfplan-content"),
    noNames: (dir) =>
      writeInto(
        dir,
        "no-names.json",
        JSON.stringify({
          format_version: "1.2",
          resource_changes: [
            { address: "terraform_data.a", type: "terraform_data", name: "a", change: { actions: ["create"] } },
            { address: "terraform_data.b", change: { actions: "sensitive-value-here" } },
          ],
        }),
      ),
    other: (dir) => writeInto(dir, "other.json", JSON.stringify({ resource_changes: { a: 1 } })),
    folder: (dir) => dir,
  };
  const writeInto = (dir: string, name: string, content: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const given = async (name: string) => {
    const { file, run } = runs.get(name)!;
    return { file, run: await run };
  };

  beforeAll(() => {
    badDir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-bad-plan-"));
    for (const [name, make] of Object.entries(cases)) {
      const file = make(badDir);
      runs.set(name, { file, run: runCli(CLI, ["--plan", `staging=${file}`]) });
    }
  });

  afterAll(async () => {
    await Promise.all([...runs.values()].map(({ run }) => run));
    if (badDir) rmSync(badDir, { recursive: true, force: true });
  });

  it("GIVEN a file that is not JSON (a password file) WHEN given as a plan THEN it exits 2 saying so, and shows none of its content", async () => {
    const { file, run } = await given("shadow");
    expect(run.stderr).toBe(
      `infra-diff: --plan staging=${file}: not JSON; give the output of \`terraform show -json <planfile>\`\n`,
    );
    expect(run.output).not.toMatch(/root|daemon|s3cr3t|19700/);
    expect(run.status).toBe(2);
  });

  it("GIVEN a binary plan (what terraform plan -out writes) WHEN given THEN the message says to convert it", async () => {
    const { file, run } = await given("binary");
    expect(run.stderr).toBe(
      `infra-diff: --plan staging=${file}: not JSON but a binary plan; give the output of \`terraform show -json <planfile>\`\n`,
    );
    expect(run.status).toBe(2);
  });

  it("GIVEN a plan whose changes lack a name and a type, and have no list of actions WHEN given THEN it exits 2 naming each field and what it expects, without the values", async () => {
    const { file, run } = await given("noNames");
    expect(run.stderr).toBe(
      `infra-diff: --plan staging=${file}: not a Terraform plan (the output of \`terraform show -json <planfile>\`):\n` +
        "  resource_changes[1].type: expected a string, got nothing\n" +
        "  resource_changes[1].name: expected a string, got nothing\n" +
        "  resource_changes[1].change.actions: expected a list, got a string\n",
    );
    expect(run.output).not.toContain("sensitive-value-here");
    expect(run.status).toBe(2);
  });

  it("GIVEN JSON that is no plan (no format_version, changes not a list) WHEN given THEN it exits 2 naming the fields", async () => {
    const { file, run } = await given("other");
    expect(run.stderr).toBe(
      `infra-diff: --plan staging=${file}: not a Terraform plan (the output of \`terraform show -json <planfile>\`):\n` +
        "  format_version: expected a string, got nothing\n" +
        "  resource_changes: expected a list, got an object\n",
    );
    expect(run.status).toBe(2);
  });

  it("GIVEN a folder WHEN given as a plan THEN it exits 2 saying it cannot be read", async () => {
    const { file, run } = await given("folder");
    expect(run.stderr).toBe(
      `infra-diff: --plan staging=${file}: cannot be read (EISDIR); give the output of \`terraform show -json <planfile>\`\n`,
    );
    expect(run.status).toBe(2);
  });
});

describe("npm run infra:diff -- --plan, with an environment value that holds a line break and markup", () => {
  const FORGED =
    "LOG_FORMAT=json\n<!-- infra-diff part 1/1 -->\n# Approved by @octocat ![ok](http://evil.example/ok.png)";
  let hostileDir: string;
  let markdown: CliRun;

  beforeAll(async () => {
    hostileDir = mkdtempSync(path.join(os.tmpdir(), "infra-diff-plan-hostile-"));
    const write = (env: string[]) =>
      writeFileSync(
        path.join(hostileDir, "main.tf.json"),
        configuration({ app_orders_workload_container: { input: { env } } }),
      );
    write(["LOG_FORMAT=text"]);
    terraformIn(hostileDir, "init", "-input=false", "-no-color");
    terraformIn(hostileDir, "apply", "-auto-approve", "-input=false", "-no-color");
    write([FORGED]);
    terraformIn(hostileDir, "plan", "-input=false", "-no-color", "-out=staging.tfplan");
    writeFileSync(
      path.join(hostileDir, "staging-plan.json"),
      terraformIn(hostileDir, "show", "-json", "staging.tfplan"),
    );
    markdown = await runCli(CLI, ["--plan", `staging=${path.join(hostileDir, "staging-plan.json")}`]);
  });

  afterAll(() => {
    if (hostileDir) rmSync(hostileDir, { recursive: true, force: true });
  });

  it("GIVEN the value in a real plan WHEN rendered as Markdown THEN it is one code span with its line breaks shown, and forges no part marker, heading or mention", () => {
    expect(markdown.status).toBe(1);
    const lines = markdown.stdout.split("\n");
    expect(lines.filter((line) => line.includes("Approved by"))).toEqual([
      "  - `input.env`: (added) → `LOG_FORMAT=json\\n<!-- infra-diff part 1/1 -->\\n# Approved by @octocat ![ok](http://evil.example/ok.png)`",
    ]);
    expect([...markdown.stdout.matchAll(new RegExp(PART_MARKER.source, "gm"))]).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("# "))).toEqual([]);
  });
});
