import { describe, expect, it } from "vitest";
import { parseServiceDefinition } from "../../../infra/spec/model.js";
import {
  formatProblem,
  surveyLandscape,
  validateAnswers,
  type RawAnswers,
} from "../../../tools/scaffold/validate-answers.js";
import { parseTemplateManifest, resolveQuestions } from "../../../tools/scaffold/template-manifest.js";
import { exampleServices } from "../../support/platform.js";
import { REPOSITORY_ROOT } from "../../support/repository-copy.js";

// GIVEN the example catalogue (catalog, orders, public gateway on shop.example.com/ port 8082) and the templates
const landscape = surveyLandscape(REPOSITORY_ROOT, exampleServices(), ["http-service", "worker"]);
const problemsOf = (raw: RawAnswers) => validateAnswers(raw, landscape).problems.map(formatProblem);

describe("validateAnswers", () => {
  it("GIVEN only a name WHEN validated THEN the defaults fill the rest", () => {
    expect(validateAnswers({ name: "payments" }, landscape).answers).toEqual({
      name: "payments",
      template: "http-service",
      port: 8080,
      dependsOn: [],
      public: null,
      owner: "platform",
      description: "payments, made from the http-service template: say what it does in one sentence.",
      backingServices: [],
      own: {},
    });
  });

  it("GIVEN --database and --queue WHEN validated THEN the service owns those backing services, in the order of the questions", () => {
    expect(
      validateAnswers({ name: "payments", queue: true, database: true }, landscape).answers?.backingServices,
    ).toEqual(["database", "queue"]);
  });

  it("GIVEN dependencies typed with commas and spaces WHEN validated THEN they are split and kept in order, and a repeat is refused", () => {
    expect(validateAnswers({ name: "payments", dependsOn: ["orders, catalog"] }, landscape).answers?.dependsOn).toEqual(
      ["orders", "catalog"],
    );
    expect(problemsOf({ name: "payments", dependsOn: ["orders", "orders"] })).toEqual([
      '--depends-on: is listed twice (got "orders")',
    ]);
    expect(problemsOf({ name: "payments", dependsOn: ["payments"] })).toEqual([
      '--depends-on: is the new service itself; list the services it calls (got "payments")',
    ]);
  });

  it("GIVEN a host the platform's schema refuses WHEN validated THEN the schema's own words name --host", () => {
    expect(problemsOf({ name: "payments", public: true, host: "Pay_Example", port: "8090" })).toEqual([
      '--host: must be a lower-case DNS host name like shop.example.com (got "Pay_Example")',
    ]);
  });

  it("GIVEN --host or --path without --public WHEN validated THEN each is refused", () => {
    expect(problemsOf({ name: "payments", host: "pay.example.com", path: "/pay" })).toEqual([
      '--host: is only used with --public (got "pay.example.com")',
      '--path: is only used with --public (got "/pay")',
    ]);
  });

  it("GIVEN --public without --host WHEN validated THEN the host is asked for", () => {
    expect(problemsOf({ name: "payments", public: true, port: "8090" })).toEqual([
      "--host: is required with --public: the host name the service is published on, like pay.example.com (got nothing)",
    ]);
  });

  it.each([
    ["9090", "the local Prometheus"],
    ["3000", "the local Grafana the alerts link to"],
    ["16686", "the local Jaeger UI"],
  ])(
    "GIVEN a public service on the platform's port %s WHEN validated THEN the spec schema's own refusal names --port",
    (port, user) => {
      expect(problemsOf({ name: "payments", public: true, host: "pay.example.com", port })).toEqual([
        `--port: is published on 127.0.0.1 in the local environment (no expose.public.localPort is set) and is used by the platform there (${user}); platform ports: 3000 (the local Grafana the alerts link to), 9090 (the local Prometheus), 16686 (the local Jaeger UI); choose another port or set expose.public.localPort (got "${port}")`,
      ]);
    },
  );

  it.each(["/../admin", "//", "/pay/"])(
    "GIVEN the public path %s WHEN validated THEN the spec schema's refusal names --path",
    (path) => {
      expect(problemsOf({ name: "payments", public: true, host: "pay.example.com", path, port: "8090" })).toEqual([
        `--path: must be a normalized path like / or /shop/api: no empty, '.' or '..' segment and no trailing '/' (the Ingress matches prefixes segment by segment, so /shop/ is /shop) (got "${path}")`,
      ]);
    },
  );

  it("GIVEN the same host on another path WHEN validated THEN it is accepted", () => {
    expect(
      validateAnswers(
        { name: "payments", public: true, host: "shop.example.com", path: "/pay", port: "8090" },
        landscape,
      ).answers?.public,
    ).toEqual({ host: "shop.example.com", path: "/pay" });
  });

  it("GIVEN --port 80 WHEN validated THEN it is refused by the spec's own rule, in the spec's words", () => {
    // WHEN a service file declares the same port
    const spec = (() => {
      try {
        parseServiceDefinition({ name: "payments", build: {}, port: 80 });
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("expected the spec schema to refuse port 80");
    })();
    const rule = /^service spec: port: (.*) \(got 80\)$/.exec(spec)?.[1];
    expect(rule).toContain("1024");
    // THEN the scaffolder refuses it with the same rule
    expect(problemsOf({ name: "payments", port: "80" })).toEqual([`--port: ${rule} (got "80")`]);
  });

  it("GIVEN several bad answers WHEN validated THEN every one is named, in the order of the arguments", () => {
    expect(problemsOf({ name: "9lives", port: "http", owner: "Team A" })).toEqual([
      "<name>: must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters (got \"9lives\")",
      '--port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got "http")',
      "--owner: must be a team name: lower-case letters, digits and '-' (got \"Team A\")",
    ]);
  });

  it("GIVEN the worker template WHEN validated as public or without its queue THEN both are refused in the words of its template.json", () => {
    expect(
      problemsOf({ name: "jobs", template: "worker", public: true, host: "jobs.example.com", queue: false }),
    ).toEqual([
      "--public: must be false (a worker takes no traffic but health checks and metrics; use --template http-service) (got true)",
      '--queue: must be true (a worker takes its jobs from a queue of its own, "queue" with the queue "jobs"; other services publish to it with uses: ["<worker>.queue"]) (got false)',
    ]);
  });

  it("GIVEN the worker template WHEN validated with a name alone THEN it owns its job queue and needs no dependency", () => {
    const checked = validateAnswers({ name: "jobs", template: "worker" }, landscape);
    expect(checked.problems).toEqual([]);
    expect(checked.answers).toMatchObject({ dependsOn: [], backingServices: ["queue"] });
  });

  // A template of a team's (not in this repository) whose worker polls one of its dependencies.
  const poller = (() => {
    const where = "templates/poller/template.json";
    const manifest = parseTemplateManifest(
      JSON.stringify({
        description: "polls a dependency for jobs",
        managed: [],
        questions: [
          {
            name: "dependsOn",
            min: 1,
            why: "it takes its jobs from one of them: --job-source, the first one by default",
          },
          {
            name: "jobSource",
            type: "string",
            help: "the service it takes jobs from: one of --depends-on",
            default: { answer: "dependsOn" },
            check: "dependencies",
          },
        ],
      }),
      where,
    );
    const { questions } = resolveQuestions([{ where, manifest }]);
    return { ...landscape, templates: ["poller"], questionsOf: () => questions };
  })();
  const pollerProblems = (raw: RawAnswers) =>
    validateAnswers({ template: "poller", ...raw }, poller).problems.map(formatProblem);

  it("GIVEN a template whose question defaults to another answer WHEN it is not given THEN it takes the first dependency, recorded as its own answer", () => {
    expect(pollerProblems({ name: "jobs" })).toEqual([
      '--depends-on: must name at least 1 service (it takes its jobs from one of them: --job-source, the first one by default) (got "")',
    ]);
    const checked = validateAnswers({ name: "jobs", template: "poller", dependsOn: ["orders,catalog"] }, poller);
    expect(checked.answers?.own).toEqual({ jobSource: "orders" });
    expect(
      validateAnswers({ name: "jobs", template: "poller", dependsOn: ["orders,catalog"], jobSource: "catalog" }, poller)
        .answers?.own,
    ).toEqual({ jobSource: "catalog" });
  });

  it("GIVEN a template's question with the check 'dependencies' WHEN it names a service not depended on THEN it is refused", () => {
    expect(pollerProblems({ name: "jobs", dependsOn: ["orders"], jobSource: "catalog" })).toEqual([
      '--job-source: must be one of the services given to --depends-on (orders) (got "catalog")',
    ]);
  });

  it("GIVEN the http-service template WHEN another template's question is answered THEN it is no answer of this template", () => {
    expect(validateAnswers({ name: "payments", jobSource: "orders" }, landscape).answers?.own).toEqual({});
  });

  it("GIVEN a template that adds a pattern to the platform's owner question WHEN an owner matches it THEN the platform's own schema still refuses what it refuses", () => {
    const where = "templates/t/template.json";
    const manifest = parseTemplateManifest(
      JSON.stringify({ description: "t", managed: [], questions: [{ name: "owner", pattern: "team-.*" }] }),
      where,
    );
    const { questions } = resolveQuestions([{ where, manifest }]);
    const withPattern = { ...landscape, templates: ["t"], questionsOf: () => questions };
    const problems = (owner: string) =>
      validateAnswers({ name: "payments", template: "t", owner }, withPattern).problems.map(formatProblem);
    expect(problems("platform")).toEqual(['--owner: must match /team-.*/ (got "platform")']);
    expect(problems("team-A")).toEqual([
      "--owner: must be a team name: lower-case letters, digits and '-' (got \"team-A\")",
    ]);
    expect(problems("team-a")).toEqual([]);
  });
});
