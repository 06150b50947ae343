import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { templateValues } from "../../../tools/scaffold/answers.js";
import type { BackingServiceChoice } from "../../../tools/scaffold/platform-questions.js";
import { isManaged, listTemplates, loadTemplate, renderTemplate } from "../../../tools/scaffold/service-template.js";
import { REPOSITORY_ROOT } from "../../support/repository-copy.js";

const answers = {
  name: "payments",
  template: "http-service",
  port: 8081,
  dependsOn: ["catalog", "orders"],
  public: { host: "pay.example.com", path: "/" },
  owner: "team-pay",
  description: 'Takes "payments".',
  backingServices: [] as BackingServiceChoice[],
  own: {},
};

describe("service templates", () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** A repository with one template `t` on a base `_b`. */
  function repositoryWith(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(os.tmpdir(), "templates-"));
    roots.push(root);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, "templates", file)), { recursive: true });
      writeFileSync(path.join(root, "templates", file), content);
    }
    return root;
  }

  it("GIVEN the repository WHEN templates are listed THEN the base layer is not one of them", () => {
    expect(listTemplates(REPOSITORY_ROOT)).toEqual(["http-service", "worker"]);
  });

  it("GIVEN the http-service template WHEN rendered THEN every placeholder is filled and strings are quoted as code", () => {
    const files = renderTemplate(loadTemplate(REPOSITORY_ROOT, "http-service"), templateValues(answers));
    for (const [file, content] of files) expect(`${file}: ${content}`).not.toMatch(/\{\{/);
    const spec = files.get("service.ts")!;
    expect(spec).toContain('  name: "payments",\n');
    expect(spec).toContain('  description: "Takes \\"payments\\".",\n');
    expect(spec).toContain('  expose: { public: { host: "pay.example.com", path: "/" } },\n');
    expect(spec).toContain('  dependsOn: ["catalog", "orders"],\n');
    expect(spec).toContain("  backingServices: {},\n");
    expect(files.get("Dockerfile")!.split("\n")[0]).toBe("ARG BASE_IMAGE=node:20.19.5-bookworm-slim");
    expect(files.get("Dockerfile")).toContain(
      "RUN npm ci --workspace=@platform/payments --ignore-scripts --no-audit --no-fund",
    );
    expect(files.has("template.json")).toBe(false);
  });

  it("GIVEN the http-service template WHEN rendered THEN it starts with a contract of its own, which its application implements", () => {
    const files = renderTemplate(loadTemplate(REPOSITORY_ROOT, "http-service"), templateValues(answers));
    expect(files.get("src/api.ts")).toContain('  service: "payments",\n');
    expect(files.get("src/api.ts")).toContain('      path: "/hello",\n');
    const application = files.get("src/application.ts")!;
    expect(application).toContain('import api from "./api.js";\n');
    expect(application).toContain("    contract: api,\n");
    expect(application).toContain("      router.implement(api, {\n");
  });

  it("GIVEN a database, a cache and a queue WHEN the http-service template is rendered THEN service.ts declares each under the name its variables take", () => {
    const files = renderTemplate(
      loadTemplate(REPOSITORY_ROOT, "http-service"),
      templateValues({ ...answers, backingServices: ["database", "cache", "queue"] }),
    );
    expect(files.get("service.ts")).toContain(
      '  backingServices: { db: { type: "postgres" }, cache: { type: "redis" }, queue: { type: "queue", queues: ["jobs"] } },\n',
    );
  });

  it("GIVEN the templates WHEN rendered THEN a service gets its own files only: the runtime comes from the @platform/service-runtime package", () => {
    const http = renderTemplate(loadTemplate(REPOSITORY_ROOT, "http-service"), templateValues(answers));
    expect([...http.keys()].sort()).toEqual([
      "Dockerfile",
      "package.json",
      "service.ts",
      "src/api.ts",
      "src/application.ts",
      "src/main.ts",
      "test/application.test.ts",
      "test/service.test.ts",
    ]);
    const workerTemplate = loadTemplate(REPOSITORY_ROOT, "worker");
    const worker = renderTemplate(
      workerTemplate,
      templateValues({ ...answers, template: "worker", backingServices: ["queue"] }, workerTemplate.placeholders),
    );
    expect([...worker.keys()].sort()).toEqual([
      "Dockerfile",
      "package.json",
      "service.ts",
      "src/application.ts",
      "src/jobs.ts",
      "src/main.ts",
      "test/application.test.ts",
      "test/service.test.ts",
    ]);
    expect(JSON.parse(http.get("package.json")!)).toMatchObject({
      scripts: { build: "bundle-service" },
      dependencies: { "@platform/service-runtime": "*" },
    });
    expect(http.get("Dockerfile")).toContain("COPY templates/runtime/src/ templates/runtime/src/\n");
    expect(loadTemplate(REPOSITORY_ROOT, "http-service").managed).toEqual([
      "Dockerfile",
      "src/main.ts",
      "test/service.test.ts",
    ]);
  });

  it("GIVEN a template on a base WHEN loaded THEN its files replace the base's, managed lists merge, and the version follows the content", () => {
    const root = repositoryWith({
      "_b/template.json": JSON.stringify({ description: "base", managed: ["Dockerfile", "src/platform/"] }),
      "_b/Dockerfile": "FROM base\n",
      "_b/README.md": "base readme\n",
      "t/template.json": JSON.stringify({ description: "t", base: "_b", managed: ["extra.ts"] }),
      "t/README.md": "# {{name}}\n",
    });
    const template = loadTemplate(root, "t");
    expect([...template.files.keys()]).toEqual(["Dockerfile", "README.md"]);
    expect(template.files.get("README.md")).toBe("# {{name}}\n");
    expect(template.managed).toEqual(["Dockerfile", "extra.ts", "src/platform/"]);
    expect([isManaged(template, "src/platform/run.ts"), isManaged(template, "src/application.ts")]).toEqual([
      true,
      false,
    ]);
    writeFileSync(path.join(root, "templates/_b/Dockerfile"), "FROM base:2\n");
    expect(loadTemplate(root, "t").version).not.toBe(template.version);
  });

  it("GIVEN a template and its base that both highlight a file WHEN loaded THEN the template's own line wins and comes first", () => {
    const root = repositoryWith({
      "_b/template.json": JSON.stringify({
        description: "base",
        managed: [],
        highlights: { "test/": "base tests", "service.ts": "the base's words" },
      }),
      "t/template.json": JSON.stringify({
        description: "t",
        base: "_b",
        managed: [],
        highlights: { "service.ts": "the template's words" },
      }),
    });
    expect([...loadTemplate(root, "t").highlights]).toEqual([
      ["service.ts", "the template's words"],
      ["test/", "base tests"],
    ]);
  });

  it.each(["../..", "/etc", "..", "a/../../b"])(
    "GIVEN a placeholder in a file's name WHEN it renders to %s THEN rendering refuses the file that leaves the service folder",
    (area) => {
      const root = repositoryWith({
        "t/template.json": JSON.stringify({ description: "t", managed: [] }),
        "t/{{area}}/notes.md": "notes\n",
      });
      expect(() => renderTemplate(loadTemplate(root, "t"), { area })).toThrow(
        `templates/t: {{area}}/notes.md: renders to ${JSON.stringify(`${area}/notes.md`)}, which is not inside the service folder`,
      );
    },
  );

  it("GIVEN a placeholder with no value WHEN rendered THEN the file and the known placeholders are named", () => {
    const root = repositoryWith({
      "t/template.json": JSON.stringify({ description: "t", managed: [] }),
      "t/x.ts": "const a = {{nmae}};\n",
    });
    expect(() => renderTemplate(loadTemplate(root, "t"), { name: "a", port: "1" })).toThrow(
      "templates/t: x.ts: unknown placeholder {{nmae}}; known: {{name}}, {{port}}",
    );
  });

  it("GIVEN a template.json without a managed list WHEN loaded THEN the file and field are named", () => {
    const root = repositoryWith({ "t/template.json": JSON.stringify({ description: "t" }) });
    expect(() => loadTemplate(root, "t")).toThrow(
      "templates/t/template.json: managed: must be a list of paths (folders end in '/')",
    );
  });
});
