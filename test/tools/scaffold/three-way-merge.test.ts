import { describe, expect, it } from "vitest";
import { hasConflictMarkers, mergeThreeWays } from "../../../tools/scaffold/three-way-merge.js";

const BASE = "one\ntwo\nthree\nfour\nfive\n";
const side = (text: string, label: string) => ({ text, label });

describe("mergeThreeWays", () => {
  it("GIVEN changes of different lines WHEN merged THEN both are kept and there is no conflict", () => {
    const merged = mergeThreeWays(
      side("ONE\ntwo\nthree\nfour\nfive\n", "ours"),
      side(BASE, "base"),
      side("one\ntwo\nthree\nfour\nFIVE\n", "theirs"),
    );
    expect(merged).toEqual({ text: "ONE\ntwo\nthree\nfour\nFIVE\n", conflicts: 0 });
  });

  it("GIVEN the same change on both sides WHEN merged THEN it is taken once, without a conflict", () => {
    const same = "one\nTWO\nthree\nfour\nfive\n";
    expect(mergeThreeWays(side(same, "ours"), side(BASE, "base"), side(same, "theirs"))).toEqual({
      text: same,
      conflicts: 0,
    });
  });

  it("GIVEN two different changes of the same lines, twice WHEN merged THEN each is left between markers showing the three versions with their labels, and counted", () => {
    const merged = mergeThreeWays(
      side("1\ntwo\nthree\nfour\n5\n", "the service"),
      side(BASE, "made from"),
      side("uno\ntwo\nthree\nfour\ncinco\n", "the template now"),
    );
    expect(merged.conflicts).toBe(2);
    expect(merged.text).toBe(
      [
        "<<<<<<< the service",
        "1",
        "||||||| made from",
        "one",
        "=======",
        "uno",
        ">>>>>>> the template now",
        "two",
        "three",
        "four",
        "<<<<<<< the service",
        "5",
        "||||||| made from",
        "five",
        "=======",
        "cinco",
        ">>>>>>> the template now",
        "",
      ].join("\n"),
    );
    expect(hasConflictMarkers(merged.text)).toBe(true);
  });
});

describe("hasConflictMarkers", () => {
  it("GIVEN text with no marker lines, or only one kind WHEN asked THEN it holds none", () => {
    expect(hasConflictMarkers(BASE)).toBe(false);
    expect(hasConflictMarkers("a <<<<<<< b\n")).toBe(false);
    expect(hasConflictMarkers("<<<<<<< ours\nx\n")).toBe(false);
  });
});
