import { beforeAll, describe, expect, it } from "vitest";
import { analyse } from "../../../../../tools/infra-diff/analysis/index.js";
import type { InfraDiffReport } from "../../../../../tools/infra-diff/report.js";
import { compareStacks } from "../../../../../tools/infra-diff/resource-changes.js";
import type { StackJson as SynthesizedJson } from "../../../../../infra/guardrails/synthesized-stack.js";
import { snapshotOfStack } from "../../../../../tools/infra-diff/stack-snapshot.js";
import { service, synthPlatform, type StackJson } from "../../../../support/platform.js";

/**
 * Network widening as infra:diff finds it, on stacks the platform synthesized: orders owns
 * a database, and a pull request lets reports read it (`uses`).
 */
const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };
const catalogue = (uses: string[]) =>
  synthPlatform(
    [
      service({ name: "orders", build: {}, port: 8080, backingServices: { db: { type: "postgres" } } }),
      service({ name: "reports", build: {}, port: 8081, uses }),
    ],
    API,
  );

function widening(before: Record<string, StackJson>, after: Record<string, StackJson>, environment: string) {
  const report: InfraDiffReport = analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: [
      compareStacks(
        snapshotOfStack(environment, before[environment] as SynthesizedJson),
        snapshotOfStack(environment, after[environment] as SynthesizedJson),
      ),
    ],
  });
  return report.risks
    .filter((risk) => risk.kind === "network-widening")
    .map((risk) => [risk.code, risk.reason, risk.change]);
}

describe("network widening by a new reader of a backing service", () => {
  let before: Record<string, StackJson>;
  let after: Record<string, StackJson>;
  beforeAll(() => {
    before = catalogue([]);
    after = catalogue(["orders.db"]);
  });

  it.each(["local", "staging"])(
    "GIVEN reports newly using orders.db WHEN %s is diffed THEN it is a new edge from reports to orders",
    (environment) => {
      expect(widening(before, after, environment)).toContainEqual([
        "new-edge",
        "reports may now call orders",
        { what: "calls orders", before: "not allowed", after: "allowed" },
      ]);
    },
  );

  it("GIVEN no change of readers WHEN diffed THEN there is no widening", () => {
    for (const environment of ["local", "staging"])
      expect(widening(after, catalogue(["orders.db"]), environment)).toEqual([]);
  });
});

describe("a new edge that closes a cycle of calls", () => {
  // GIVEN gateway calls orders, which calls catalog
  const calls = (catalogCalls: string[]) =>
    synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, dependsOn: catalogCalls }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders"] }),
    ]);
  let before: Record<string, StackJson>;
  beforeAll(() => {
    before = calls([]);
  });

  it.each(["local", "staging"])(
    "GIVEN catalog newly calling gateway WHEN %s is diffed THEN the edge and the cycle it closes are risks",
    (environment) => {
      expect(widening(before, calls(["gateway"]), environment)).toEqual([
        [
          "new-edge",
          "catalog may now call gateway",
          { what: "calls gateway", before: "not allowed", after: "allowed" },
        ],
        [
          "dependency-cycle",
          "catalog may now call gateway, which closes the cycle catalog -> gateway -> orders -> catalog: a request can loop round it and a failure of one of them reaches the others",
          { what: "calls gateway", before: "no cycle", after: "cycle catalog -> gateway -> orders -> catalog" },
        ],
      ]);
    },
  );

  it("GIVEN catalog newly calling a service that does not call it back WHEN diffed THEN it is a new edge and no cycle", () => {
    const after = synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, dependsOn: ["prices"] }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders"] }),
      service({ name: "prices", build: {}, port: 8083 }),
    ]);
    const risks = widening(before, after, "staging");
    expect(risks).toContainEqual([
      "new-edge",
      "catalog may now call prices",
      { what: "calls prices", before: "not allowed", after: "allowed" },
    ]);
    expect(risks.filter(([code]) => code === "dependency-cycle")).toEqual([]);
  });

  it("GIVEN a cycle already there WHEN a shortcut inside it is added (gateway newly calling catalog) THEN it is a new edge and no new cycle", () => {
    const cyclic = calls(["gateway"]);
    const shortcut = synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, dependsOn: ["gateway"] }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders", "catalog"] }),
    ]);
    const risks = widening(cyclic, shortcut, "staging");
    expect(risks.map(([code, reason]) => [code, reason])).toEqual([["new-edge", "gateway may now call catalog"]]);
  });
});
