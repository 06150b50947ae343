import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InfraDiffReport, Risk } from "../../../tools/infra-diff/report.js";
import { ROOT, runCli, type CliRun } from "../../support/cli.js";
import { copyRepository, gitIn } from "../../support/repo-copy.js";

/**
 * `npm run infra:diff` as a user runs it: in a git repository made from this project,
 * with a base commit and one branch per change a pull request could make.
 */

const CLI = "tools/infra-diff/cli.ts";
let repo: string;
const commits: Record<string, string> = {};

function git(...args: string[]): string {
  return gitIn(repo, ...args);
}

function edit(file: string, change: (text: string) => string): void {
  const target = path.join(repo, file);
  const before = readFileSync(target, "utf8");
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  writeFileSync(target, after);
}

function write(file: string, content: string): void {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  writeFileSync(path.join(repo, file), content);
}

/** Commits the changes made by `change` on a new branch off `from` (main), and returns to main. */
function branch(name: string, change: () => void, from = "main"): void {
  git("checkout", "-q", "-b", name, from);
  change();
  git("add", "-A");
  git("commit", "-q", "--allow-empty", "-m", name);
  commits[name] = git("rev-parse", "HEAD");
  git("checkout", "-q", "main");
}

function diff(...args: string[]): Promise<CliRun> {
  return runCli(CLI, args, { cwd: repo });
}

function worktrees(): string[] {
  return git("worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "));
}

/** The folders of the synthesis cache in the repository's git folder. */
function cacheEntries(): string[] {
  const root = path.join(repo, ".git", "infra-diff-cache");
  return existsSync(root) ? readdirSync(root).sort() : [];
}

function risksOf(report: InfraDiffReport, code: string): Risk[] {
  return report.risks.filter((r) => r.code === code);
}

/** Digests the images workflow would have recorded (the examples' images were never pushed). */
const PUSHED_1_0_0 = `sha256:${"1a2b3c4d5e6f".repeat(5)}abcd`;
const PUSHED_1_1_0 = `sha256:${"9f8e7d6c5b4a".repeat(5)}dcba`;

/** images.lock.json with orders pushed at `version` with `digest`. */
function ordersLocked(version: string, digest: string): string {
  return `${JSON.stringify({ images: { orders: { version, digest } } }, null, 2)}\n`;
}

const PAYMENTS = `import { defineService } from "../../infra/spec/index.js";

export default defineService({
  name: "payments",
  build: {},
  port: 8090,
});
`;

beforeAll(() => {
  repo = copyRepository("infra-diff-repo-");
  cpSync(path.join(ROOT, "tools"), path.join(repo, "tools"), { recursive: true });
  write("services/payments/service.ts", PAYMENTS);
  write(
    "services/payments/package.json",
    `${JSON.stringify({ name: "@platform/payments", version: "2.0.0", private: true, type: "module" }, null, 2)}\n`,
  );
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
  git("add", "-A");
  git("commit", "-q", "-m", "base: the example catalogue and a payments service");
  commits.main = git("rev-parse", "HEAD");

  branch("release", () => {
    edit("services/orders/package.json", (t) => t.replace('"version": "1.0.0"', '"version": "1.1.0"'));
    edit("services/orders/service.ts", (t) =>
      t.replace('dependsOn: ["catalog"]', 'dependsOn: ["catalog", "payments"]'),
    );
    edit("services/catalog/service.ts", (t) =>
      t.replace("scaling: { min: 2, max: 6, cpuPercent: 70 }", "scaling: { min: 3, max: 8, cpuPercent: 70 }"),
    );
    edit("services/payments/service.ts", (t) =>
      t.replace(
        "port: 8090,",
        'port: 8090,\n  expose: { public: { host: "pay.example.com", localPort: 8091 } },\n  environments: { staging: { expose: { public: { host: "staging.pay.example.com" } } } },',
      ),
    );
  });
  branch("rename", () => {
    git("mv", "services/orders", "services/purchases");
    edit("services/purchases/service.ts", (t) => t.replace('name: "orders"', 'name: "purchases"'));
    edit("services/purchases/src/api.ts", (t) => t.replace('service: "orders"', 'service: "purchases"'));
    edit("services/gateway/service.ts", (t) =>
      t.replace('dependsOn: ["orders", "catalog"]', 'dependsOn: ["purchases", "catalog"]'),
    );
    edit("services/gateway/src/api.ts", (t) => t.replace("../../orders/src/api.js", "../../purchases/src/api.js"));
  });
  branch("loosen", () => {
    edit("infra/targets/kubernetes/workload.ts", (t) =>
      t.replace(
        "securityContext: KUBERNETES_CONTAINER_SECURITY_CONTEXT,",
        'securityContext: { ...KUBERNETES_CONTAINER_SECURITY_CONTEXT, readOnlyRootFilesystem: spec.name !== "catalog" },',
      ),
    );
    edit("infra/targets/docker/service-containers.ts", (t) =>
      t.replace("readOnly: true,", 'readOnly: spec.name !== "catalog",'),
    );
    edit("services/catalog/service.ts", (t) =>
      t.replace(
        "  environments:",
        '  guardrails: {\n    suppress: [\n      { rule: "K8S-06", reason: "the catalog writes its cache to the root file system" },\n      { rule: "DKR-02", reason: "the catalog writes its cache to the root file system" },\n    ],\n  },\n  environments:',
      ),
    );
  });
  // The platform pins a newer Prometheus: the local Prometheus image is rebuilt from it.
  branch("prometheus", () =>
    edit("infra/environments.ts", (t) => t.replace('"prom/prometheus:v3.5.0"', '"prom/prometheus:v3.6.0"')),
  );
  branch("broken", () => {
    edit("services/catalog/service.ts", (t) =>
      t.replace("scaling: { min: 2, max: 6, cpuPercent: 70 }", "scaling: { min: 9, max: 2, cpuPercent: 70 }"),
    );
  });
  branch("empty", () => {
    // A commit with the same files as main.
  });
  // catalog's contract renames the price field that orders reads and gateway passes on.
  branch("api-rename", () =>
    edit("services/catalog/src/api.ts", (t) =>
      t.replace("priceCents: z.number().int().nonnegative()", "price: z.number().int().nonnegative()"),
    ),
  );
  // catalog's contract gains an operation, which orders' new version could call before
  // catalog's new version is deployed.
  branch("api-gain", () =>
    edit("services/catalog/src/api.ts", (t) =>
      t.replace(
        "      responses: { 200: product, 404: errorBody },\n    },\n",
        '      responses: { 200: product, 404: errorBody },\n    },\n    getStock: {\n      method: "GET",\n      path: "/products/:id/stock",\n      params: z.object({ id: z.string().min(1) }),\n      responses: { 200: z.object({ count: z.number().int() }), 404: errorBody },\n    },\n',
      ),
    ),
  );
  // The images workflow recorded the digest of orders 1.0.0, which ran by its tag.
  branch("lock", () => write("images.lock.json", ordersLocked("1.0.0", PUSHED_1_0_0)));
  // orders 1.1.0 is released, and the workflow recorded its digest.
  branch(
    "lock-release",
    () => {
      edit("services/orders/package.json", (t) => t.replace('"version": "1.0.0"', '"version": "1.1.0"'));
      write("images.lock.json", ordersLocked("1.1.0", PUSHED_1_1_0));
    },
    "lock",
  );
  branch("no-app", () => {
    edit("cdktf.json", (t) =>
      t.replace(
        '"app": "node tools/run-app.mjs"',
        `"app": "node -e \\"console.error('no synth here'); process.exit(3)\\""`,
      ),
    );
  });
});

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe("npm run infra:diff", () => {
  describe("GIVEN a branch that bumps an image, scales a service, adds a dependency edge and makes a service public", () => {
    let json: CliRun;
    let report: InfraDiffReport;
    let markdown: CliRun;
    beforeAll(async () => {
      json = await diff("--base", "main", "--head", "release", "--format", "json");
      report = JSON.parse(json.stdout) as InfraDiffReport;
      markdown = await diff("--base", "main", "--head", "release");
    });

    it("WHEN diffed THEN it exits 1 and counts each environment's actions", () => {
      expect(json.status).toBe(1);
      expect(report.base).toEqual({ ref: "main", commit: commits.main });
      expect(report.head).toEqual({ ref: "release", commit: commits.release });
      // local: the rebuilt orders image and the containers it and the new published port force out; the new edge network.
      expect(report.summary.environments.local).toEqual({
        adds: 1,
        changes: 0,
        replacements: 4,
        destroys: 0,
        source: "synth",
      });
      // staging: orders' Deployment and policy, payments' policy, catalog's autoscaler and dashboard; payments' Ingress.
      expect(report.summary.environments.staging).toEqual({
        adds: 1,
        changes: 5,
        replacements: 0,
        destroys: 0,
        source: "synth",
      });
      expect(report.summary.environments.production).toEqual({
        adds: 1,
        changes: 5,
        replacements: 0,
        destroys: 0,
        source: "synth",
      });
    });

    it("THEN each service gets one line of what changes", () => {
      const summaries = Object.fromEntries(report.services.map((s) => [s.name, s.summary]));
      // Each part of the line names where it holds.
      expect(summaries.orders).toBe("every environment: image 1.0.0 -> 1.1.0, new egress to payments");
      expect(summaries.catalog).toBe("staging, production: min replicas 2 -> 3, max replicas 6 -> 8");
      expect(report.services.find((s) => s.name === "payments")!.items).toEqual(
        expect.arrayContaining([
          "new ingress from orders (every environment)",
          "now reachable at 127.0.0.1:8091 -> 8090/tcp (local)",
          "now reachable at https://staging.pay.example.com/ (staging)",
          "now reachable at https://pay.example.com/ (production)",
        ]),
      );
      expect(Object.keys(summaries).sort()).toEqual(["catalog", "orders", "payments"]);
    });

    it("THEN the new edge and the new public endpoints are network widening, with the reason", () => {
      expect(risksOf(report, "new-edge").map((r) => [r.environment, r.service, r.reason])).toEqual([
        ["local", "orders", "orders may now call payments"],
        ["staging", "orders", "orders may now call payments"],
        ["production", "orders", "orders may now call payments"],
      ]);
      expect(risksOf(report, "new-public-endpoint").map((r) => [r.environment, r.service, r.reason])).toEqual([
        ["local", "payments", "reachable from outside at 127.0.0.1:8091 -> 8090/tcp"],
        ["staging", "payments", "reachable from outside at https://staging.pay.example.com/"],
        ["production", "payments", "reachable from outside at https://pay.example.com/"],
      ]);
      expect(report.edges).toEqual([
        { from: "orders", to: "payments", change: "added", environments: ["local", "staging", "production"] },
      ]);
    });

    it("THEN the rebuilt image replaces the orders container on Docker, and says why", () => {
      const replaced = risksOf(report, "replacement").filter((r) => r.service === "orders");
      expect(replaced.map((r) => r.resources[0]!.split(".")[0])).toEqual(["docker_container", "docker_image"]);
      expect(replaced[1]!.reason).toBe(
        "image/image (docker_image) is destroyed and created again: build.label.app.kubernetes.io/version (1.0.0 -> 1.1.0), name (platform-local/orders:1.0.0 -> platform-local/orders:1.1.0) cannot be updated in place",
      );
      // The container's reason says what changed in the image it is replaced with, not only that it refers to it.
      expect(replaced[0]!.reason).toMatch(
        /^containers\/replica-1 \(docker_container\) is destroyed and created again: env \(\(none\) -> PAYMENTS_URL=http:\/\/payments:8090, PAYMENTS_TIMEOUT_MS=2000, PAYMENTS_RETRY_ATTEMPTS=2, PAYMENTS_RETRY_METHODS=GET,HEAD,PUT,DELETE,OPTIONS, PAYMENTS_BREAKER_FAILURES=5, PAYMENTS_BREAKER_HALF_OPEN_MS=10000\), .*; image refers to docker_image\.docker_orders_image_1281F8A5, which is replaced because build\.label\.app\.kubernetes\.io\/version \(1\.0\.0 -> 1\.1\.0\), name \(platform-local\/orders:1\.0\.0 -> platform-local\/orders:1\.1\.0\) cannot be updated in place$/,
      );
    });

    it("THEN the capacity risk gives requested cpu and memory at min and max replicas, before and after", () => {
      expect(report.capacity.map((c) => c.environment)).toEqual(["staging", "production"]);
      const staging = report.capacity[0]!;
      // catalog requests 100m and 256Mi per pod; min 2 -> 3, max 6 -> 8.
      expect(staging.after.atMin.cpuMillis - staging.before.atMin.cpuMillis).toBe(100);
      expect(staging.after.atMax.cpuMillis - staging.before.atMax.cpuMillis).toBe(200);
      expect(staging.after.atMax.memoryMiB - staging.before.atMax.memoryMiB).toBe(512);
      expect(risksOf(report, "capacity-increase").map((r) => r.environment)).toEqual(["staging", "production"]);
      expect(risksOf(report, "capacity-increase")[0]!.reason).toMatch(
        /^requested cpu at min replicas \d\.\d\d cores -> \d\.\d\d cores, at max \d\.\d\d cores -> \d\.\d\d cores; memory at min \S+ -> \S+, at max \S+ -> \S+$/,
      );
    });

    it("THEN the risks come first, in the order destroy, replacement, security relaxation, network widening, capacity", () => {
      const kinds = report.risks.map((r) => r.kind);
      expect([...new Set(kinds)]).toEqual(["replacement", "network-widening", "capacity"]);
    });

    it("THEN the Markdown has the summary table, the risks, the edge graph and a collapsible section per service", () => {
      expect(markdown.status).toBe(1);
      const text = markdown.stdout;
      expect(text.startsWith("<!-- infra-diff part 1/1 -->\n## Infrastructure diff\n")).toBe(true);
      expect(text).toContain(
        `\`main\` (${commits.main!.slice(0, 12)}) → \`release\` (${commits.release!.slice(0, 12)})`,
      );
      expect(text).toContain(
        "| local | 1 | 0 | 4 | 0 |\n| addons-staging | 0 | 0 | 0 | 0 |\n| staging | 1 | 5 | 0 | 0 |\n| addons-production | 0 | 0 | 0 | 0 |\n| production | 1 | 5 | 0 | 0 |\n| **total** | 3 | 10 | 4 | 0 |",
      );
      expect(text).toContain(
        "| what | service | where | before | after |\n|---|---|---|---|---|\n| new-edge: calls payments | orders | local, staging, production | not allowed | allowed |\n",
      );
      expect(text).toContain('```mermaid\nflowchart LR\n  s1["orders"]\n  s2["payments"]\n  s1 -->|added| s2\n```');
      expect(text).toContain(
        "<details><summary><b>orders</b>: every environment: image 1.0.0 -> 1.1.0, new egress to payments</summary>",
      );
      expect(text.indexOf("### Risks")).toBeLessThan(text.indexOf("### Changes by service"));
      expect(text).toContain(
        "  - `spec.template.spec.container.image`: `registry.example.com/platform/orders:1.0.0` → `registry.example.com/platform/orders:1.1.0`",
      );
      // A document in a string (the Grafana dashboard) is compared value by value.
      expect(text).toContain("  - `data.staging-catalog.json:panels[7].targets[1].expr`: `vector(2)` → `vector(3)`");
    });

    it("THEN the Markdown counts the risks it shows, and says how many the JSON lists, one per environment", () => {
      const counted = /· \*\*(\d+) risks\*\* \((\d+) across environments\) · 3 services change\n/.exec(markdown.stdout);
      expect(counted?.slice(1).map(Number)).toEqual([
        new Set(report.risks.map((r) => [r.kind, r.code, r.service, r.reason].join("|"))).size,
        report.risks.length,
      ]);
      expect(markdown.stdout).toContain(`### Risks (${counted![1]}; ${counted![2]} across environments)\n`);
    });

    it("THEN a created Ingress shows its host and TLS, and each capacity change is a table of its environment", () => {
      expect(markdown.stdout).toContain(
        [
          "exposure/ingress: created",
          "  - `spec.ingress_class_name`: `nginx`",
          "  - `spec.rule.host`: `pay.example.com`",
          "  - `spec.rule.http.path.path`: `/`",
          '  - `spec.rule.http.path.backend.service`: `{"name":"payments","port":{"number":8090}}`',
          '  - `spec.tls`: `{"hosts":["pay.example.com"],"secret_name":"payments-tls"}`',
        ].join("\n"),
      );
      expect(markdown.stdout).toContain(
        [
          "**capacity** (capacity-increase) · staging · all services: requested",
          "",
          "| | at min replicas | at max replicas |",
          "|---|---:|---:|",
        ].join("\n"),
      );
      expect(markdown.stdout).not.toContain("- **capacity**");
    });

    it("THEN no worktree is left behind", () => {
      expect(worktrees()).toHaveLength(1);
    });

    it("THEN the base, checked out and clean, synthesizes in the working tree, and the head in a temporary worktree", () => {
      expect(json.stderr).toContain(
        `infra-diff: synthesizing the base (main, ${commits.main!.slice(0, 12)}, in the working tree, which holds its files) and the head (release, ${commits.release!.slice(0, 12)}, in a temporary worktree)...\n`,
      );
    });

    it("THEN both commits' stacks and guardrail reports went to the cache, and the second run took both from it", () => {
      expect(json.stderr).toMatch(/synthesized both sides in [0-9.]+s \(base [0-9.]+s, head [0-9.]+s\)/);
      expect(markdown.stderr).toMatch(
        /synthesized both sides in [0-9.]+s \(base from the cache, head from the cache\)/,
      );
      const entries = cacheEntries();
      expect(entries).toHaveLength(2);
      for (const entry of entries) {
        expect(entry).toMatch(/^[0-9a-f]{32}$/);
        const folder = path.join(repo, ".git", "infra-diff-cache", entry);
        // What the diff reads, nothing else (the monitoring files are not compared).
        expect(readdirSync(folder).sort()).toEqual(["api", "guardrails", "stacks"]);
        expect(readdirSync(path.join(folder, "guardrails")).sort()).toEqual([
          "addons-production.json",
          "addons-staging.json",
          "local.json",
          "production.json",
          "staging.json",
        ]);
        for (const environment of ["local", "addons-staging", "staging", "addons-production", "production"]) {
          expect(readdirSync(path.join(folder, "stacks", environment))).toEqual(["cdk.tf.json"]);
        }
      }
    });

    it("WHEN diffed again without the cache THEN the report is the same, and the cache is neither read nor written", async () => {
      // One entry dated an hour back (a read would date it now), the other removed (a write would bring it back).
      const [kept, removed] = cacheEntries();
      const entry = (name: string) => path.join(repo, ".git", "infra-diff-cache", name);
      const anHourAgo = new Date(Date.now() - 3600_000);
      utimesSync(entry(kept!), anHourAgo, anHourAgo);
      rmSync(entry(removed!), { recursive: true, force: true });
      const again = await diff("--base", "main", "--head", "release", "--format", "json", "--no-cache");
      expect(again.stderr).toMatch(/synthesized both sides in [0-9.]+s \(base [0-9.]+s, head [0-9.]+s\)/);
      expect(again.stdout).toBe(json.stdout);
      expect(cacheEntries()).toEqual([kept]);
      // Still dated back (a read dates it now); file times are not exact to the millisecond.
      expect(statSync(entry(kept!)).mtimeMs).toBeLessThan(Date.now() - 1800_000);
    });
  });

  describe("GIVEN the head's branch checked out", () => {
    let fromWorktrees: CliRun;
    let inWorkingTree: CliRun;
    let withStrayFile: CliRun;
    beforeAll(async () => {
      fromWorktrees = await diff("--base", "main", "--head", "release", "--format", "json", "--no-cache");
      git("checkout", "-q", "release");
      try {
        inWorkingTree = await diff("--base", "main", "--head", "release", "--format", "json", "--no-cache");
        write("services/orders/scratch.txt", "not committed\n");
        withStrayFile = await diff("--base", "main", "--head", "release", "--format", "json", "--no-cache");
      } finally {
        rmSync(path.join(repo, "services/orders/scratch.txt"), { force: true });
        git("checkout", "-q", "main");
      }
      // Three uncached diffs, six synths: over the default 60 s at a load average of 14.
    }, 180_000);

    it("WHEN the working tree is clean THEN the head synthesizes there, without a checkout, and the report is the same as from two worktrees", () => {
      expect(inWorkingTree.stderr).toContain(
        `infra-diff: synthesizing the base (main, ${commits.main!.slice(0, 12)}, in a temporary worktree) and the head (release, ${commits.release!.slice(0, 12)}, in the working tree, which holds its files)...\n`,
      );
      expect(inWorkingTree.status).toBe(1);
      expect(inWorkingTree.stdout).toBe(fromWorktrees.stdout);
    });

    it("WHEN the working tree has a file the commit has not THEN both sides are checked out, and the report is the same", () => {
      expect(withStrayFile.stderr).toContain(
        `infra-diff: synthesizing the base (main, ${commits.main!.slice(0, 12)}, in a temporary worktree) and the head (release, ${commits.release!.slice(0, 12)}, in a temporary worktree)...\n`,
      );
      expect(withStrayFile.stdout).toBe(fromWorktrees.stdout);
      expect(worktrees()).toHaveLength(1);
    });
  });

  describe("GIVEN a branch that pins a newer Prometheus image for the local Prometheus", () => {
    let run: CliRun;
    let report: InfraDiffReport;
    beforeAll(async () => {
      run = await diff("--base", "main", "--head", "prometheus", "--format", "json");
      report = JSON.parse(run.stdout) as InfraDiffReport;
    });

    it("WHEN diffed THEN the Prometheus container's replacement names the pinned image that changed, not only the attribute", () => {
      expect(run.status).toBe(1);
      const replaced = risksOf(report, "replacement").filter((r) => r.environment === "local");
      expect(replaced.map((r) => [r.service, r.resources[0]!.split(".")[0]])).toEqual([
        [null, "docker_container"],
        [null, "docker_image"],
      ]);
      expect(replaced[0]!.reason).toMatch(
        /^monitoring\/prometheus \(docker_container\) is destroyed and created again: image refers to docker_image\.docker_platform_monitoring_image_[0-9A-F]{8}, which is replaced because build\.build_args\.PROMETHEUS_IMAGE \(prom\/prometheus:v3\.5\.0 -> prom\/prometheus:v3\.6\.0\)/,
      );
      const container = report.services
        .find((s) => s.name === "platform")!
        .environments.local!.find((r) => r.type === "docker_container")!;
      expect(container.replacementReasons).toEqual([replaced[0]!.reason.split(": ").slice(1).join(": ")]);
    });
  });

  describe("GIVEN a commit that records orders' digest in images.lock.json, and one that bumps its version with the new digest", () => {
    let pinned: InfraDiffReport;
    let pinnedMarkdown: CliRun;
    let bumped: InfraDiffReport;
    let bumpedText: CliRun;
    beforeAll(async () => {
      pinned = JSON.parse((await diff("--base", "main", "--head", "lock", "--format", "json")).stdout);
      pinnedMarkdown = await diff("--base", "main", "--head", "lock");
      bumped = JSON.parse((await diff("--base", "lock", "--head", "lock-release", "--format", "json")).stdout);
      bumpedText = await diff("--base", "lock", "--head", "lock-release", "--format", "text");
    });

    it("WHEN the lock entry is diffed THEN orders' Deployments change from the tag to the digest, said as versions with short digests", () => {
      expect(pinned.services.map((s) => [s.name, s.summary])).toEqual([
        ["orders", "staging, production: image 1.0.0 (no digest) -> 1.0.0 (sha256:1a2b3c4d5e6f)"],
      ]);
      const [deployment] = pinned.services[0]!.environments.staging!;
      expect(deployment!.attributes).toEqual([
        {
          path: "spec.template.spec.container.image",
          before: "registry.example.com/platform/orders:1.0.0",
          after: `registry.example.com/platform/orders:1.0.0@${PUSHED_1_0_0}`,
          forcesReplacement: false,
          unknownAfter: false,
        },
      ]);
      expect(pinnedMarkdown.stdout).toContain(
        "<details><summary><b>orders</b>: staging, production: image 1.0.0 (no digest) -> 1.0.0 (sha256:1a2b3c4d5e6f)</summary>",
      );
      expect(pinnedMarkdown.stdout).toContain(
        "  - `spec.template.spec.container.image`: `1.0.0 (no digest)` → `1.0.0 (sha256:1a2b3c4d5e6f)` (`registry.example.com/platform/orders`)",
      );
      expect(pinnedMarkdown.stdout).not.toContain(PUSHED_1_0_0);
    });

    it("WHEN the version bump with its digest is diffed THEN the Deployments say old version and digest -> new ones, and local its tags", () => {
      expect(bumped.services.find((s) => s.name === "orders")!.items).toEqual([
        "image 1.0.0 -> 1.1.0 (local)",
        "image 1.0.0 (sha256:1a2b3c4d5e6f) -> 1.1.0 (sha256:9f8e7d6c5b4a) (staging, production)",
      ]);
      expect(bumpedText.stdout).toContain(
        "spec.template.spec.container.image: 1.0.0 (sha256:1a2b3c4d5e6f) -> 1.1.0 (sha256:9f8e7d6c5b4a) (registry.example.com/platform/orders)",
      );
      expect(bumpedText.stdout).not.toContain(PUSHED_1_1_0);
    });
  });

  describe("GIVEN a branch that renames a service", () => {
    let run: CliRun;
    let report: InfraDiffReport;
    beforeAll(async () => {
      run = await diff("--base", "main", "--head", "rename", "--format", "json");
      report = JSON.parse(run.stdout) as InfraDiffReport;
    });

    it("WHEN diffed THEN the old service's resources are destroys, listed first with the reason", () => {
      expect(run.status).toBe(1);
      const destroys = risksOf(report, "destroy").filter((r) => r.service === "orders");
      expect(destroys.map((r) => r.environment)).toEqual(["local", "staging", "production"]);
      expect(destroys[1]!.reason).toBe(
        "the service is removed; 11 resources are destroyed: monitoring/dashboard, workload/deployment, scaling/autoscaler, backing-services/db/cluster, monitoring/prometheus-rule, monitoring/service-monitor, backing-services/db/network-policy, network-rules/policy, scaling/disruption-budget, workload/service-account, exposure/service",
      );
      // Before them, orders' database: purchases gets a new, empty one (on Docker the old volume is kept, detached).
      expect(report.risks[0]!.kind).toBe("data-loss");
      expect(
        report.risks.filter((r) => r.kind === "data-loss").map((r) => [r.environment, r.service, r.code, r.resources]),
      ).toEqual([
        [
          "local",
          "orders",
          "data-detached",
          [expect.stringMatching(/^docker_container\.docker_orders_backing-services_db_container_/)],
        ],
        [
          "staging",
          "orders",
          "data-deleted",
          [expect.stringMatching(/^kubernetes_manifest\.kubernetes_orders_backing-services_db_cluster_/)],
        ],
        [
          "production",
          "orders",
          "data-deleted",
          [expect.stringMatching(/^kubernetes_manifest\.kubernetes_orders_backing-services_db_cluster_/)],
        ],
      ]);
      // Its 11 resources (its database and the database's policy among them) destroyed and added under the new name;
      // updated in place: gateway's Deployment (PURCHASES_URL) and policy, catalog's policy (ingress from purchases),
      // the policy of fulfilment's queue (ingress from purchases).
      expect(report.summary.environments.staging).toEqual({
        adds: 11,
        changes: 4,
        replacements: 0,
        destroys: 11,
        source: "synth",
      });
    });

    it("THEN the services say removed and new, and the edges move to the new name", () => {
      const summaries = Object.fromEntries(report.services.map((s) => [s.name, s.summary]));
      expect(summaries.orders).toBe("every environment: removed");
      expect(summaries.purchases).toMatch(/^every environment: new service[,;]/);
      const edges = report.edges.map((e) => `${e.change} ${e.from}->${e.to} ${e.environments.join(",")}`);
      expect(edges).toEqual([
        "removed gateway->orders local,staging,production",
        "added gateway->purchases local,staging,production",
        "removed orders->catalog local,staging,production",
        "removed orders->fulfilment local,staging,production",
        "added purchases->catalog local,staging,production",
        "added purchases->fulfilment local,staging,production",
      ]);
      expect(risksOf(report, "new-edge").map((r) => r.reason)).toEqual(
        expect.arrayContaining([
          "gateway may now call purchases",
          "purchases may now call catalog",
          "purchases may now call fulfilment",
        ]),
      );
      // Fulfilment's queue policy lets purchases in instead of orders; on Docker the queue's container
      // leaves the network it had for orders and joins one for purchases (a reader's network of its own).
      expect(report.services.find((s) => s.name === "fulfilment")!.items).toEqual([
        "backing-services/queue/container: networks_advanced[platform-local-orders-to-fulfilment-queue] (+1 more) (local)",
        "backing-services/queue/network-for-orders removed (local)",
        "1 more resources change (local)",
        "new ingress from purchases (staging, production)",
        "no ingress from orders (staging, production)",
      ]);
    });
  });

  describe("GIVEN a working tree that loosens a guardrail: a weaker setting for one service, suppressed in its spec", () => {
    let run: CliRun;
    beforeAll(async () => {
      // The head is the working tree (the default), with the branch checked out.
      git("checkout", "-q", "loosen");
      try {
        run = await diff("--base", "main", "--format", "text");
      } finally {
        git("checkout", "-q", "main");
      }
    });

    it("WHEN diffed as text THEN the new suppressions and the guardrails' new findings are security relaxations of that service only", () => {
      expect(run.status).toBe(1);
      const risks = run.stdout.slice(run.stdout.indexOf("Risks ("), run.stdout.indexOf("\nServices:")).split("\n");
      // Each suppression where the guardrail report shows it in force: DKR rules on Docker, K8S rules on Kubernetes.
      expect(risks).toContain(
        '  [security-relaxation] local · catalog: suppresses guardrail DKR-02: "the catalog writes its cache to the root file system"',
      );
      expect(risks).toContain(
        '  [security-relaxation] staging, production · catalog: suppresses guardrail K8S-06: "the catalog writes its cache to the root file system"',
      );
      // What the guardrails now find on that service's resources, run on both sides by the diff itself.
      expect(risks).toContain(
        '  [security-relaxation] staging, production · catalog: guardrail K8S-06 (error, suppressed) now reports: container "catalog": read_only_root_filesystem is false, so an intruder can change the image\'s files',
      );
      expect(risks).toContain(
        "  [security-relaxation] local · catalog: guardrail DKR-02 (error, suppressed) now reports: read_only is false, so an intruder can change the image's files",
      );
      expect(risks.filter((line) => line.startsWith("  [") && !line.includes(" · catalog: "))).toEqual([]);
      expect(run.stdout).toContain("  catalog: local: suppresses DKR-02; staging, production: suppresses K8S-06\n");
    });

    it("THEN the read-only change replaces the catalog container on Docker, where it cannot be updated in place", () => {
      expect(run.stdout).toMatch(
        /\[replacement\] local · catalog: containers\/replica-1 \(docker_container\) is destroyed and created again: read_only \(true -> false\) cannot be updated in place/,
      );
    });
  });

  describe("GIVEN no infrastructure change", () => {
    it("WHEN a revision is diffed against itself THEN it exits 0 and says so", async () => {
      const run = await diff("--base", "main", "--head", "main");
      const commit = commits.main!.slice(0, 12);
      expect(run.stderr).toContain(
        `infra-diff: synthesizing the base (main, ${commit}) in the working tree, which holds its files, once: the head (main, ${commit}) has the same files...\n`,
      );
      expect(run.stdout).toBe(
        `<!-- infra-diff part 1/1 -->\n## Infrastructure diff\n\n\`main\` (${commit}) → \`main\` (${commit}): **no infrastructure change** in local, addons-staging, staging, addons-production, production.\n`,
      );
      expect(run.status).toBe(0);
      expect(worktrees()).toHaveLength(1);
    });

    it("WHEN two commits with the same files are diffed THEN it synthesizes once, in a worktree when another branch is checked out, and exits 0", async () => {
      git("checkout", "-q", "rename");
      let run: CliRun;
      try {
        run = await diff("--base", "main", "--head", "empty", "--format", "json", "--no-cache");
      } finally {
        git("checkout", "-q", "main");
      }
      expect(run.stderr).toContain(
        `infra-diff: synthesizing the base (main, ${commits.main!.slice(0, 12)}) in a temporary worktree, once: the head (empty, ${commits.empty!.slice(0, 12)}) has the same files...\n`,
      );
      expect(run.stderr).toMatch(
        /synthesized both sides in [0-9.]+s \(base [0-9.]+s, head the same files as the base\)/,
      );
      const report = JSON.parse(run.stdout) as InfraDiffReport;
      expect(report.head).toEqual({ ref: "empty", commit: commits.empty });
      expect(report.changed).toBe(false);
      expect(run.status).toBe(0);
      expect(worktrees()).toHaveLength(1);
    });
  });

  describe("GIVEN a branch that renames a field of catalog's API contract, which orders and gateway call", () => {
    let json: CliRun;
    let markdown: CliRun;
    let report: InfraDiffReport;
    beforeAll(async () => {
      json = await diff("--base", "main", "--head", "api-rename", "--format", "json");
      report = JSON.parse(json.stdout) as InfraDiffReport;
      markdown = await diff("--base", "main", "--head", "api-rename");
    });

    it("WHEN diffed THEN it exits 1 with no infrastructure change, and the removed field is a breaking-api-change naming both callers", () => {
      expect(json.status).toBe(1);
      expect(report.summary.total).toEqual({ adds: 0, changes: 0, replacements: 0, destroys: 0 });
      const risk = (operation: string, field: string) => ({
        kind: "breaking-api-change",
        code: "response-field-removed",
        environment: null,
        service: "catalog",
        resources: [],
        reason: `${operation}: response 200 field ${field} removed; breaks its callers gateway, orders`,
        callers: ["gateway", "orders"],
      });
      // gateway's public API takes catalog's product schema: it breaks too, for callers
      // outside the repository.
      const publicRisk = (operation: string, field: string) => ({
        ...risk(operation, field),
        service: "gateway",
        reason: `${operation}: response 200 field ${field} removed; no service here calls gateway (callers outside this repository may break)`,
        callers: [],
      });
      expect(report.risks.filter((r) => r.kind === "breaking-api-change")).toEqual([
        risk("GET /products", "products[].priceCents"),
        risk("GET /products/{id}", "priceCents"),
        publicRisk("GET /api/products", "products[].priceCents"),
        publicRisk("GET /api/products/{id}", "priceCents"),
      ]);
      // The new name is required: the callers' new typed client refuses every answer of
      // catalog's deployed version, which does not send it, whatever their code reads.
      expect(
        report.risks.filter((r) => r.kind === "deploy-order").map((r) => [r.service, r.code, r.callers, r.reason]),
      ).toEqual([
        [
          "catalog",
          "deployed-answers-refused",
          ["gateway", "orders"],
          "gateway's and orders' new replicas refuse the answers of catalog's deployed version (GET /products: response 200 field products[].price added as required; GET /products/{id}: response 200 field price added as required): their typed client of catalog checks every answer against the new contract; deploy catalog first",
        ],
      ]);
    });

    it("THEN the code of orders, which reads the field through its typed client of catalog, no longer type-checks", () => {
      // GIVEN the head commit checked out
      execFileSync("git", ["checkout", "-q", "api-rename"], { cwd: repo });
      try {
        // WHEN the TypeScript compiler checks every service (its spec, code and tests, and
        // what they import: the contracts of the services it calls, the runtime, the spec
        // types). Only the services' errors are asserted on: checking infra/, tools/ and the
        // runtime's tests too doubled the check's CPU time (13 -> 26 s) for errors the
        // assertions below never read.
        writeFileSync(
          path.join(repo, "tsconfig.services.json"),
          JSON.stringify({
            extends: "./tsconfig.json",
            include: ["services/*/service.ts", "services/*/src", "services/*/test"],
          }),
        );
        const check = spawnSync(
          path.join(repo, "node_modules", ".bin", "tsc"),
          ["--noEmit", "-p", path.join(repo, "tsconfig.services.json")],
          { cwd: repo, encoding: "utf8" },
        );
        // THEN it fails on orders' use of the renamed field, and in no other service
        expect(check.status).toBe(2);
        const errors = check.stdout
          .split("\n")
          .filter((line) => line.startsWith("services/") && line.includes("error TS"));
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.filter((line) => !line.startsWith("services/orders/src/application.ts"))).toEqual([]);
        expect(errors.join("\n")).toContain("Property 'priceCents' does not exist");
      } finally {
        rmSync(path.join(repo, "tsconfig.services.json"), { force: true });
        execFileSync("git", ["checkout", "-q", "main"], { cwd: repo });
      }
    }, 180_000);

    it("THEN catalog's and gateway's sections list the breaking and the additive changes", () => {
      const changes = [
        ["breaking", "response-field-removed"],
        ["breaking", "response-field-removed"],
        ["additive", "response-field-required"],
        ["additive", "response-field-required"],
      ];
      expect(report.services.map((s) => [s.name, s.summary, s.apiChanges?.map((c) => [c.severity, c.code])])).toEqual([
        ["catalog", "2 breaking API changes, 2 additive API changes", changes],
        ["gateway", "2 breaking API changes, 2 additive API changes", changes],
      ]);
    });

    it("THEN the Markdown lists the risk with its callers, and catalog's contract changes; the second run took both contracts from the cache", () => {
      expect(markdown.status).toBe(1);
      expect(markdown.stdout).toContain(
        "### Risks (5)\n\n- **breaking-api-change** (response-field-removed) · every environment · `catalog`: GET /products: response 200 field products\\[\\].priceCents removed; breaks its callers gateway, orders\n- **breaking-api-change** (response-field-removed) · every environment · `catalog`: GET /products/{id}: response 200 field priceCents removed; breaks its callers gateway, orders\n",
      );
      expect(markdown.stdout).toContain("- additive: GET /products/{id}: response 200 field price added as required\n");
      expect(markdown.stderr).toMatch(/\(base from the cache, head from the cache\)/);
    });
  });

  describe("GIVEN a branch where catalog's contract gains an operation, which orders and gateway may start to call", () => {
    let json: CliRun;
    let report: InfraDiffReport;
    beforeAll(async () => {
      json = await diff("--base", "main", "--head", "api-gain", "--format", "json");
      report = JSON.parse(json.stdout) as InfraDiffReport;
    });

    it("WHEN diffed THEN the gain is additive, not breaking, and a deploy-order risk says to deploy catalog before its callers", () => {
      expect(json.status, json.stderr).toBe(1);
      expect(report.services.map((s) => [s.name, s.apiChanges?.map((c) => [c.severity, c.code, c.operation])])).toEqual(
        [["catalog", [["additive", "operation-added", "GET /products/{id}/stock"]]]],
      );
      expect(report.risks).toEqual([
        {
          kind: "deploy-order",
          code: "dependency-gains-api",
          environment: null,
          service: "catalog",
          resources: [],
          reason:
            "catalog's deployed version does not have what this change adds to its contract (GET /products/{id}/stock added): if the new version of gateway or orders uses it, deploy catalog first; during a rolling update the caller's new replicas can meet catalog's old ones",
          callers: ["gateway", "orders"],
        },
      ]);
    });
  });

  describe("GIVEN bad input", () => {
    it("WHEN --output names a file in a folder that does not exist THEN it exits 2 saying so, before any synth, and makes no folder", async () => {
      const missing = path.join(repo, "no-such-folder", "deeper");
      const run = await diff("--base", "main", "--output", path.join(missing, "diff.md"));
      expect([run.status, run.stderr]).toEqual([
        2,
        `infra-diff: --output ${path.join(missing, "diff.md")}: the folder ${missing} does not exist; give a file in an existing folder, or leave --output out for standard output\n`,
      ]);
      expect(existsSync(path.join(repo, "no-such-folder"))).toBe(false);
    });

    it("WHEN --plan names an environment the platform does not have THEN it exits 2 naming the accepted ones", async () => {
      const run = await diff("--plan", "bogus=plan.json");
      expect([run.status, run.stderr]).toEqual([
        2,
        'infra-diff: --plan bogus=plan.json: unknown environment "bogus"; accepted: local, staging, production\n',
      ]);
    });

    it("WHEN a --plan file does not exist THEN it exits 2 naming it, before any synth", async () => {
      const run = await diff("--base", "main", "--plan", "staging=no-such-plan.json");
      expect([run.status, run.stderr]).toEqual([2, "infra-diff: --plan staging=no-such-plan.json: no such file\n"]);
    });

    it("WHEN the base ref does not exist THEN it exits 2 naming the ref, and leaves no worktree", async () => {
      const run = await diff("--base", "no-such-branch");
      expect(run.stderr).toBe(
        'infra-diff: --base: unknown git ref "no-such-branch"; give a branch, tag or commit of this repository (in CI, fetch the base branch first, e.g. actions/checkout with fetch-depth: 0)\n',
      );
      expect(run.status).toBe(2);
      expect(worktrees()).toHaveLength(1);
    });

    it("WHEN the head ref does not exist THEN it exits 2 naming the option", async () => {
      const run = await diff("--base", "main", "--head", "v9.9.9");
      expect(run.stderr).toContain('infra-diff: --head: unknown git ref "v9.9.9"');
      expect(run.status).toBe(2);
      expect(worktrees()).toHaveLength(1);
    });

    it("WHEN the head does not synthesize THEN it exits 2 saying the head failed and why, and removes the worktrees", async () => {
      const run = await diff("--base", "main", "--head", "broken");
      expect(run.stderr).toContain(
        `infra-diff: synth of the head (broken, ${commits.broken!.slice(0, 12)}) failed (node tools/run-app.mjs):`,
      );
      expect(run.stderr).toContain(
        "services/catalog/service.ts: scaling.min: must be at most scaling.max (2); min === max means a fixed replica count (got 9)",
      );
      expect(run.stderr).not.toContain("synth of the base");
      expect(run.status).toBe(2);
      expect(worktrees()).toHaveLength(1);
      expect(cacheEntries().filter((entry) => entry.includes(".tmp-"))).toEqual([]);
    });

    it("WHEN the base's app command fails THEN the message names the base and shows what the app printed", async () => {
      const run = await diff("--base", "no-app", "--head", "main");
      expect(run.stderr).toContain(
        `infra-diff: synth of the base (no-app, ${commits["no-app"]!.slice(0, 12)}) failed (node -e "console.error('no synth here'); process.exit(3)"):\n  no synth here\n`,
      );
      expect(run.stderr).not.toContain("synth of the head");
      expect(run.status).toBe(2);
      expect(worktrees()).toHaveLength(1);
    });

    it("WHEN an option is unknown or a format is wrong THEN it exits 2 and says what is accepted", async () => {
      const unknown = await diff("--base", "main", "--colour");
      expect(unknown.stderr).toBe('infra-diff: unknown argument "--colour"; see --help\n');
      expect(unknown.status).toBe(2);
      const format = await diff("--base", "main", "--format", "yaml");
      expect(format.stderr).toBe('infra-diff: --format: "yaml" is not a format; accepted: markdown, json, text\n');
      expect(format.status).toBe(2);
    });

    it("WHEN asked for --help THEN it prints the usage and exits 0", async () => {
      const run = await diff("--help");
      expect(run.stdout).toContain("Usage: npm run infra:diff -- --base <git-ref> [--head <git-ref>]");
      expect(run.status).toBe(0);
    });
  });
});
