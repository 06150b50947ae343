import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IConstruct } from "constructs";
import { describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../../infra/app.js";
import { Aspects, TerraformResource } from "../../../infra/engine/cdk.js";
import { discoverServices } from "../../../infra/discover-services.js";
import { loadEnvironments } from "../../../infra/environments.js";
import { checkStackJson, ruleEnvironmentOf, suppressionsOf } from "../../../infra/guardrails/index.js";
import { exampleServices, service } from "../../support/platform.js";
import {
  CONTAINER,
  K8S,
  continuingOnErrorAnnotations,
  resourceAt,
  synthWithGuardrails,
} from "../../support/guardrails.js";

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("the guardrails at synth", () => {
  it("GIVEN the example catalogue of services/ and no environment settings WHEN synthesized THEN the only findings are DATA-02 warnings for production's two databases without backups", async () => {
    const { run, annotations } = synthWithGuardrails(await discoverServices(REPOSITORY));
    expect(run.environments).toEqual(["local", "addons-staging", "staging", "addons-production", "production"]);
    // Nothing but the backups PLATFORM_BACKUP_DESTINATION would give (synth-command.test.ts
    // synthesizes with it, and with PLATFORM_KUBE_API_CIDR, and finds nothing at all).
    expect(run.findings.map((f) => [f.rule, f.level, f.environment, f.service, f.path, f.suppressed])).toEqual([
      [
        "DATA-02",
        "warning",
        "production",
        "catalog",
        "production/kubernetes/catalog/backing-services/db/cluster",
        false,
      ],
      ["DATA-02", "warning", "production", "orders", "production/kubernetes/orders/backing-services/db/cluster", false],
    ]);
    // Warnings only, none an error: the unset API server address and backups, and the two
    // findings (synthWithGuardrails records each image in a lock: no images-by-tag warning).
    const annotated = (environment: string) =>
      annotations[environment]!.map(
        (a) => `${a.level} ${a.constructPath}: ${a.message.split(" ").slice(0, 2).join(" ")}`,
      );
    expect(annotated("local")).toEqual([]);
    expect(annotated("staging")).toEqual(["@cdktf/warn staging/kubernetes: staging: PLATFORM_KUBE_API_CIDR"]);
    expect(annotated("production")).toEqual([
      "@cdktf/warn production/kubernetes: production: PLATFORM_KUBE_API_CIDR",
      "@cdktf/warn production/kubernetes/catalog/backing-services/db/cluster: catalog-db in",
      "@cdktf/warn production/kubernetes/catalog/backing-services/db/cluster: DATA-02 warning",
      "@cdktf/warn production/kubernetes/orders/backing-services/db/cluster: orders-db in",
      "@cdktf/warn production/kubernetes/orders/backing-services/db/cluster: DATA-02 warning",
    ]);
  });

  it("GIVEN every spec feature (public, secrets, egress, fixed count, own metrics port, pinned image with its health command) WHEN synthesized THEN the generated defaults pass every rule", () => {
    const services = [
      ...exampleServices(),
      service({ name: "batch", build: {}, port: 8090, scaling: { min: 2, max: 2 }, monitoring: { metricsPort: 9100 } }),
      service({
        name: "search",
        image: "ghcr.io/acme/search:4.2.0",
        port: 9200,
        dependsOn: ["catalog"],
        health: { dockerCheck: ["wget", "-q", "-O-", "http://127.0.0.1:9200/healthz"] },
      }),
    ];
    expect(synthWithGuardrails(services).run.findings).toEqual([]);
  });

  it("GIVEN an aspect of the user's that makes containers privileged WHEN synthesized THEN the guardrails see its change and the stack keeps it", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-guardrails-aspect-"));
    try {
      continuingOnErrorAnnotations(() => {
        const { app, stacks, guardrails } = buildPlatformApp({
          services: [service({ name: "api", build: {}, port: 8080 })],
          environments: loadEnvironments({}),
          outdir,
        });
        const staging = stacks.find((s) => s.environment.name === "staging")!;
        Aspects.of(staging).add({
          visit(node: IConstruct) {
            if (node instanceof TerraformResource && node.terraformResourceType === "kubernetes_deployment_v1")
              node.addOverride(`${CONTAINER}.security_context.privileged`, true);
          },
        });
        app.synth();
        expect(guardrails.findings.map((f) => `${f.rule} ${f.environment} ${f.service}`)).toEqual([
          "K8S-03 staging api",
        ]);
        const written = JSON.parse(readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8"));
        expect(
          Object.values(written.resource.kubernetes_deployment_v1 as Record<string, any>)[0].spec.template.spec
            .container[0].security_context.privileged,
        ).toBe(true);
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("GIVEN a weakened stack WHEN its written cdk.tf.json is checked on its own THEN the findings are those of synth", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-guardrails-json-"));
    try {
      continuingOnErrorAnnotations(() => {
        const { app, stacks, catalogues, guardrails } = buildPlatformApp({
          services: exampleServices(),
          environments: loadEnvironments({}),
          outdir,
        });
        const staging = stacks.find((s) => s.environment.name === "staging")!;
        resourceAt(staging, K8S.networkPolicy("orders")).addOverride("spec.egress", [
          { to: [{ ip_block: { cidr: "0.0.0.0/0" } }] },
        ]);
        app.synth();
        const written = JSON.parse(readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8"));
        const catalogue = catalogues.get("staging")!;
        expect(
          checkStackJson(written, ruleEnvironmentOf(staging.environment, catalogue), suppressionsOf(catalogue)),
        ).toEqual(guardrails.findingsOf("staging"));
        expect(guardrails.findingsOf("staging").map((f) => f.rule)).toEqual(["K8S-22"]);
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("GIVEN a privileged container WHEN synthesized as cdktf does without the continue flag THEN synth throws with the finding's line", () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-guardrails-throw-"));
    try {
      const { app, stacks } = buildPlatformApp({
        services: [service({ name: "api", build: {}, port: 8080 })],
        environments: loadEnvironments({}),
        outdir,
      });
      resourceAt(stacks.find((s) => s.environment.name === "staging")!, K8S.deployment("api")).addOverride(
        `${CONTAINER}.security_context.privileged`,
        true,
      );
      expect(() => app.synth()).toThrow(
        /\[staging\/kubernetes\/api\/workload\/deployment\] K8S-03 error staging api kubernetes_deployment_v1\.\S+: container "api": privileged is true/,
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("GIVEN a value Terraform computes WHEN synthesized THEN it is a warning annotation and synth does not fail", () => {
    const { run, annotations } = synthWithGuardrails([service({ name: "api", build: {}, port: 8080 })], (stacks) => {
      resourceAt(stacks.find((s) => s.environment.name === "staging")!, K8S.deployment("api")).addOverride(
        `${CONTAINER}.image`,
        "${var.api_image}",
      );
    });
    expect(run.findings.map((f) => `${f.rule} ${f.level}`)).toEqual(["K8S-11 warning"]);
    // Besides the warning of the image deployed by tag (api's is in no images.lock.json), nothing but warnings.
    expect(annotations.staging!.filter((a) => a.message.startsWith("K8S-11")).map((a) => a.level)).toEqual([
      "@cdktf/warn",
    ]);
    expect(new Set(annotations.staging!.map((a) => a.level))).toEqual(new Set(["@cdktf/warn"]));
  });
});
