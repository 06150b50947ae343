import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTemplate } from "../../tools/scaffold/service-template.js";
import { resourceOf, type StackJson } from "../support/platform.js";
import { copyRepository, type CommandResult, type RepositoryCopy } from "../support/repository-copy.js";

const NEW_SERVICE = "tools/new-service.ts";
const TEMPLATE_CHECK = "tools/template-check.ts";

/** A team's own template, as the README shows it: a job on a schedule, its schedule a question with a pattern. */
const CRON_JOB: Record<string, string> = {
  "template.json": `${JSON.stringify(
    {
      description: "A job that runs on a schedule.",
      base: "_base",
      managed: [],
      highlights: { "service.ts": "its spec and its schedule", "src/application.ts": "what the job does" },
      questions: [
        {
          name: "schedule",
          type: "string",
          help: "when it runs, as a cron expression",
          default: "0 3 * * *",
          pattern: "^(\\S+ ){4}\\S+$",
          why: "five fields: minute hour day-of-month month day-of-week, like 0 3 * * *",
        },
      ],
      placeholders: { schedule: { answer: "schedule", as: "literal" } },
    },
    null,
    2,
  )}\n`,
  "service.ts": `import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "{{name}}",
  description: {{description}},
  build: {},
  port: {{port}},
  dependsOn: {{dependsOn}},
  env: { SCHEDULE: {{schedule}} },
  resources: { cpu: "100m", memory: "128Mi" },
  scaling: { min: 2, max: 2 },
  monitoring: { owner: "{{owner}}" },
  environments: { local: { scaling: { min: 1, max: 1 } } },
});
`,
  "src/application.ts": `import { type Application, manifestOf } from "@platform/service-runtime";
import spec from "../service.js";

/** The job: the platform runs it with SCHEDULE set to the schedule its service.ts declares. */
export function createApplication(): Application {
  return {
    manifest: manifestOf(spec),
    routes(router) {
      router.get("/schedule", () => ({ body: { schedule: process.env.SCHEDULE ?? null } }));
    },
  };
}
`,
};

describe("a team's own template (cron-job) in templates/, with no change to tools/", () => {
  let repository: RepositoryCopy;
  let templateCommit: string;
  let created: CommandResult;
  let refused: CommandResult;
  let help: CommandResult;
  let checked: CommandResult;
  const git = (...args: string[]) =>
    repository.run("git", ["-c", "user.name=team", "-c", "user.email=team@example.com", ...args]);
  beforeAll(async () => {
    // GIVEN the team adds templates/cron-job/ and commits it
    repository = copyRepository();
    for (const [file, content] of Object.entries(CRON_JOB)) {
      mkdirSync(path.dirname(path.join(repository.dir, "templates/cron-job", file)), { recursive: true });
      writeFileSync(path.join(repository.dir, "templates/cron-job", file), content);
    }
    git("add", "templates/cron-job");
    git("commit", "--quiet", "-m", "cron-job template");
    templateCommit = git("rev-parse", "HEAD").stdout.trim();
    // WHEN a user runs new:service with it, as the README says
    [refused, help] = await Promise.all([
      repository.nodeAsync(NEW_SERVICE, ["nightly", "--template", "cron-job", "--schedule", "every night"]),
      repository.nodeAsync(NEW_SERVICE, ["--help", "--template", "cron-job"]),
    ]);
    created = repository.node(NEW_SERVICE, [
      "nightly",
      "--template",
      "cron-job",
      "--schedule",
      "*/15 * * * *",
      "--depends-on",
      "orders",
      "--no-install",
    ]);
    checked = repository.node(TEMPLATE_CHECK);
  });
  afterAll(() => repository.remove());

  it("THEN --help lists the template's question as an option, with its default and pattern", () => {
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(
      "Questions of the cron-job template (templates/cron-job/template.json):\n  --schedule <text>",
    );
    expect(help.stdout).toMatch(
      /--schedule <text> +when it runs, as a cron expression \(matching \/\^\(\\S\+ \)\{4\}\\S\+\$\/; default 0 3 \* \* \*\)/,
    );
  });

  it("THEN a schedule that breaks the template's pattern is refused in the template's words, and nothing is written", () => {
    expect(refused.stderr).toBe(
      "new:service: refused (nothing was written):\n" +
        '  --schedule: must match /^(\\S+ ){4}\\S+$/ (five fields: minute hour day-of-month month day-of-week, like 0 3 * * *) (got "every night")\n',
    );
    expect(refused.status).toBe(2);
  });

  it("THEN the service is made from the template, lists its highlights, and records the answer and the template's commit", () => {
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(
      /^created services\/nightly\/ from the cron-job template \(version [0-9a-f]{12}\)\n/,
    );
    expect(created.stdout).toMatch(/^ {2}services\/nightly\/service.ts +its spec and its schedule$/m);
    expect(readFileSync(path.join(repository.dir, "services/nightly/service.ts"), "utf8")).toContain(
      '  env: { SCHEDULE: "*/15 * * * *" },\n',
    );
    const record = JSON.parse(readFileSync(path.join(repository.dir, "services/nightly/.template.json"), "utf8"));
    expect(record).toMatchObject({
      template: "cron-job",
      commit: templateCommit,
      answers: { name: "nightly", dependsOn: ["orders"], schedule: "*/15 * * * *" },
    });
    expect(repository.run("git", ["status", "--porcelain", "--", "tools"]).stdout).toBe("");
  });

  it("THEN the new service passes the formatter and linter of the repository as it is", () => {
    const biome = repository.run(process.execPath, [
      "node_modules/@biomejs/biome/bin/biome",
      "check",
      "--error-on-warnings",
      "services/nightly",
    ]);
    expect(biome.stdout + biome.stderr).toMatch(/Checked \d+ files/);
    expect(biome.status, biome.stdout + biome.stderr).toBe(0);
  });

  it("THEN template:check finds it current", () => {
    expect(checked.stdout).toMatch(/^nightly +current \(cron-job [0-9a-f]{12}\)$/m);
    expect(checked.status).toBe(0);
  });

  it("THEN the synth puts the schedule in its Deployment", () => {
    const synth = repository.node("tools/run-app.mjs");
    expect(synth.status, synth.stderr).toBe(0);
    const stack = JSON.parse(
      readFileSync(path.join(repository.dir, "cdktf.out/stacks/staging/cdk.tf.json"), "utf8"),
    ) as StackJson;
    const [container] = resourceOf(stack, "kubernetes_deployment_v1", "nightly").spec.template.spec.container;
    expect(container.env).toContainEqual({ name: "SCHEDULE", value: "*/15 * * * *" });
  });

  it("GIVEN the template changes later WHEN the recorded commit is taken out of git THEN it is the version the service was made from", () => {
    const record = JSON.parse(readFileSync(path.join(repository.dir, "services/nightly/.template.json"), "utf8"));
    writeFileSync(
      path.join(repository.dir, "templates/cron-job/src/application.ts"),
      `${CRON_JOB["src/application.ts"]}\n/** Changed later. */\nexport const CHANGED = true;\n`,
    );
    git("commit", "--quiet", "-am", "cron-job: a later change");
    expect(loadTemplate(repository.dir, "cron-job").version).not.toBe(record.version);
    const old = mkdtempSync(path.join(os.tmpdir(), "cron-job-at-commit-"));
    try {
      const archive = spawnSync("git", ["archive", record.commit, "templates"], {
        cwd: repository.dir,
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(archive.status).toBe(0);
      expect(spawnSync("tar", ["-x", "-C", old], { input: archive.stdout }).status).toBe(0);
      expect(loadTemplate(old, "cron-job").version).toBe(record.version);
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
});
