import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { thrownBy } from "../support/thrown.js";
import { AdjustmentError, defineAdjustment, isResourceOfType, type Adjustment } from "../../infra/adjustments.js";
import { buildPlatformApp } from "../../infra/app.js";
import { loadEnvironments } from "../../infra/environments.js";
import { runCli } from "../support/cli.js";
import { continuingOnErrorAnnotations } from "../support/guardrails.js";
import { exampleServices, resourcesOfType, type StackJson } from "../support/platform.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const scratch = scratchFolders();

const companyAnnotation: Adjustment = {
  name: "company-annotation",
  description: "every Deployment names the owning company",
  visit(node) {
    if (isResourceOfType(node, "kubernetes_deployment_v1"))
      node.addOverride("metadata.annotations", { "acme.example/company": "acme" });
  },
};
const productionPool: Adjustment = {
  name: "production-pool",
  description: "production pods run on the general node pool",
  environments: ["production"],
  visit(node) {
    if (isResourceOfType(node, "kubernetes_deployment_v1"))
      node.addOverride("spec.template.spec.node_selector", { pool: "general" });
  },
};

describe("defineAdjustment", () => {
  it.each([
    [
      "a name with upper case",
      { ...companyAnnotation, name: "Company" },
      "adjustment Company: name must be lower-case letters, digits and '-', starting with a letter, like company-annotations",
    ],
    [
      "no visit",
      { ...companyAnnotation, visit: undefined },
      "adjustment company-annotation: visit must be a function (node, environment) => void",
    ],
  ])("GIVEN an adjustment with %s WHEN defined THEN it is refused saying what is accepted", (_case, input, problem) => {
    const error = thrownBy(() => defineAdjustment(input as unknown as Adjustment));
    expect(error).toBeInstanceOf(AdjustmentError);
    expect(error).toMatchObject({ code: "ADJUSTMENT_INVALID", problems: [problem] });
  });
});

describe("adjustments in the app", () => {
  it("GIVEN an adjustment for every environment and one for production WHEN synthesized THEN each Deployment carries what applies to its environment", () => {
    const outdir = scratch.folder("adjustments-app-");
    const { app, stacks } = buildPlatformApp({
      services: exampleServices(),
      environments: loadEnvironments({}),
      adjustments: [defineAdjustment(companyAnnotation), defineAdjustment(productionPool)],
      outdir,
    });
    app.synth();
    const stackOf = (env: string) =>
      JSON.parse(readFileSync(path.join(outdir, "stacks", env, "cdk.tf.json"), "utf8")) as StackJson;
    expect(stacks.map((s) => s.environment.name)).toEqual(["local", "staging", "production"]);
    for (const env of ["staging", "production"]) {
      const deployments = resourcesOfType(stackOf(env), "kubernetes_deployment_v1");
      expect(deployments.length).toBe(3);
      for (const { values } of deployments) {
        expect(values.metadata.annotations).toEqual({ "acme.example/company": "acme" });
        expect(values.spec.template.spec.node_selector).toEqual(env === "production" ? { pool: "general" } : undefined);
      }
    }
  });
});

describe("the guardrails after adjustments", () => {
  it("GIVEN an adjustment that removes constructs (the stack's last among them) and one that makes containers privileged WHEN synthesized THEN every environment is still checked and the change is found", () => {
    const outdir = scratch.folder("adjustments-check-");
    const removeDashboards = defineAdjustment({
      name: "no-dashboards",
      description: "removes every service's dashboard",
      visit(node) {
        if (node.node.id === "monitoring") node.node.tryRemoveChild("dashboard");
      },
    });
    const privileged = defineAdjustment({
      name: "privileged",
      description: "makes every container privileged",
      visit(node) {
        if (isResourceOfType(node, "kubernetes_deployment_v1"))
          node.addOverride("spec.template.spec.container.0.security_context.privileged", true);
      },
    });
    const guardrails = continuingOnErrorAnnotations(() => {
      const built = buildPlatformApp({
        services: exampleServices(),
        environments: loadEnvironments({}),
        adjustments: [removeDashboards, privileged],
        outdir,
      });
      built.app.synth();
      return built.guardrails;
    });
    expect(guardrails.environments).toEqual(["local", "addons-staging", "staging", "addons-production", "production"]);
    expect(
      new Set(guardrails.findings.filter((f) => f.rule === "K8S-03").map((f) => `${f.environment} ${f.service}`)),
    ).toEqual(
      new Set(["staging", "production"].flatMap((env) => ["catalog", "gateway", "orders"].map((s) => `${env} ${s}`))),
    );
    const staging = JSON.parse(
      readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8"),
    ) as StackJson;
    expect(
      resourcesOfType(staging, "kubernetes_config_map_v1").filter(({ values }) =>
        String(values.metadata.name).endsWith("-dashboard"),
      ),
    ).toEqual([]);
  });
});

/** An adjustment file of extensions/adjustments/. */
const ADJUSTMENT_FILE = (
  body: string,
  environments = "",
) => `import { defineAdjustment, isResourceOfType } from "../../infra/adjustments.js";

export default defineAdjustment({
  name: "company",
  description: "Acme's changes",
  ${environments}
  visit(node) {
    if (isResourceOfType(node, "kubernetes_deployment_v1")) ${body};
  },
});
`;

describe("npm run synth with adjustments in extensions/adjustments/", () => {
  async function synthWith(file: string): Promise<{ status: number | null; stderr: string; outdir: string }> {
    const copy = scratch.removeLater(copyRepository("platform-adjustments-"));
    mkdirSync(path.join(copy, "extensions", "adjustments"), { recursive: true });
    writeFileSync(path.join(copy, "extensions", "adjustments", "company.ts"), file);
    const outdir = scratch.folder("platform-adjustments-out-");
    const run = await runCli("tools/run-app.mjs", [], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir } });
    return { status: run.status, stderr: run.stderr, outdir };
  }

  it("GIVEN an adjustment that annotates every Deployment WHEN synthesized THEN the stacks carry the annotation, with no edit of infra/", async () => {
    const run = await synthWith(
      ADJUSTMENT_FILE('node.addOverride("metadata.annotations", { "acme.example/company": "acme" })'),
    );
    expect(run.status, run.stderr).toBe(0);
    const stack = JSON.parse(
      readFileSync(path.join(run.outdir, "stacks", "production", "cdk.tf.json"), "utf8"),
    ) as StackJson;
    const annotations = Object.fromEntries(
      resourcesOfType(stack, "kubernetes_deployment_v1").map(({ values }) => [
        values.metadata.name,
        values.metadata.annotations,
      ]),
    );
    // Every example's Deployment; orders keeps the annotation the platform gives it (its uses), beside Acme's.
    expect(annotations).toEqual({
      catalog: { "acme.example/company": "acme" },
      fulfilment: { "acme.example/company": "acme" },
      gateway: { "acme.example/company": "acme" },
      orders: { "acme.example/company": "acme", "platform.dev/uses": "fulfilment-queue" },
    });
  });

  it("GIVEN an adjustment that lets containers escalate privileges WHEN synthesized THEN the guardrails, which run after it, fail the synth", async () => {
    const run = await synthWith(
      ADJUSTMENT_FILE(
        'node.addOverride("spec.template.spec.container.0.security_context.allow_privilege_escalation", true)',
      ),
    );
    expect(run.stderr).toMatch(/^K8S-02 error staging orders /m);
    expect(run.status).toBe(1);
  });

  it("GIVEN an adjustment for an environment that does not exist WHEN synthesized THEN it exits 1 naming the file and the known environments", async () => {
    const run = await synthWith(ADJUSTMENT_FILE("void node", 'environments: ["prod"],'));
    expect(run.stderr).toContain(
      'synth failed:\nextensions/adjustments/company.ts: adjustment company: environments names "prod", which is not an environment; known environments: local, staging, production',
    );
    expect(run.status).toBe(1);
  });
});
