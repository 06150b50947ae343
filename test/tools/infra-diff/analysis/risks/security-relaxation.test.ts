import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StackJson } from "../../../../../infra/guardrails/synthesized-stack.js";
import { ofTypes, Problems, type ResourceRule } from "../../../../../infra/guardrails/rule.js";
import { GUARDRAIL_RULES } from "../../../../../infra/guardrails/rules/index.js";
import { analyse } from "../../../../../tools/infra-diff/analysis/index.js";
import type { GuardrailExceptions } from "../../../../../tools/infra-diff/guardrail-exceptions.js";
import { withGuardrailFindings } from "../../../../../tools/infra-diff/guardrail-findings.js";
import type { InfraDiffReport } from "../../../../../tools/infra-diff/report.js";
import { compareStacks } from "../../../../../tools/infra-diff/resource-changes.js";
import { snapshotOfStack } from "../../../../../tools/infra-diff/stack-snapshot.js";
import { renderPullRequestComment } from "../../../../../tools/infra-diff/render-markdown.js";
import { ROOT } from "../../../../support/cli.js";
import {
  copyStack,
  manifestIn,
  meshStack,
  namespaceIn,
  withoutManifest,
  type MeshStackJson,
} from "../../../../support/mesh-stacks.js";

/**
 * Security relaxations as infra:diff finds them: the guardrail rules run on both
 * synthesized sides, and a finding the head has and the base had not is a relaxation.
 * The sides are the example catalogue's synthesized `local` stack, changed as a pull
 * request could change it.
 */

function localStack(): StackJson & { resource: Record<string, Record<string, Record<string, unknown>>> } {
  return JSON.parse(readFileSync(path.join(ROOT, "test/infra/__snapshots__/local.cdk.tf.json"), "utf8"));
}

/** The stack with one service's containers changed. */
function withContainers(service: string, change: (container: Record<string, unknown>) => void, stack = localStack()) {
  const containers = Object.entries(stack.resource.docker_container!).filter(([name]) =>
    name.startsWith(`docker_${service}_containers_`),
  );
  if (containers.length === 0) throw new Error(`no container of ${service} in the local stack`);
  for (const [, container] of containers) change(container);
  return stack;
}

function diff(
  before: StackJson,
  after: StackJson,
  rules = GUARDRAIL_RULES,
  exceptions?: { before: GuardrailExceptions; after: GuardrailExceptions },
): InfraDiffReport {
  const side = (json: StackJson) =>
    withGuardrailFindings(new Map([["local", snapshotOfStack("local", json)]]), rules).get("local")!;
  return analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: [compareStacks(side(before), side(after))],
    exceptions,
  });
}

const relaxations = (report: InfraDiffReport) =>
  report.risks
    .filter((r) => r.kind === "security-relaxation")
    .map((r) => [r.code, r.environment, r.service, r.resources.length, r.reason]);
const summaryOf = (report: InfraDiffReport, service: string) =>
  report.services.find((s) => s.name === service)?.summary;

const RESTART_NO = 'guardrail DKR-06 (error) now reports: restart is "no", not "on-failure"';

describe("security relaxations from the guardrail findings of both sides", () => {
  it("GIVEN a head whose catalog container no longer restarts on failure (DKR-06) WHEN diffed THEN it is a relaxation of catalog naming the rule and what it found", () => {
    const report = diff(
      localStack(),
      withContainers("catalog", (c) => {
        c.restart = "no";
      }),
    );
    expect(relaxations(report)).toEqual([["new-guardrail-finding", "local", "catalog", 1, RESTART_NO]]);
    // What the table of relaxations shows: the rule, before and after.
    expect(report.risks.find((r) => r.kind === "security-relaxation")!.change).toEqual({
      what: "guardrail DKR-06 (error)",
      before: "passes",
      after: 'fails: restart is "no", not "on-failure"',
    });
    expect(summaryOf(report, "catalog")).toContain("now fails DKR-06");
  });

  it("GIVEN a catalog container that failed a rule in the base and fails it differently in the head WHEN diffed THEN it is a changed finding, not a new failure", () => {
    const restart = (value: string) =>
      withContainers("catalog", (c) => {
        c.restart = value;
      });
    const report = diff(restart("no"), restart("always"));
    expect(relaxations(report)).toEqual([
      [
        "changed-guardrail-finding",
        "local",
        "catalog",
        1,
        'guardrail DKR-06 (error) still fails, and now reports: restart is "always", not "on-failure"',
      ],
    ]);
    expect(summaryOf(report, "catalog")).toContain("still fails DKR-06 differently");
    expect(summaryOf(report, "catalog")).not.toContain("now fails DKR-06");
  });

  it("GIVEN a finding both sides have WHEN diffed THEN it is no relaxation, and the same rule on another service's resource is", () => {
    const before = withContainers("catalog", (c) => {
      c.restart = "no";
    });
    const after = withContainers(
      "gateway",
      (c) => {
        c.restart = "no";
      },
      withContainers("catalog", (c) => {
        c.restart = "no";
      }),
    );
    expect(relaxations(diff(before, before))).toEqual([]);
    // gateway runs two replicas locally: one risk for both of its containers.
    expect(relaxations(diff(before, after))).toEqual([
      ["new-guardrail-finding", "local", "gateway", 2, `${RESTART_NO} (and 1 more of its resources)`],
    ]);
  });

  it("GIVEN a rule added to the rules the diff runs (a team's cost rule) WHEN a head breaks it THEN its finding is a relaxation, with no change to infra:diff", () => {
    const memoryCap: ResourceRule = {
      id: "ACME-01",
      level: "warning",
      scope: "resource",
      checks: "containers are limited to 256 MiB",
      anchor: "ACME cost policy",
      appliesTo: ofTypes(["docker_container"]),
      check(resource) {
        const problems = new Problems();
        if (Number(resource.values.memory) > 256)
          problems.add(`memory is ${resource.values.memory} MiB, over 256`, "ask for less memory");
        return problems.outcome();
      },
    };
    const rules = [...GUARDRAIL_RULES, memoryCap];
    const after = withContainers("orders", (c) => {
      c.memory = 512;
      c.memory_swap = 512;
    });
    expect(relaxations(diff(localStack(), after, GUARDRAIL_RULES))).toEqual([]);
    expect(relaxations(diff(localStack(), after, rules))).toEqual([
      [
        "new-guardrail-finding",
        "local",
        "orders",
        expect.any(Number),
        expect.stringMatching(
          /^guardrail ACME-01 \(warning\) now reports: memory is 512 MiB, over 256( \(and \d+ more of its resources\))?$/,
        ),
      ],
    ]);
  });

  it("GIVEN a new finding the head suppresses (its guardrail report) WHEN diffed THEN the relaxation says so, and the new suppression is a risk of its own", () => {
    const after = withContainers("catalog", (c) => {
      c.read_only = false;
    });
    const reason = "the catalog writes its cache to the root file system";
    const resource = Object.keys(after.resource.docker_container!).find((n) => n.startsWith("docker_catalog_"))!;
    const suppressed = {
      rule: "DKR-02",
      level: "error",
      service: "catalog",
      resource: `docker_container.${resource}`,
      message: "read_only is false, so an intruder can change the image's files",
      suppressed: true,
      reason,
    };
    const report = diff(localStack(), after, GUARDRAIL_RULES, {
      before: { suppressions: new Map(), findings: new Map([["local", []]]) },
      after: { suppressions: new Map(), findings: new Map([["local", [suppressed]]]) },
    });
    expect(relaxations(report)).toEqual([
      [
        "new-guardrail-finding",
        "local",
        "catalog",
        1,
        "guardrail DKR-02 (error, suppressed) now reports: read_only is false, so an intruder can change the image's files",
      ],
      ["new-suppression", "local", "catalog", 1, `suppresses guardrail DKR-02: "${reason}"`],
    ]);
    expect(summaryOf(report, "catalog")).toBe("local: suppresses DKR-02");
    expect(report.risks.find((r) => r.code === "new-suppression")!.change).toEqual({
      what: "guardrail DKR-02",
      before: "in force",
      after: `suppressed: "${reason}"`,
    });
  });
});

/** The diff of generated stacks of each environment (staging, and production when given). */
function meshDiff(sides: Record<string, [MeshStackJson, MeshStackJson]>): InfraDiffReport {
  return analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: Object.entries(sides).map(([environment, [before, after]]) =>
      compareStacks(snapshotOfStack(environment, before), snapshotOfStack(environment, after)),
    ),
  });
}

/** The relaxations of a staging diff, as [code, service, change]. */
function meshRelaxations(before: MeshStackJson, after: MeshStackJson) {
  return meshDiff({ staging: [before, after] })
    .risks.filter((r) => r.kind === "security-relaxation")
    .map((r) => [r.code, r.service, r.change]);
}

function changed(stack: MeshStackJson, change: (copy: MeshStackJson) => void): MeshStackJson {
  const copy = copyStack(stack);
  change(copy);
  return copy;
}

const PEER_MODE = "Istio PeerAuthentication default: mtls.mode";

/** The stack with a Deployment of `service` in the namespace, as the Kubernetes target writes its pod template. */
function withDeployment(stack: MeshStackJson, service: string): MeshStackJson {
  const copy = copyStack(stack);
  const namespace = Object.values(copy.resource.kubernetes_namespace_v1!)[0]!.metadata as { name: string };
  const path = `staging/kubernetes/${service}/workload/deployment`;
  copy.resource.kubernetes_deployment_v1 = {
    [`kubernetes_${service}_workload_deployment`]: {
      "//": { metadata: { path, uniqueId: path } },
      metadata: { name: service, namespace: namespace.name, labels: { "app.kubernetes.io/name": service } },
      spec: {
        selector: { match_labels: { "app.kubernetes.io/name": service } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": service } },
          spec: { container: [{ name: service, image: `registry.example.com/${service}:1.0.0` }] },
        },
      },
    },
  };
  return copy;
}

/** The pod template labels of `service`'s Deployment, to change in place. */
function podLabelsIn(stack: MeshStackJson, service: string): Record<string, string> {
  const deployment = stack.resource.kubernetes_deployment_v1![`kubernetes_${service}_workload_deployment`] as any;
  return deployment.spec.template.metadata.labels;
}

describe("security relaxations of an Istio mesh", () => {
  const istio = meshStack("staging", "istio");
  const peer = (s: MeshStackJson) => manifestIn(s, "PeerAuthentication", "default").spec;

  it("GIVEN the same stack on both sides WHEN diffed THEN nothing relaxes", () => {
    expect(meshRelaxations(istio, copyStack(istio))).toEqual([]);
  });

  it.each(["PERMISSIVE", "DISABLE"])(
    "GIVEN the namespace's PeerAuthentication going from STRICT to %s WHEN diffed THEN it is a platform-wide relaxation, before -> after",
    (mode) => {
      const after = changed(istio, (s) => (peer(s).mtls.mode = mode));
      expect(meshRelaxations(istio, after)).toEqual([
        ["mesh-setting-relaxed", null, { what: PEER_MODE, before: "STRICT", after: mode }],
      ]);
    },
  );

  it("GIVEN the STRICT PeerAuthentication deleted WHEN diffed THEN the namespace falls back to Istio's PERMISSIVE default: a relaxation", () => {
    const after = withoutManifest(copyStack(istio), "PeerAuthentication", "default");
    expect(meshRelaxations(istio, after)).toEqual([
      [
        "mesh-setting-relaxed",
        null,
        { what: PEER_MODE, before: "STRICT", after: "deleted (Istio's default, PERMISSIVE)" },
      ],
    ]);
  });

  it("GIVEN a port-level mode added below a STRICT policy, and one relaxed WHEN diffed THEN each is a relaxation of that port", () => {
    const port = (mode: string) => (s: MeshStackJson) => (peer(s).portLevelMtls = { 8081: { mode } });
    expect(meshRelaxations(istio, changed(istio, port("DISABLE")))).toEqual([
      [
        "mesh-setting-relaxed",
        null,
        {
          what: "Istio PeerAuthentication default: portLevelMtls 8081",
          before: "removed (the policy's STRICT)",
          after: "DISABLE",
        },
      ],
    ]);
    expect(meshRelaxations(changed(istio, port("STRICT")), changed(istio, port("PERMISSIVE")))).toEqual([
      [
        "mesh-setting-relaxed",
        null,
        { what: "Istio PeerAuthentication default: portLevelMtls 8081", before: "STRICT", after: "PERMISSIVE" },
      ],
    ]);
  });

  it("GIVEN orders' DestinationRule going from ISTIO_MUTUAL to DISABLE WHEN diffed THEN it is a relaxation of orders", () => {
    const after = changed(
      istio,
      (s) => (manifestIn(s, "DestinationRule", "orders").spec.trafficPolicy.tls.mode = "DISABLE"),
    );
    expect(meshRelaxations(istio, after)).toEqual([
      [
        "mesh-setting-relaxed",
        "orders",
        { what: "Istio DestinationRule orders: trafficPolicy.tls.mode", before: "ISTIO_MUTUAL", after: "DISABLE" },
      ],
    ]);
  });

  it('GIVEN orders\' Deployment whose pod template opts out of the mesh (sidecar.istio.io/inject: "false") WHEN diffed THEN it is a relaxation of orders, as its pods lose mutual TLS and authorization; the opt-out kept on both sides is none', () => {
    const optedOut = (s: MeshStackJson) => (podLabelsIn(s, "orders")["sidecar.istio.io/inject"] = "false");
    const base = withDeployment(istio, "orders");
    expect(meshRelaxations(base, changed(base, optedOut))).toEqual([
      [
        "mesh-setting-relaxed",
        "orders",
        {
          what: "Deployment orders: pod label sidecar.istio.io/inject",
          before: "unset (the namespace's injection)",
          after: "false",
        },
      ],
    ]);
    expect(meshRelaxations(changed(base, optedOut), changed(base, optedOut))).toEqual([]);
  });

  it("GIVEN the namespace's istio-injection label removed (the mesh objects stay) WHEN diffed THEN it is a relaxation", () => {
    const after = changed(istio, (s) => delete namespaceIn(s).labels["istio-injection"]);
    expect(meshRelaxations(istio, after)).toEqual([
      [
        "mesh-setting-relaxed",
        null,
        { what: "namespace platform-staging: label istio-injection", before: "enabled", after: "removed" },
      ],
    ]);
  });

  it("GIVEN a tightening (PERMISSIVE to STRICT) and a DestinationRule deleted (automatic mutual TLS) WHEN diffed THEN neither is a relaxation", () => {
    const permissive = changed(istio, (s) => (peer(s).mtls.mode = "PERMISSIVE"));
    expect(meshRelaxations(permissive, istio)).toEqual([]);
    expect(meshRelaxations(istio, withoutManifest(copyStack(istio), "DestinationRule", "orders"))).toEqual([]);
  });

  it("GIVEN the mesh turned off in staging and production (PLATFORM_MESH istio -> none) WHEN diffed THEN it is one relaxation per environment naming every object that goes, and nothing per object", () => {
    const report = meshDiff({
      staging: [istio, meshStack("staging", "none")],
      production: [meshStack("production", "istio"), meshStack("production", "none")],
    });
    // The mesh's objects are under `<service or platform>/mesh/`; the other manifests (ServiceMonitors ...) stay.
    const istioObjects = Object.values(istio.resource.kubernetes_manifest!).filter((r) =>
      r["//"].metadata.path.includes("/mesh/"),
    ).length;
    expect(istioObjects).toBe(9);
    expect(
      report.risks
        .filter((r) => r.kind === "security-relaxation" || r.kind === "network-widening")
        .map((r) => [r.code, r.environment, r.service, r.resources.length, r.change]),
    ).toEqual(
      ["staging", "production"].map((environment) => [
        "mesh-removed",
        environment,
        null,
        istioObjects + 1,
        { what: "service mesh", before: "istio", after: "none" },
      ]),
    );
    // The Markdown table lists it once, for both environments, and counts both.
    const markdown = renderPullRequestComment(report).join("\n");
    expect(markdown).toContain("**security-relaxation** (1; 2 across environments)");
    expect(markdown).toContain("| mesh-removed: service mesh | platform-wide | staging, production | istio | none |");
  });
});

describe("security relaxations of a Linkerd mesh", () => {
  const linkerd = meshStack("staging", "linkerd");
  const INBOUND = "namespace platform-staging: annotation config.linkerd.io/default-inbound-policy";
  const inbound = (policy: string) =>
    changed(linkerd, (s) => (namespaceIn(s).annotations!["config.linkerd.io/default-inbound-policy"] = policy));

  it.each([
    ["all-authenticated", "all-unauthenticated"],
    ["all-authenticated", "cluster-unauthenticated"],
    ["deny", "all-authenticated"],
    ["deny", "cluster-authenticated"],
    ["cluster-authenticated", "all-authenticated"],
  ])(
    "GIVEN the default inbound policy going from %s to %s WHEN diffed THEN it is a relaxation, before -> after",
    (from, to) => {
      expect(meshRelaxations(inbound(from), inbound(to))).toEqual([
        ["mesh-setting-relaxed", null, { what: INBOUND, before: from, after: to }],
      ]);
    },
  );

  it.each([
    ["all-authenticated", "cluster-authenticated"],
    ["all-authenticated", "deny"],
    ["all-unauthenticated", "all-authenticated"],
  ])(
    "GIVEN the default inbound policy going from %s to %s (it lets in no request it did not) WHEN diffed THEN it is no relaxation",
    (from, to) => {
      expect(meshRelaxations(inbound(from), inbound(to))).toEqual([]);
    },
  );

  it("GIVEN the namespace's linkerd.io/inject annotation removed WHEN diffed THEN it is a relaxation", () => {
    const after = changed(linkerd, (s) => delete namespaceIn(s).annotations!["linkerd.io/inject"]);
    expect(meshRelaxations(linkerd, after)).toEqual([
      [
        "mesh-setting-relaxed",
        null,
        { what: "namespace platform-staging: annotation linkerd.io/inject", before: "enabled", after: "removed" },
      ],
    ]);
  });

  it("GIVEN Linkerd turned off (PLATFORM_MESH linkerd -> none) WHEN diffed THEN it is one relaxation of the environment", () => {
    expect(meshRelaxations(linkerd, meshStack("staging", "none"))).toEqual([
      ["mesh-removed", null, { what: "service mesh", before: "linkerd", after: "none" }],
    ]);
  });
});
