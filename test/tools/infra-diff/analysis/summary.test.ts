import { describe, expect, it } from "vitest";
import { mergeItems, summaryLine } from "../../../../tools/infra-diff/analysis/summary.js";

const STACKS = ["local", "addons-staging", "staging", "addons-production", "production"];

describe("summaryLine and mergeItems: where an item holds", () => {
  it("GIVEN an item in local, staging and production, compared beside the add-ons stacks WHEN summarized THEN it holds in every environment (the add-ons stacks hold no service)", () => {
    const byEnv = new Map([
      ["local", ["image 1.0.0 -> 1.1.0"]],
      ["staging", ["image 1.0.0 -> 1.1.0"]],
      ["production", ["image 1.0.0 -> 1.1.0", "min replicas 3 -> 4"]],
    ]);
    expect(summaryLine(byEnv, STACKS)).toBe("every environment: image 1.0.0 -> 1.1.0; production: min replicas 3 -> 4");
    expect(mergeItems(byEnv, STACKS)).toEqual([
      "image 1.0.0 -> 1.1.0 (every environment)",
      "min replicas 3 -> 4 (production)",
    ]);
  });

  it("GIVEN an item in both add-ons stacks alone, or in two of three environments WHEN summarized THEN the stacks are named", () => {
    const byEnv = new Map([
      ["addons-staging", ["chart"]],
      ["addons-production", ["chart"]],
      ["staging", ["egress"]],
      ["production", ["egress"]],
    ]);
    expect(summaryLine(byEnv, STACKS)).toBe("addons-staging, addons-production: chart; staging, production: egress");
  });
});
