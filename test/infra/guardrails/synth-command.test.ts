import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyRepository } from "../../support/repo-copy.js";

/** Where the test adds escape hatches: after the line of each target's construct that creates the resources. */
const KUBERNETES_SERVICE = "infra/targets/kubernetes/kubernetes-service.ts";
const KUBERNETES_ANCHOR = '    this.exposure = new Exposure(this, "exposure", { spec, environment });\n';
const DOCKER_SERVICE = "infra/targets/docker/docker-service.ts";
const DOCKER_ANCHOR = "      after: data.map((db) => db.container),\n    });\n";

/** Escape hatches a careless change could make: privileged, open ingress, latest image, no limits. */
const DOCKER_WEAKENING = `    if (this.spec.name === "orders") {
      for (const container of this.replicas.containers) {
        container.addOverride("privileged", true);
        container.addOverride("memory", undefined);
        container.addOverride("ports", [{ internal: 8080, external: 8080, ip: "0.0.0.0" }]);
      }
    }
`;
const KUBERNETES_WEAKENING = `    if (spec.name === "orders") {
      const container = "spec.template.spec.container.0";
      this.workload.deployment.addOverride(\`\${container}.security_context.privileged\`, true);
      this.workload.deployment.addOverride(\`\${container}.image\`, "nginx:latest");
      this.workload.deployment.addOverride(\`\${container}.resources.limits\`, undefined);
      this.networkRules.policy.addOverride("spec.ingress", [{ from: [{ ip_block: { cidr: "0.0.0.0/0" } }] }]);
    }
`;

/**
 * The settings a real environment has: the Kubernetes API server's address (for the database
 * and queue pods) and where backups go. Without them the examples' databases synthesize with
 * honest warnings (and DATA-02 warns of production's unarchived databases), which are not
 * what these tests are about.
 */
const ENVIRONMENT_SETTINGS = {
  PLATFORM_KUBE_API_CIDR: "10.0.0.1/32",
  PLATFORM_BACKUP_DESTINATION: "s3://acme-backups/production",
  PLATFORM_BACKUP_CIDR: "10.20.0.0/24",
};

/**
 * What a real environment also has: its images pushed, and their digests in images.lock.json
 * (made up here, in the copy only: the examples' images were never pushed), so that no
 * image is deployed by tag and warned of.
 */
function lockEveryImage(copy: string): void {
  const images = Object.fromEntries(
    readdirSync(path.join(copy, "services")).map((name) => [
      name,
      {
        version: JSON.parse(readFileSync(path.join(copy, "services", name, "package.json"), "utf8")).version,
        digest: `sha256:${"0".repeat(64)}`,
      },
    ]),
  );
  writeFileSync(path.join(copy, "images.lock.json"), JSON.stringify({ images }));
}

function synth(cwd: string) {
  // As a user runs it: none of the variables the cdktf CLI would set.
  const { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: _continue, CDKTF_OUTDIR: _outdir, ...env } = process.env;
  const result = spawnSync(process.execPath, ["tools/run-app.mjs"], {
    cwd,
    encoding: "utf8",
    env: { ...env, ...ENVIRONMENT_SETTINGS },
  });
  return { status: result.status, stderr: result.stderr };
}

const report = (cwd: string, environment: string) =>
  JSON.parse(readFileSync(path.join(cwd, "cdktf.out", "guardrails", `${environment}.json`), "utf8"));

describe("npm run synth with the guardrails", () => {
  let copy: string;
  beforeAll(() => {
    // GIVEN a copy of the repository (its code, its services, its installed packages)
    // (templates/ too: the services' contracts import the runtime's contract module)
    copy = copyRepository("platform-synth-");
    lockEveryImage(copy);
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("GIVEN the generated resources and an environment's settings WHEN synth runs THEN it exits 0, prints the summary and writes an empty report per environment", () => {
    const { status, stderr } = synth(copy);
    expect(status).toBe(0);
    // The summary is all it prints: no warning comes before it.
    expect(stderr).toMatch(
      /^guardrails \(\d+ rules\)\s+errors\s+warnings\s+suppressed\nlocal\s+0\s+0\s+0\naddons-staging\s+0\s+0\s+0\nstaging\s+0\s+0\s+0\naddons-production\s+0\s+0\s+0\nproduction\s+0\s+0\s+0\nsynthesized local, staging, production \(4 services\)/,
    );
    expect(report(copy, "production")).toMatchObject({
      environment: "production",
      errors: 0,
      warnings: 0,
      suppressed: 0,
      findings: [],
    });
  });

  it("GIVEN constructs weakened by escape hatches and an environment's settings WHEN synth runs THEN it exits 1 and prints each rule's finding, environment, service and resource", () => {
    for (const [file, anchor, weakening] of [
      [KUBERNETES_SERVICE, KUBERNETES_ANCHOR, KUBERNETES_WEAKENING],
      [DOCKER_SERVICE, DOCKER_ANCHOR, DOCKER_WEAKENING],
    ] as const) {
      const source = readFileSync(path.join(copy, file), "utf8");
      expect(source).toContain(anchor);
      writeFileSync(path.join(copy, file), source.replace(anchor, anchor + weakening));
    }

    const { status, stderr } = synth(copy);
    expect(status).toBe(1);
    const lines = stderr.split("\n");
    for (const environment of ["staging", "production"]) {
      for (const [rule, message] of [
        ["K8S-03", 'container "orders": privileged is true'],
        ["K8S-11", 'container "orders": image "nginx:latest" uses the tag latest'],
        ["K8S-09", 'container "orders": resources.limits.memory is unset'],
      ]) {
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^${rule} error ${environment} orders kubernetes_deployment_v1\\.kubernetes_orders_workload_deployment_[0-9A-F]{8}: ${escapeRegExp(message!)}.*; fix: `,
            ),
          ),
        );
      }
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^K8S-22 error ${environment} orders kubernetes_network_policy_v1\\.\\S+: ingress rule 3 allows ip_block 0\\.0\\.0\\.0/0`,
          ),
        ),
      );
    }
    for (const [rule, message] of [
      ["DKR-01", "privileged is true"],
      ["DKR-05", "memory is unset"],
      ["DKR-10", "publishes port 8080 although orders is internal"],
      ["DKR-10", 'port 8080 is published on "0.0.0.0", not 127.0.0.1'],
    ]) {
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^${rule} error local orders docker_container\\.docker_orders_containers_replica-1_[0-9A-F]{8}: ${escapeRegExp(message!)}.*; fix: `,
          ),
        ),
      );
    }
    expect(stderr).toMatch(
      /\nlocal\s+4\s+0\s+0\naddons-staging\s+0\s+0\s+0\nstaging\s+4\s+0\s+0\naddons-production\s+0\s+0\s+0\nproduction\s+4\s+0\s+0\n/,
    );
    expect(stderr).toContain("synth failed: 12 guardrail errors (listed above; reports in cdktf.out/guardrails)");
    expect(
      report(copy, "staging")
        .findings.map((f: { rule: string }) => f.rule)
        .sort(),
    ).toEqual(["K8S-03", "K8S-09", "K8S-11", "K8S-22"]);
    expect(
      report(copy, "local")
        .findings.map((f: { rule: string }) => f.rule)
        .sort(),
    ).toEqual(["DKR-01", "DKR-05", "DKR-10", "DKR-10"]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
