import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESERVED_SERVICE_NAMES } from "../../infra/spec/index.js";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";
import { resourceOf, resourcesOfType, type StackJson } from "../support/platform.js";

const NEW_SERVICE = "tools/new-service.ts";

describe("npm run new:service refusals", () => {
  let repository: RepositoryCopy;
  beforeAll(() => {
    repository = copyRepository();
    // A folder under services/ that is not a service (no service.ts) is still taken.
    mkdirSync(path.join(repository.dir, "services/legacy"));
    writeFileSync(path.join(repository.dir, "services/legacy/NOTES.md"), "old notes\n");
  });
  afterAll(() => repository.remove());

  const cases: Array<[string, string[], string[]]> = [
    ["a name that is not a DNS-1035 label", ["Payments"], ['<name>: must be a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, ending with a letter or digit, at most 63 characters (got "Payments")']],
    ["a reserved name", ["monitoring"], [`<name>: is reserved for the platform; reserved names: ${[...RESERVED_SERVICE_NAMES].join(", ")} (got "monitoring")`]],
    ["a taken name", ["orders"], ['<name>: is already taken by services/orders/service.ts; service names must be unique (got "orders")']],
    ["a folder that exists without a spec", ["legacy"], ['<name>: services/legacy already exists; the scaffolder never overwrites anything: remove it or choose another name (got "legacy")']],
    ["an unknown template", ["payments", "--template", "grpc"], ['--template: is not a template; templates: http-service, worker (got "grpc")']],
    ["an unknown dependency", ["payments", "--depends-on", "orders,billing"], ['--depends-on: is not a service; known services: catalog, gateway, orders (got "billing")']],
    [
      "a privileged port",
      ["payments", "--port", "80"],
      ['--port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got "80")'],
    ],
    [
      "a public service on a port already published locally",
      ["payments", "--public", "--host", "pay.example.com"],
      ['--port: is already published on 127.0.0.1 by services/gateway/service.ts in the local environment, where a public service is published on its port; choose a free one, like 8081 (got "8080")'],
    ],
    [
      "a public host and path already served",
      ["payments", "--public", "--host", "shop.example.com", "--port", "8090"],
      ['--host: is already served by services/gateway/service.ts; give the service its own host or path (got "shop.example.com/")'],
    ],
    [
      "several bad answers at once",
      ["9lives", "--port", "http", "--owner", "Team A"],
      [
        '<name>: must be a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, ending with a letter or digit, at most 63 characters (got "9lives")',
        '--port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got "http")',
        "--owner: must be a team name: lower-case letters, digits and '-' (got \"Team A\")",
      ],
    ],
  ];

  // The refusals run side by side: none of them may write, so none can disturb another.
  it.concurrent.each(cases)("GIVEN %s WHEN new:service runs THEN it exits 2 naming the argument, and the tree is unchanged byte for byte", async (_title, args, problems) => {
    const before = repository.snapshot();
    const result = await repository.nodeAsync(NEW_SERVICE, args);
    expect(result.stderr).toBe(`new:service: refused (nothing was written):\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
    expect(result.status).toBe(2);
    expect(repository.snapshot()).toEqual(before);
  });

  it("GIVEN no name and no terminal WHEN new:service runs THEN it exits 2 with the usage, and the tree is unchanged", () => {
    const before = repository.snapshot();
    const result = repository.node(NEW_SERVICE, []);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^new:service: <name>: missing; give the new service's name, or run in a terminal to be asked \(nothing was written\)\n\nUsage: npm run new:service -- <name> \[options\]/);
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
    const before = repository.snapshot();
    const result = repository.node(NEW_SERVICE, ["payments", "--depends-on", "orders", "--dry-run"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^would create services\/payments\/ from the http-service template \(version [0-9a-f]{12}\):\n/);
    expect(result.stdout).toContain("  services/payments/service.ts\n");
    expect(result.stdout).toContain("  services/payments/Dockerfile\n");
    expect(result.stdout).toContain("  services/payments/.template.json\n");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("nothing was written (--dry-run)");
    expect(repository.snapshot()).toEqual(before);
  });

  it("GIVEN --help WHEN new:service runs THEN it prints the usage and exits 0", () => {
    const result = repository.node(NEW_SERVICE, ["--help"]);
    expect([result.status, result.stdout.split("\n")[0]]).toEqual([0, "Usage: npm run new:service -- <name> [options]"]);
  });
});

describe("a service from each template (payments: http-service, jobs: worker), then the synth", () => {
  let repository: RepositoryCopy;
  let created: { status: number | null; stdout: string; stderr: string };
  let createdWorker: { status: number | null; stdout: string; stderr: string };
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    repository = copyRepository();
    created = repository.node(NEW_SERVICE, ["payments", "--depends-on", "orders", "--owner", "team-payments", "--no-install"]);
    createdWorker = repository.node(NEW_SERVICE, ["jobs", "--template", "worker", "--depends-on", "orders", "--no-install"]);
    const synth = repository.node("infra/main.ts");
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    stacks = Object.fromEntries(
      ["local", "staging", "production"].map((env) => [env, JSON.parse(readFileSync(path.join(repository.dir, "cdktf.out/stacks", env, "cdk.tf.json"), "utf8")) as StackJson]),
    );
  });
  afterAll(() => repository.remove());

  it("THEN it exits 0, adds only the new service folders and says what to do next", () => {
    expect([created.status, createdWorker.status]).toEqual([0, 0]);
    expect(created.stdout).toMatch(/^created services\/payments\/ from the http-service template \(version [0-9a-f]{12}\)\n/);
    expect(created.stdout).toMatch(/^ {2}npm run synth +payments is in local, staging and production; orders now accepts its traffic$/m);
    expect(created.stdout).toMatch(/^ {2}npm install +register the workspace in package-lock.json/m);
    const changed = repository.run("git", ["status", "--porcelain", "--untracked-files=all"]).stdout.trim().split("\n");
    expect(changed.filter((line) => !/^\?\? services\/(payments|jobs)\//.test(line))).toEqual([]);
    expect(changed).toContain("?? services/payments/service.ts");
    expect(changed).toContain("?? services/jobs/src/jobs.ts");
  });

  it("THEN .template.json records the template, its version and the answers", () => {
    const record = JSON.parse(readFileSync(path.join(repository.dir, "services/payments/.template.json"), "utf8"));
    expect(record).toEqual({
      template: "http-service",
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
      answers: {
        name: "payments",
        template: "http-service",
        port: 8080,
        dependsOn: ["orders"],
        public: null,
        owner: "team-payments",
        description: "payments, made from the http-service template: say what it does in one sentence.",
      },
    });
  });

  it("THEN the synth puts payments in staging and production with its workload and scaling", () => {
    for (const environment of ["staging", "production"]) {
      const [container] = resourceOf(stacks[environment]!, "kubernetes_deployment_v1", "payments").spec.template.spec.container;
      expect(container.image).toBe("registry.example.com/platform/payments:0.1.0");
      expect(container.env).toContainEqual({ name: "ORDERS_URL", value: "http://orders:8080" });
      expect(resourceOf(stacks[environment]!, "kubernetes_horizontal_pod_autoscaler_v2", "payments").spec).toMatchObject({ min_replicas: 2, max_replicas: 4 });
    }
  });

  it("THEN the synth puts payments in the local environment: its image built from its Dockerfile, a hardened container on the edge network to orders", () => {
    const local = stacks.local!;
    const image = resourcesOfType(local, "docker_image").find((r) => r.values.name === "platform-local/payments:0.1.0")!.values;
    expect(image.build).toMatchObject({ context: "../../..", dockerfile: "services/payments/Dockerfile" });
    const container = resourcesOfType(local, "docker_container").find((r) => r.values.name === "platform-local-payments-1")!.values;
    expect(container).toMatchObject({ user: "10001:10001", read_only: true, capabilities: { drop: ["ALL"] } });
    expect(container.env).toContain("ORDERS_URL=http://orders:8080");
    const networks = container.networks_advanced.map((n: { name: string }) => n.name);
    expect(networks).toContain("platform-local-payments-to-orders");
    const orders = resourcesOfType(local, "docker_container").find((r) => r.values.name === "platform-local-orders-1")!.values;
    expect(orders.networks_advanced.map((n: { name: string }) => n.name)).toContain("platform-local-payments-to-orders");
  });

  it("THEN orders now accepts traffic from payments and jobs, and payments may call orders and nothing else", () => {
    const orders = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "orders").spec;
    const callers = orders.ingress.flatMap((rule: any) => rule.from.map((f: any) => f.pod_selector?.match_labels["app.kubernetes.io/name"]).filter(Boolean));
    expect(callers.sort()).toEqual(["gateway", "jobs", "payments"]);
    const payments = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "payments").spec;
    expect(payments.egress).toEqual([{ to: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders" } } }], ports: [{ port: "8080", protocol: "TCP" }] }]);
  });

  it("THEN the worker receives no traffic from services, only the metrics scrape, and scales on CPU", () => {
    const policy = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "jobs").spec;
    expect(policy.ingress).toEqual([{ from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: "8080", protocol: "TCP" }] }]);
    const autoscaler = resourceOf(stacks.production!, "kubernetes_horizontal_pod_autoscaler_v2", "jobs").spec;
    expect(autoscaler).toMatchObject({ min_replicas: 2, max_replicas: 6 });
    expect(autoscaler.metric.map((m: any) => m.resource.name)).toEqual(["cpu"]);
  });

  it("THEN both new services pass their own tests, and the worker type-checks", () => {
    // The example services are made from http-service, and npm test type-checks them; no
    // service of this repository is a worker, so its generated code is checked here.
    writeFileSync(path.join(repository.dir, "tsconfig.new.json"), JSON.stringify({ extends: "./tsconfig.json", include: ["services/jobs"] }));
    const typecheck = repository.run(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "tsconfig.new.json"]);
    expect(typecheck.stdout).toBe("");
    expect(typecheck.status).toBe(0);
    const result = repository.run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "services/payments", "services/jobs"]);
    expect(result.stdout + result.stderr).toMatch(/Test Files {2}7 passed \(7\)/);
    expect(result.status).toBe(0);
  });

  it("THEN npm run template:check finds both current", () => {
    const result = repository.node("tools/template-check.ts");
    expect(result.stdout).toMatch(/^payments +current \(http-service [0-9a-f]{12}\)$/m);
    expect(result.stdout).toMatch(/^jobs +current \(worker [0-9a-f]{12}\)$/m);
    expect(result.status).toBe(0);
  });
});
