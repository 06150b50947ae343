import { describe, expect, it } from "vitest";
import { renderText } from "../../../tools/infra-diff/render-text.js";
import { HOSTILE, PLAIN, reportWith } from "./hostile-report.js";

describe("renderText", () => {
  const escapeSequence = "\u001b[2J\u001b[1;1HAll clear\u0007";
  const hostile = renderText(reportWith(`${HOSTILE}${escapeSequence}`)).split("\n");
  const plain = renderText(reportWith(PLAIN)).split("\n");

  it("GIVEN a value with line breaks in every field the text shows WHEN rendered THEN it makes no line of its own: the text has the lines a plain value gives", () => {
    expect(hostile).toHaveLength(plain.length);
    hostile.forEach((line, i) => {
      expect([i, line.match(/^ */)![0]]).toEqual([i, plain[i]!.match(/^ */)![0]]);
    });
  });

  it("THEN no character a terminal acts on is left: line breaks and the escape sequence are shown as escapes", () => {
    const text = hostile.join("\n");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the assertion looks for control characters
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(text).toContain("\\u001b[2J");
    expect(text).toContain("x`y``z\\\\n<!-- infra-diff part 1/1 -->\\r\\n# pwned");
  });
});
