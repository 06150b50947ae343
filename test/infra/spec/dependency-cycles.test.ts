import { describe, expect, it } from "vitest";
import { cycleClosedBy, dependencyCycles, formatCycle } from "../../../infra/spec/dependency-cycles.js";
import { exampleServices } from "../../support/platform.js";

describe("dependencyCycles", () => {
  it.each([
    [
      "no cycle",
      [
        ["gateway", "orders"],
        ["orders", "catalog"],
        ["gateway", "catalog"],
      ],
      [],
    ],
    [
      "a -> b -> a",
      [
        ["b", "a"],
        ["a", "b"],
      ],
      [["a", "b", "a"]],
    ],
    [
      "a cycle of three behind a caller",
      [
        ["gateway", "c"],
        ["c", "a"],
        ["a", "b"],
        ["b", "c"],
      ],
      [["a", "b", "c", "a"]],
    ],
    [
      "two separate cycles",
      [
        ["x", "y"],
        ["y", "x"],
        ["a", "b"],
        ["b", "a"],
        ["b", "x"],
      ],
      [
        ["a", "b", "a"],
        ["x", "y", "x"],
      ],
    ],
    [
      "one group with two ways round: the shortest",
      [
        ["a", "b"],
        ["b", "c"],
        ["c", "a"],
        ["b", "a"],
      ],
      [["a", "b", "a"]],
    ],
  ] as Array<[string, Array<[string, string]>, string[][]]>)(
    "GIVEN %s WHEN the cycles are asked THEN they are %j",
    (_case, edges, cycles) => {
      expect(dependencyCycles(edges)).toEqual(cycles);
    },
  );

  it("GIVEN the example services WHEN their cycles are asked THEN there are none (synth warns of none)", () => {
    const edges = exampleServices().flatMap((s) =>
      (s.definition.dependsOn ?? []).map((d) => [s.definition.name, d] as const),
    );
    expect(edges.length).toBeGreaterThan(0);
    expect(dependencyCycles(edges)).toEqual([]);
  });

  it("GIVEN a chain of 10,000 calls closed into one cycle WHEN the cycles are asked THEN it is found without overflowing the stack", () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `s${String(i).padStart(5, "0")}`);
    const edges = names.map((name, i) => [name, names[(i + 1) % names.length]!] as const);
    const [cycle] = dependencyCycles(edges);
    expect(cycle).toHaveLength(10_001);
    expect(cycle?.at(0)).toBe("s00000");
    expect(cycle?.at(-1)).toBe("s00000");
  });
});

describe("cycleClosedBy", () => {
  it("GIVEN catalog newly calling gateway, which calls orders, which calls catalog WHEN asked THEN the whole cycle is named", () => {
    const edges = [
      ["gateway", "orders"],
      ["orders", "catalog"],
      ["catalog", "gateway"],
    ] as const;
    expect(formatCycle(cycleClosedBy(edges, "catalog", "gateway")!)).toBe("catalog -> gateway -> orders -> catalog");
  });

  it("GIVEN a call whose callee never reaches the caller WHEN asked THEN there is no cycle", () => {
    expect(
      cycleClosedBy(
        [
          ["gateway", "orders"],
          ["orders", "catalog"],
        ],
        "gateway",
        "orders",
      ),
    ).toBeUndefined();
  });
});
