import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESERVED_SERVICE_NAMES } from "../../infra/spec/model.js";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";

const NEW_SERVICE = "tools/new-service.ts";

// One copy for the whole file: only the last test edits it (the template), and nothing runs after it.
let repository: RepositoryCopy;
beforeAll(() => {
  repository = copyRepository();
});
afterAll(() => repository.remove());

describe("npm run new:service refusals", () => {
  // The --dry-run case runs first, alone: tsx keeps its compiled files by path, and this run
  // compiles the CLI, infra/ and the services' specs of this copy once, for all the
  // refusals that then run side by side (each compiled them again when they all started cold).
  let dryRun: { before: ReturnType<RepositoryCopy["snapshot"]>; result: ReturnType<RepositoryCopy["node"]> };
  beforeAll(() => {
    // A folder under services/ that is not a service (no service.ts) is still taken.
    mkdirSync(path.join(repository.dir, "services/legacy"));
    writeFileSync(path.join(repository.dir, "services/legacy/NOTES.md"), "old notes\n");
    const before = repository.snapshot();
    dryRun = { before, result: repository.node(NEW_SERVICE, ["payments", "--depends-on", "orders", "--dry-run"]) };
  });

  const cases: Array<[string, string[], string[]]> = [
    [
      "a name that is not a DNS-1035 label",
      ["Payments"],
      [
        "<name>: must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters (got \"Payments\")",
      ],
    ],
    [
      "a reserved name",
      ["monitoring"],
      [
        `<name>: is reserved for the platform; reserved names: ${[...RESERVED_SERVICE_NAMES].join(", ")} (got "monitoring")`,
      ],
    ],
    [
      "a taken name",
      ["orders"],
      ['<name>: is already taken by services/orders/service.ts; service names must be unique (got "orders")'],
    ],
    [
      "a folder that exists without a spec",
      ["legacy"],
      [
        '<name>: services/legacy already exists; the scaffolder never overwrites anything: remove it or choose another name (got "legacy")',
      ],
    ],
    [
      "an unknown template",
      ["payments", "--template", "grpc"],
      ['--template: is not a template; templates: http-service, worker (got "grpc")'],
    ],
    [
      "an unknown dependency",
      ["payments", "--depends-on", "orders,billing"],
      ['--depends-on: is not a service; known services: catalog, fulfilment, gateway, orders (got "billing")'],
    ],
    [
      "a privileged port",
      ["payments", "--port", "80"],
      [
        '--port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got "80")',
      ],
    ],
    [
      "a public service on a port already published locally",
      ["payments", "--public", "--host", "pay.example.com"],
      [
        '--port: is already published on 127.0.0.1 by services/gateway/service.ts in the local environment, where a public service is published on its port; choose a free one, like 8081 (got "8080")',
      ],
    ],
    [
      "a public host and path already served",
      ["payments", "--public", "--host", "shop.example.com", "--port", "8090"],
      [
        '--host: is already served by services/gateway/service.ts; give the service its own host or path (got "shop.example.com/")',
      ],
    ],
  ];

  // The refusals run side by side: none of them may write, so none can disturb another.
  it.concurrent.each(cases)(
    "GIVEN %s WHEN new:service runs THEN it exits 2 naming the argument, and the tree is unchanged byte for byte",
    async (_title, args, problems) => {
      const before = repository.snapshot();
      const result = await repository.nodeAsync(NEW_SERVICE, args);
      expect(result.stderr).toBe(
        `new:service: refused (nothing was written):\n${problems.map((p) => `  ${p}`).join("\n")}\n`,
      );
      expect(result.status).toBe(2);
      expect(repository.snapshot()).toEqual(before);
    },
  );

  it("GIVEN no name and no terminal WHEN new:service runs THEN it exits 2 with the usage, and the tree is unchanged", () => {
    const before = repository.snapshot();
    const result = repository.node(NEW_SERVICE, []);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^new:service: <name>: missing; give the new service's name, or run in a terminal to be asked \(nothing was written\)\n\nUsage: npm run new:service -- <name> \[options\]/,
    );
    expect(repository.snapshot()).toEqual(before);
  });

  it("GIVEN an unknown option WHEN new:service runs THEN it exits 2 naming it, and the tree is unchanged", () => {
    const before = repository.snapshot();
    const result = repository.node(NEW_SERVICE, ["payments", "--colour", "blue"]);
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")[0]).toMatch(/^new:service: Unknown option '--colour'\./);
    expect(repository.snapshot()).toEqual(before);
  });

  it("GIVEN --dry-run WHEN new:service runs THEN it lists the files it would write and writes nothing", () => {
    const { before, result } = dryRun;
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^would create services\/payments\/ from the http-service template \(version [0-9a-f]{12}\):\n/,
    );
    expect(result.stdout).toContain("  services/payments/service.ts\n");
    expect(result.stdout).toContain("  services/payments/Dockerfile\n");
    expect(result.stdout).toContain("  services/payments/.template.json\n");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("nothing was written (--dry-run)");
    expect(repository.snapshot()).toEqual(before);
  });

  it("GIVEN --help WHEN new:service runs THEN it prints the usage and exits 0", () => {
    const result = repository.node(NEW_SERVICE, ["--help"]);
    expect([result.status, result.stdout.split("\n")[0]]).toEqual([
      0,
      "Usage: npm run new:service -- <name> [options]",
    ]);
    expect(result.stdout).toContain("Questions of the worker template (templates/worker/template.json):\n");
  });

  it("GIVEN --help and a template WHEN new:service runs THEN it lists that template's questions, as its template.json declares them, and no other template's", () => {
    const result = repository.node(NEW_SERVICE, ["--help", "--template", "worker"]);
    expect(result.status).toBe(0);
    const questions = result.stdout.slice(
      result.stdout.indexOf("Questions of the worker template (templates/worker/template.json):\n"),
    );
    // Its template.json narrows the platform's --public and --queue to one choice each, and asks nothing else.
    expect(questions.split("\n\n")[0]!.split("\n")).toEqual([
      "Questions of the worker template (templates/worker/template.json):",
      "  --public              publish it through the ingress (and on 127.0.0.1 locally) (only false)",
      '  --queue               a message queue of its own, "queue" (RabbitMQ), with the queue "jobs" (only true)',
    ]);
    expect(result.stdout).not.toContain("--job-source");
    expect(result.stdout).not.toContain("Questions of the http-service template");
  });
});

describe("npm run new:service with a template that makes a spec the platform refuses", () => {
  it("GIVEN a template bug (scaling.min above max) WHEN a service is made THEN the platform's own check refuses it, exit 2, and the tree is unchanged", () => {
    const spec = path.join(repository.dir, "templates/http-service/service.ts");
    writeFileSync(
      spec,
      readFileSync(spec, "utf8")
        .replace(
          "scaling: { min: 2, max: 4, cpuPercent: 70 }",
          "scaling: { min: 2, max: 4, cpuPercent: 70 }, environments: { staging: { scaling: { min: 9 } } }",
        )
        .replace(/\n {2}environments: \{ local[^\n]*\n/, "\n"),
    );
    const before = repository.snapshot();
    const result = repository.node(NEW_SERVICE, ["payments"]);
    expect(result.stderr).toBe(
      "new:service: refused by the platform's checks (nothing was written):\n  services/payments/service.ts: environments.staging.scaling.min: must be at most scaling.max (4) in staging (got 9)\n",
    );
    expect(result.status).toBe(2);
    expect(repository.snapshot()).toEqual(before);
  });
});

describe("npm run new:service with a team template whose answers land in files as text", () => {
  // GIVEN a template whose answers are text placeholders: a tag in a file's content, a folder in a file's name
  beforeAll(() => {
    const dir = path.join(repository.dir, "templates/tagged");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "template.json"),
      JSON.stringify({
        description: "A service with a tag.",
        base: "_base",
        managed: [],
        questions: [
          { name: "tag", type: "string", help: "a tag", default: "x", pattern: "[a-z]+" },
          { name: "area", type: "string", help: "a folder for its notes", default: "docs", pattern: "[a-z./]+" },
        ],
        placeholders: { tag: { answer: "tag", as: "text" }, area: { answer: "area", as: "text" } },
      }),
    );
    writeFileSync(
      path.join(dir, "service.ts"),
      readFileSync(path.join(repository.dir, "templates/http-service/service.ts"), "utf8"),
    );
    mkdirSync(path.join(dir, "{{area}}"));
    writeFileSync(path.join(dir, "{{area}}/notes.md"), 'export const TAG = "{{tag}}";\n');
  });

  it("GIVEN a pattern [a-z]+ WHEN the answer only contains a match THEN the whole answer must match: it is refused, exit 2, and the tree is unchanged", () => {
    const before = repository.snapshot();
    const tag = 'a"; require("child_process").execSync("id"); "';
    const result = repository.node(NEW_SERVICE, ["payments", "--template", "tagged", "--tag", tag]);
    expect(result.stderr).toBe(
      `new:service: refused (nothing was written):\n  --tag: must match /[a-z]+/ (got ${JSON.stringify(tag)})\n`,
    );
    expect(result.status).toBe(2);
    expect(repository.snapshot()).toEqual(before);
  });

  it("GIVEN a text placeholder in a file's name WHEN the answer is ../.. THEN the file that would leave the service folder is refused, exit 1, and the tree is unchanged", () => {
    const before = repository.snapshot();
    const result = repository.node(NEW_SERVICE, ["payments", "--template", "tagged", "--area", "../.."]);
    expect(result.stderr).toBe(
      'new:service: the template is broken (nothing was written): templates/tagged: {{area}}/notes.md: renders to "../../notes.md", which is not inside the service folder; a file\'s path must stay below it (check the placeholders in its name)\n',
    );
    expect(result.status).toBe(1);
    expect(repository.snapshot()).toEqual(before);
  });
});
