import { describe, expect, it } from "vitest";
import { ruleProblem, type Question } from "../../../tools/scaffold/questions.js";

const tag: Question = { name: "tag", type: "string", help: "a tag", pattern: "[a-z]+" };

describe("a question's rules", () => {
  it("GIVEN a pattern [a-z]+ WHEN an answer holds a match but more besides THEN it is refused: the pattern must match the whole answer", () => {
    expect(ruleProblem(tag, 'a"; require("child_process").execSync("id"); "')).toBe("must match /[a-z]+/");
    expect(ruleProblem(tag, "orders\n")).toBe("must match /[a-z]+/");
    expect(ruleProblem(tag, "orders")).toBeUndefined();
  });

  it("GIVEN a pattern with alternatives WHEN checked THEN the anchors hold for every alternative", () => {
    const either: Question = { ...tag, pattern: "a|b" };
    expect([ruleProblem(either, "a"), ruleProblem(either, "b"), ruleProblem(either, "ab")]).toEqual([
      undefined,
      undefined,
      "must match /a|b/",
    ]);
  });
});
