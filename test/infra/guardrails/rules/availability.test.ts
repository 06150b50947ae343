import { beforeAll, describe, expect, it } from "vitest";
import { productionReplicas } from "../../../../infra/guardrails/rules/k8s-15-production-replicas.js";
import { spreadReplicas } from "../../../../infra/guardrails/rules/k8s-16-spread-replicas.js";
import { rollingUpdateAndSelector } from "../../../../infra/guardrails/rules/k8s-17-rolling-update-and-selector.js";
import { disruptionBudget } from "../../../../infra/guardrails/rules/k8s-18-disruption-budget.js";
import { nonBlockingDisruptionBudget } from "../../../../infra/guardrails/rules/k8s-19-non-blocking-disruption-budget.js";
import { autoscalerBoundsAndTarget } from "../../../../infra/guardrails/rules/k8s-20-autoscaler-bounds-and-target.js";
import { service } from "../../../support/platform.js";
import { guardrailsFixture, K8S, POD, type GuardrailsFixture } from "../../../support/guardrails.js";

const ORDERS = K8S.deployment("orders");

describe("availability rules (K8S-15 to K8S-20)", () => {
  let staging: GuardrailsFixture;
  let production: GuardrailsFixture;
  beforeAll(() => {
    // GIVEN the generated staging and production stacks of the example catalogue
    staging = guardrailsFixture("staging");
    production = guardrailsFixture("production");
  });

  it.each([productionReplicas, spreadReplicas, rollingUpdateAndSelector, disruptionBudget])(
    "GIVEN the generated production Deployment WHEN $id checks it THEN it is compliant",
    (rule) => {
      expect(production.outcome(rule, ORDERS)).toEqual({ status: "compliant" });
    },
  );

  it("GIVEN the generated PDB and HPA WHEN K8S-19 and K8S-20 check them THEN they are compliant", () => {
    expect(production.outcome(nonBlockingDisruptionBudget, K8S.disruptionBudget("orders"))).toEqual({
      status: "compliant",
    });
    expect(production.outcome(autoscalerBoundsAndTarget, K8S.autoscaler("orders"))).toEqual({ status: "compliant" });
  });

  it("GIVEN staging WHEN K8S-15 checks a Deployment THEN it does not apply (production only)", () => {
    expect(staging.outcome(productionReplicas, ORDERS)).toEqual({ status: "not-applicable" });
  });

  it("GIVEN an autoscaler lowered to one replica in production WHEN checked THEN K8S-15 names the autoscaler", () => {
    const fixture = guardrailsFixture("production");
    fixture.resource(K8S.autoscaler("orders")).addOverride("spec.min_replicas", 1);
    const hpa = fixture.address(K8S.autoscaler("orders"));
    expect(fixture.findingsOf("K8S-15")).toEqual([
      {
        rule: "K8S-15",
        level: "error",
        resource: fixture.address(ORDERS),
        message: `runs 1 replica in production (min_replicas of ${hpa}), so a rollout or a node drain is an outage`,
      },
    ]);
  });

  it("GIVEN a spec fixing production at one replica WHEN checked THEN K8S-15 reports spec.replicas", () => {
    const fixture = guardrailsFixture("production", [
      service({ name: "batch", build: {}, port: 8080, environments: { production: { scaling: { min: 1, max: 1 } } } }),
    ]);
    expect(fixture.findingsOf("K8S-15")).toEqual([
      {
        rule: "K8S-15",
        level: "error",
        resource: fixture.address(K8S.deployment("batch")),
        message: "runs 1 replica in production (spec.replicas), so a rollout or a node drain is an outage",
      },
    ]);
  });

  it("GIVEN the topology spread removed WHEN checked THEN K8S-16 warns", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(ORDERS).addOverride(`${POD}.topology_spread_constraint`, undefined);
    expect(fixture.findingsOf("K8S-16")).toEqual([
      {
        rule: "K8S-16",
        level: "warning",
        resource: fixture.address(ORDERS),
        message: `may run 5 replicas (${fixture.address(K8S.autoscaler("orders"))}) with no topology spread constraint selecting its pods and no pod anti-affinity, so one node failure can take them all`,
      },
    ]);
  });

  it("GIVEN a single fixed replica WHEN K8S-16 checks it THEN it does not apply", () => {
    const fixture = guardrailsFixture("staging", [
      service({ name: "batch", build: {}, port: 8080, scaling: { min: 1, max: 1 } }),
    ]);
    expect(fixture.outcome(spreadReplicas, K8S.deployment("batch"))).toEqual({ status: "not-applicable" });
  });

  it("GIVEN a Recreate strategy and a selector that misses the pod labels WHEN checked THEN K8S-17 reports both", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(ORDERS).addOverride("spec.strategy", { type: "Recreate", rolling_update: undefined });
    fixture.resource(ORDERS).addOverride("spec.selector.match_labels", { "app.kubernetes.io/name": "order" });
    expect(fixture.findingsOf("K8S-17").map((f) => f.message)).toEqual([
      'spec.strategy.type is "Recreate", not RollingUpdate, so a rollout may stop every pod at once',
      "spec.selector (app.kubernetes.io/name=order) does not match the pod template labels (app.kubernetes.io/managed-by=cdktf, app.kubernetes.io/name=orders, app.kubernetes.io/part-of=platform, platform.dev/environment=staging)",
    ]);
  });

  it("GIVEN a PDB whose selector misses the Deployment WHEN checked THEN K8S-18 warns on the Deployment and K8S-19 reports the dangling PDB", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.disruptionBudget("orders"))
      .addOverride("spec.selector.match_labels", { "app.kubernetes.io/name": "ordres" });
    expect(fixture.findingsOf("K8S-18")).toEqual([
      {
        rule: "K8S-18",
        level: "warning",
        resource: fixture.address(ORDERS),
        message: "no PodDisruptionBudget selects its pods, so a node drain may evict them all at once",
      },
    ]);
    expect(fixture.findingsOf("K8S-19")).toEqual([
      {
        rule: "K8S-19",
        level: "error",
        resource: fixture.address(K8S.disruptionBudget("orders")),
        message: 'selects no pods of this stack (selector app.kubernetes.io/name=ordres, namespace "platform-staging")',
      },
    ]);
  });

  it("GIVEN a PDB that allows no eviction WHEN checked THEN K8S-19 reports it", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.disruptionBudget("orders")).addOverride("spec.max_unavailable", "0");
    expect(fixture.findingsOf("K8S-19").map((f) => f.message)).toEqual([
      'max_unavailable is "0", so no pod may ever be evicted and node drains block',
    ]);
  });

  it("GIVEN a PDB whose min_available equals the HPA minimum WHEN checked THEN K8S-19 reports the blocked drain", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.disruptionBudget("orders"))
      .addOverride("spec", { max_unavailable: undefined, min_available: "2" });
    expect(fixture.findingsOf("K8S-19").map((f) => f.message)).toEqual([
      `min_available "2" is not below the 2 replicas ${fixture.address(ORDERS)} may run (${fixture.address(K8S.autoscaler("orders"))}), so at that count no pod may be evicted and node drains block`,
    ]);
  });

  it("GIVEN an HPA whose max equals its min and whose target is misspelt WHEN checked THEN K8S-20 reports both", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.autoscaler("orders")).addOverride("spec.max_replicas", 2);
    fixture.resource(K8S.autoscaler("orders")).addOverride("spec.scale_target_ref.name", "order");
    expect(fixture.findingsOf("K8S-20")).toEqual([
      {
        rule: "K8S-20",
        level: "error",
        resource: fixture.address(K8S.autoscaler("orders")),
        message: "max_replicas (2) is not above min_replicas (2), so it never scales",
      },
      {
        rule: "K8S-20",
        level: "error",
        resource: fixture.address(K8S.autoscaler("orders")),
        message: 'scales "Deployment" "order", which this stack does not define in namespace "platform-staging"',
      },
    ]);
  });

  it("GIVEN an HPA without min_replicas WHEN checked THEN K8S-20 asks for it", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.autoscaler("orders")).addOverride("spec.min_replicas", undefined);
    expect(fixture.findingsOf("K8S-20").map((f) => f.message)).toEqual([
      "min_replicas is unset; it must be set and at least 1",
    ]);
  });
});
