import { describe, expect, it } from "vitest";
import { groupRisks, riskTotals } from "../../../../tools/infra-diff/analysis/index.js";
import { renderPullRequestComment } from "../../../../tools/infra-diff/render-markdown.js";
import { renderText } from "../../../../tools/infra-diff/render-text.js";
import type { Risk } from "../../../../tools/infra-diff/report.js";
import { reportWith } from "../hostile-report.js";

/** A destroy of `service` in `environment` (null: every environment). */
function destroy(service: string, environment: string | null): Risk {
  return { kind: "destroy", code: "destroy", environment, service, resources: [], reason: `${service} is destroyed` };
}

describe("riskTotals", () => {
  it("GIVEN one risk WHEN counted THEN it says `1 risk`, and nothing across environments", () => {
    expect(riskTotals(groupRisks([destroy("catalog", null)]))).toEqual({ counted: "1 risk", across: "", brief: "1" });
  });

  it("GIVEN the same risk in two environments beside another WHEN counted THEN the groups are counted and the risks listed across environments", () => {
    const risks = [destroy("catalog", "local"), destroy("catalog", "staging"), destroy("orders", "staging")];
    expect(riskTotals(groupRisks(risks))).toEqual({
      counted: "2 risks",
      across: " (3 across environments)",
      brief: "2; 3 across environments",
    });
  });

  it("GIVEN a report with a risk in two environments WHEN rendered THEN the Markdown header, its heading and the text all say it in those words", () => {
    const report = { ...reportWith("catalog"), risks: [destroy("catalog", "local"), destroy("catalog", "staging")] };
    const markdown = renderPullRequestComment(report).join("\n");
    expect(markdown).toContain("· **1 risk** (2 across environments) ·");
    expect(markdown).toContain("### Risks (1; 2 across environments)\n");
    expect(renderText(report)).toContain("\nRisks (1; 2 across environments):\n");
  });
});
