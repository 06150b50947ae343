import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GUARDRAIL_RULES } from "../../../infra/guardrails/index.js";

const README = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../README.md"), "utf8");
const SECTION = README.slice(
  README.indexOf("## Guardrails"),
  README.indexOf("\n## ", README.indexOf("## Guardrails") + 1),
);

describe("the README's Guardrails section", () => {
  it("GIVEN the rule pack WHEN the README's rule table is read THEN it lists every rule with its level and what it checks", () => {
    const rows = SECTION.split("\n")
      .filter((line) => /^\| (K8S|DKR|TF|DATA|NET|MESH)-\d{2} +\|/.test(line))
      // Cells are padded to the column's width (the formatter aligns the table).
      .map((line) =>
        line
          .split("|")
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(GUARDRAIL_RULES.map((rule) => [rule.id, rule.level, rule.checks]));
  });

  it("GIVEN the rules that document a provider gap WHEN the README's gaps are read THEN each is listed", () => {
    const gaps = SECTION.slice(SECTION.indexOf("### What the guardrails cannot check"));
    for (const rule of GUARDRAIL_RULES.filter((r) => r.gap !== undefined)) expect(gaps).toContain(rule.id);
  });
});
