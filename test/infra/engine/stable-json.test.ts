import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../../infra/app.js";
import { loadEnvironments } from "../../../infra/environments.js";
import { stableJson, writeStableJson } from "../../../infra/engine/stable-json.js";
import { exampleServices } from "../../support/platform.js";

// The serializer cdktf 0.21 writes cdk.tf.json with, as cdktf itself loads it.
const cdktfStringify = createRequire(createRequire(import.meta.url).resolve("cdktf"))("json-stable-stringify") as (
  value: unknown,
  options: { space: number },
) => string | undefined;
const cdktfText = (value: unknown) => cdktfStringify(value, { space: 2 });

describe("stableJson", () => {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "stable-json-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("GIVEN every environment's stack JSON of the example catalogue WHEN written THEN the file holds exactly cdktf's text", () => {
    const { stacks } = buildPlatformApp({ services: exampleServices(), environments: loadEnvironments({}), outdir });
    for (const stack of stacks) {
      const json = stack.toTerraform();
      const file = path.join(outdir, `${stack.environment.name}.json`);
      writeStableJson(file, json);
      expect(readFileSync(file, "utf8")).toBe(cdktfText(json));
    }
  });

  it("GIVEN a value larger than one write chunk WHEN written THEN the file holds exactly cdktf's text", () => {
    const value = {
      items: Array.from({ length: 5000 }, (_, i) => ({
        name: `item-${i}`,
        weight: i / 7,
        tags: [`t${i % 3}`, null, true],
      })),
    };
    const file = path.join(outdir, "large.json");
    writeStableJson(file, value);
    const text = readFileSync(file, "utf8");
    expect(text.length).toBeGreaterThan(200_000);
    expect(text).toBe(cdktfText(value));
  });

  it.each([
    ["empty containers, nested", { a: {}, b: [], c: { d: [{}], e: [[]] } }],
    [
      "keys sorted by code unit, numeric-looking keys included",
      { b: 1, a: 2, B: 3, "10": 4, "9": 5, é: 6, "": 7, "a-b": 8, a_b: 9 },
    ],
    [
      "undefined, functions and symbols: left out of objects, null in arrays",
      { keep: 1, gone: undefined, fn: () => 1, sym: Symbol("s"), list: [undefined, () => 1, Symbol("t"), 2] },
    ],
    ["an object whose values are all left out", { nothing: { a: undefined } }],
    [
      "strings that need escaping",
      { text: 'quote " backslash \\ newline \n tab \t unicode \u2028 ${var.x}', 'key\nwith"escapes': "v" },
    ],
    [
      "numbers and literals",
      { n: [0, -0, 1.5, -2e-7, 1e21, Number.NaN, Number.POSITIVE_INFINITY], t: true, f: false, z: null },
    ],
    [
      "toJSON, called once and its result written as is",
      { when: new Date(Date.UTC(2026, 10, 26)), custom: { toJSON: () => ({ b: 1, a: { toJSON: () => "inner" } }) } },
    ],
    ["a top-level array", [{ b: 1, a: 2 }, "x"]],
    ["a top-level string", "plain"],
    ["a top-level null", null],
  ])("GIVEN %s WHEN serialized THEN the text equals cdktf's", (_title, value) => {
    expect(stableJson(value)).toBe(cdktfText(value));
  });

  it("GIVEN a file written before and a value that fails half way (a cycle past the first chunk) WHEN written THEN the file keeps its earlier text and no temporary file is left", () => {
    const file = path.join(outdir, "kept.json");
    writeStableJson(file, { earlier: true });
    const cyclic: Record<string, unknown> = { padding: "x".repeat(100_000) };
    cyclic.self = cyclic;
    expect(() => writeStableJson(file, cyclic)).toThrow(TypeError);
    expect(readFileSync(file, "utf8")).toBe(cdktfText({ earlier: true }));
    expect(readdirSync(outdir).filter((name) => name.startsWith("kept.json"))).toEqual(["kept.json"]);
  });

  it("GIVEN undefined at the top WHEN serialized THEN there is no text, as with cdktf's", () => {
    expect(stableJson(undefined)).toBe(cdktfText(undefined));
    expect(stableJson(undefined)).toBeUndefined();
  });

  it("GIVEN an object that contains itself WHEN serialized THEN it fails as cdktf's serializer does", () => {
    const looped: Record<string, unknown> = { name: "loop" };
    looped.self = { inner: looped };
    expect(() => cdktfText(looped)).toThrow("Converting circular structure to JSON");
    expect(() => stableJson(looped)).toThrow(new TypeError("Converting circular structure to JSON"));
  });

  it("GIVEN the same object twice side by side WHEN serialized THEN it is written twice, not taken for a cycle", () => {
    const shared = { z: 1, a: [1, 2] };
    const value = { first: shared, second: shared };
    expect(stableJson(value)).toBe(cdktfText(value));
  });
});
