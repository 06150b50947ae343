import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseScratchRoot } from "../../../tools/infra-diff/scratch.js";

const folder = mkdtempSync(path.join(os.tmpdir(), "infra-diff-scratch-"));
const file = path.join(folder, "a-file");
writeFileSync(file, "not a folder\n");

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("the scratch folder of infra-diff", () => {
  it("GIVEN a writable candidate folder with room WHEN chosen THEN it is used", () => {
    expect(chooseScratchRoot([path.join(folder, "missing"), folder], 1)).toBe(folder);
  });

  it("GIVEN candidates that are missing, a file, or without the free space asked for WHEN chosen THEN it is the system's temporary folder", () => {
    expect(chooseScratchRoot([path.join(folder, "missing"), file], 1)).toBe(os.tmpdir());
    expect(chooseScratchRoot([folder], Number.MAX_SAFE_INTEGER)).toBe(os.tmpdir());
  });
});
