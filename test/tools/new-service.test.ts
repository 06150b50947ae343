import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";
import { resourceOf, resourcesOfType, type StackJson } from "../support/platform.js";

const NEW_SERVICE = "tools/new-service.ts";

/** The spec of the network policy called `name` (a service's own, not one of its backing services'). */
function policyNamed(stack: StackJson, name: string) {
  const policies = resourcesOfType(stack, "kubernetes_network_policy_v1").filter(
    (r) => r.values.metadata.name === name,
  );
  if (policies.length !== 1)
    throw new Error(`expected one kubernetes_network_policy_v1 named ${name}, found ${policies.length}`);
  return policies[0]!.values.spec;
}

describe("a service from each template (payments: http-service with a database, jobs: worker; notify: http-service calling payments and the worker fulfilment), then the synth", () => {
  let repository: RepositoryCopy;
  let created: { status: number | null; stdout: string; stderr: string };
  let createdWorker: { status: number | null; stdout: string; stderr: string };
  let createdCaller: { status: number | null; stdout: string; stderr: string };
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    repository = copyRepository();
    created = repository.node(NEW_SERVICE, [
      "payments",
      "--depends-on",
      "orders",
      "--owner",
      "team-payments",
      "--database",
      "--no-install",
    ]);
    createdWorker = repository.node(NEW_SERVICE, [
      "jobs",
      "--template",
      "worker",
      "--depends-on",
      "orders",
      "--no-install",
    ]);
    // payments was just made from the template, so it has a contract; fulfilment is a worker, with none.
    createdCaller = repository.node(NEW_SERVICE, ["notify", "--depends-on", "payments,fulfilment", "--no-install"]);
    const synth = repository.node("tools/run-app.mjs");
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    stacks = Object.fromEntries(
      ["local", "staging", "production"].map((env) => [
        env,
        JSON.parse(
          readFileSync(path.join(repository.dir, "cdktf.out/stacks", env, "cdk.tf.json"), "utf8"),
        ) as StackJson,
      ]),
    );
    // Three scaffolds and a synth of the copy: about 20 s on a quiet machine, over 60 s
    // (the default hook budget) at a load average of 14 on 2 cores.
  }, 240_000);
  afterAll(() => repository.remove());

  it("THEN it exits 0, adds only the new service folders and says what to do next", () => {
    expect([created.status, createdWorker.status, createdCaller.status]).toEqual([0, 0, 0]);
    expect(created.stdout).toMatch(
      /^created services\/payments\/ from the http-service template \(version [0-9a-f]{12}\)\n/,
    );
    expect(created.stdout).toMatch(
      /^ {2}npm run synth +payments is in local, staging and production; orders now accepts its traffic$/m,
    );
    expect(created.stdout).toMatch(/^ {2}npm install +register the workspace in package-lock.json/m);
    const changed = repository.run("git", ["status", "--porcelain", "--untracked-files=all"]).stdout.trim().split("\n");
    expect(changed.filter((line) => !/^\?\? services\/(payments|jobs|notify)\//.test(line))).toEqual([]);
    expect(changed).toContain("?? services/payments/service.ts");
    expect(changed).toContain("?? services/jobs/src/jobs.ts");
  });

  it("THEN .template.json records the template, its version, the commit that holds that version and the answers", () => {
    const record = JSON.parse(readFileSync(path.join(repository.dir, "services/payments/.template.json"), "utf8"));
    // The copy's one commit holds templates/ as the scaffolder read them.
    const head = repository.run("git", ["rev-parse", "HEAD"]).stdout.trim();
    expect(record).toEqual({
      template: "http-service",
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
      commit: head,
      answers: {
        name: "payments",
        template: "http-service",
        port: 8080,
        dependsOn: ["orders"],
        public: null,
        owner: "team-payments",
        description: "payments, made from the http-service template: say what it does in one sentence.",
        database: true,
      },
    });
    const worker = JSON.parse(readFileSync(path.join(repository.dir, "services/jobs/.template.json"), "utf8"));
    expect(worker.answers).toMatchObject({ dependsOn: ["orders"], queue: true });
    expect(worker.answers).not.toHaveProperty("jobSource");
  });

  it("THEN payments starts with a contract of its own, which the synth writes as its OpenAPI document", () => {
    expect(readFileSync(path.join(repository.dir, "services/payments/src/api.ts"), "utf8")).toContain(
      '  service: "payments",\n',
    );
    expect(readFileSync(path.join(repository.dir, "services/payments/src/application.ts"), "utf8")).toContain(
      "      router.implement(api, {\n",
    );
    const document = JSON.parse(readFileSync(path.join(repository.dir, "cdktf.out/api/payments.openapi.json"), "utf8"));
    expect(document.info).toEqual({ title: "payments", version: "0.1.0" });
    expect(document.paths["/hello"].get.operationId).toBe("sayHello");
  });

  it("THEN a dependency with a contract gets a typed client of it, and one without (a worker) is called untyped, as the comment says", () => {
    const payments = readFileSync(path.join(repository.dir, "services/payments/src/application.ts"), "utf8");
    expect(payments).toContain('import ordersApi from "../../orders/src/api.js";\n');
    expect(payments).toContain('    orders: contractClient(ordersApi, context.dependency("orders")),\n');
    const notify = readFileSync(path.join(repository.dir, "services/notify/src/application.ts"), "utf8");
    expect(notify).toContain('import paymentsApi from "../../payments/src/api.js";\n');
    expect(notify).toContain('    payments: contractClient(paymentsApi, context.dependency("payments")),\n');
    expect(notify).toContain(' * `const answer = await payments.get("/hello", { query });`\n');
    expect(notify).toContain(
      ' * fulfilment has no contract (no services/fulfilment/src/api.ts; a worker serves none):\n * call it untyped, as `await context.dependency("fulfilment").getJson("/path")`.\n',
    );
    expect(notify).not.toContain("fulfilmentApi");
  });

  it("THEN the new services use the runtime package and carry no copy of it", () => {
    for (const name of ["payments", "jobs"]) {
      const manifest = JSON.parse(readFileSync(path.join(repository.dir, "services", name, "package.json"), "utf8"));
      expect(manifest.dependencies).toEqual({ "@platform/service-runtime": "*" });
      expect(existsSync(path.join(repository.dir, "services", name, "src/platform"))).toBe(false);
    }
  });

  it("THEN the synth puts payments in staging and production with its workload and scaling", () => {
    for (const environment of ["staging", "production"]) {
      const [container] = resourceOf(stacks[environment]!, "kubernetes_deployment_v1", "payments").spec.template.spec
        .container;
      expect(container.image).toBe("registry.example.com/platform/payments:0.1.0");
      expect(container.env).toContainEqual({ name: "ORDERS_URL", value: "http://orders:8080" });
      expect(
        resourceOf(stacks[environment]!, "kubernetes_horizontal_pod_autoscaler_v2", "payments").spec,
      ).toMatchObject({ min_replicas: 2, max_replicas: 4 });
    }
  });

  it("THEN the synth gives payments its database on both targets, reached through DB_URL, declared once in service.ts (its code derives its manifest from it)", () => {
    const spec = readFileSync(path.join(repository.dir, "services/payments/service.ts"), "utf8");
    expect(spec).toContain('  backingServices: { db: { type: "postgres" } },\n');
    expect(existsSync(path.join(repository.dir, "services/payments/src/manifest.ts"))).toBe(false);
    const database = resourcesOfType(stacks.local!, "docker_container").find(
      (r) => r.values.name === "platform-local-payments-db",
    )?.values;
    expect(database?.volumes).toEqual([expect.objectContaining({ volume_name: "platform-local-payments-db-data" })]);
    const local = resourcesOfType(stacks.local!, "docker_container").find(
      (r) => r.values.name === "platform-local-payments-1",
    )!.values;
    expect(local.env).toContainEqual(expect.stringMatching(/^DB_URL=postgresql:\/\/payments:\$\{random_password\./));
    for (const environment of ["staging", "production"]) {
      const clusters = resourcesOfType(stacks[environment]!, "kubernetes_manifest").filter(
        (r) => r.values.manifest.kind === "Cluster",
      );
      // Besides the examples' own databases (catalog's and orders').
      expect(clusters.map((r) => r.values.manifest.metadata.name)).toEqual(["catalog-db", "orders-db", "payments-db"]);
      const [container] = resourceOf(stacks[environment]!, "kubernetes_deployment_v1", "payments").spec.template.spec
        .container;
      expect(container.env).toContainEqual({
        name: "DB_URL",
        value_from: { secret_key_ref: { name: "payments-db-app", key: "uri" } },
      });
    }
  });

  it("THEN the synth puts payments in the local environment: its image built from its Dockerfile, a hardened container on the edge network to orders", () => {
    const local = stacks.local!;
    const image = resourcesOfType(local, "docker_image").find(
      (r) => r.values.name === "platform-local/payments:0.1.0",
    )!.values;
    expect(image.build).toMatchObject({ context: "../../..", dockerfile: "services/payments/Dockerfile" });
    const container = resourcesOfType(local, "docker_container").find(
      (r) => r.values.name === "platform-local-payments-1",
    )!.values;
    expect(container).toMatchObject({ user: "10001:10001", read_only: true, capabilities: { drop: ["ALL"] } });
    expect(container.env).toContain("ORDERS_URL=http://orders:8080");
    const networks = container.networks_advanced.map((n: { name: string }) => n.name);
    expect(networks).toContain("platform-local-payments-to-orders");
    const orders = resourcesOfType(local, "docker_container").find(
      (r) => r.values.name === "platform-local-orders-1",
    )!.values;
    expect(orders.networks_advanced.map((n: { name: string }) => n.name)).toContain(
      "platform-local-payments-to-orders",
    );
  });

  it("THEN orders now accepts traffic from payments and jobs, and payments may call orders and its database and nothing else", () => {
    // Its own policy, not its database's (orders-db).
    const orders = policyNamed(stacks.staging!, "orders");
    type Peer = { pod_selector?: { match_labels: Record<string, string> } };
    const callers = (orders.ingress as Array<{ from: Peer[] }>).flatMap((rule) =>
      rule.from.map((f) => f.pod_selector?.match_labels["app.kubernetes.io/name"]).filter(Boolean),
    );
    expect(callers.sort()).toEqual(["gateway", "jobs", "payments"]);
    // Its own policy, not its database's (payments-db).
    const payments = policyNamed(stacks.staging!, "payments");
    expect(payments.egress).toEqual([
      {
        to: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders" } } }],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
      {
        to: [{ pod_selector: { match_labels: { "cnpg.io/cluster": "payments-db" } } }],
        ports: [{ port: "5432", protocol: "TCP" }],
      },
    ]);
  });

  it("THEN the worker receives no traffic from services, only the metrics scrape, and scales on CPU", () => {
    // Its own policy, not its queue's (jobs-queue).
    const policy = policyNamed(stacks.staging!, "jobs");
    expect(policy.ingress).toEqual([
      {
        from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
    ]);
    const autoscaler = resourceOf(stacks.production!, "kubernetes_horizontal_pod_autoscaler_v2", "jobs").spec;
    expect(autoscaler).toMatchObject({ min_replicas: 2, max_replicas: 6 });
    expect((autoscaler.metric as Array<{ resource: { name: string } }>).map((m) => m.resource.name)).toEqual(["cpu"]);
  });

  // Two processes of its own, side by side: tsc on the three new services, and vitest on
  // four files, each starting a real RabbitMQ or PostgreSQL (the worker's queue, payments'
  // database, for its own test and its contract's) and bundling its service. The vitest run
  // mostly waits on those (11 s of CPU in 51 s at load 17); tsc is all CPU (46 s at load 19,
  // 8 s on a quiet machine): one after the other, this test took 136 s at load 15. Far past
  // the default 30 s either way.
  it("THEN both new services pass their own tests, and the new services type-check", async () => {
    // What the scaffolder wrote is checked here: the worker's code, and the typed clients
    // of payments (of orders' contract) and of notify (of payments' contract, just made).
    writeFileSync(
      path.join(repository.dir, "tsconfig.new.json"),
      JSON.stringify({
        extends: "./tsconfig.json",
        include: ["services/jobs", "services/payments", "services/notify"],
      }),
    );
    // With --no-install they run on the runtime package the repository's install linked
    // (node_modules/@platform/service-runtime): a new service needs no install of its own to run its tests.
    // One worker: for four small files, more workers each load vitest for nothing (measured 2.6 -> 1.6 s CPU).
    const [typecheck, result] = await Promise.all([
      repository.nodeAsync("node_modules/typescript/bin/tsc", ["--noEmit", "-p", "tsconfig.new.json"]),
      repository.nodeAsync("node_modules/vitest/vitest.mjs", [
        "run",
        "--maxWorkers=1",
        "services/jobs",
        "services/payments",
      ]),
    ]);
    expect(typecheck.stdout).toBe("");
    expect(typecheck.status).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Test Files {2}4 passed \(4\)/);
    expect(result.status).toBe(0);
  }, 360_000);

  it("THEN the new services pass the repository's formatter and linter as written (npx biome check)", () => {
    const biome = repository.run(process.execPath, [
      "node_modules/@biomejs/biome/bin/biome",
      "check",
      "--error-on-warnings",
      "services/payments",
      "services/jobs",
      "services/notify",
    ]);
    expect(biome.stdout + biome.stderr).toMatch(/Checked \d+ files/);
    expect(biome.status, biome.stdout + biome.stderr).toBe(0);
  });

  it("THEN npm run template:check finds both current", () => {
    const result = repository.node("tools/template-check.ts");
    expect(result.stdout).toMatch(/^payments +current \(http-service [0-9a-f]{12}\)$/m);
    expect(result.stdout).toMatch(/^jobs +current \(worker [0-9a-f]{12}\)$/m);
    expect(result.status).toBe(0);
  });

  // Last: it edits payments' service.ts. A vitest process of its own with a real PostgreSQL
  // (payments' database), like the test of both services above: far past the default 30 s.
  it("GIVEN payments' service.ts gains a dependsOn and nothing else is edited WHEN its code and its tests run THEN its code requires the new dependency's URL and its tests pass", () => {
    const specFile = path.join(repository.dir, "services/payments/service.ts");
    const spec = readFileSync(specFile, "utf8");
    expect(spec).toContain('  dependsOn: ["orders"],\n');
    writeFileSync(specFile, spec.replace('  dependsOn: ["orders"],\n', '  dependsOn: ["orders", "catalog"],\n'));
    // Its code knows of service.ts what it derives from it: the configuration now needs CATALOG_URL.
    const derived = repository.run(process.execPath, [
      "--import",
      "tsx",
      "--input-type=module",
      "--eval",
      `const { MANIFEST } = await import("./services/payments/src/application.ts");
const { loadConfig } = await import("@platform/service-runtime");
console.log(JSON.stringify(MANIFEST.dependencies));
try { loadConfig(MANIFEST, { ORDERS_URL: "http://127.0.0.1:9" }); } catch (error) { console.log(JSON.stringify(error.message)); }`,
    ]);
    expect(derived.stderr).toBe("");
    const [dependencies, problem] = derived.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(dependencies).toEqual(["orders", "catalog"]);
    expect(problem).toContain("CATALOG_URL");
    expect(problem).not.toContain("ORDERS_URL");
    const result = repository.run(process.execPath, [
      "node_modules/vitest/vitest.mjs",
      "run",
      "--maxWorkers=1",
      "services/payments",
    ]);
    expect(result.stdout + result.stderr).toMatch(/Test Files {2}2 passed \(2\)/);
    expect(result.status).toBe(0);
  }, 240_000);
});
