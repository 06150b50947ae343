import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { App, TerraformStack, TerraformVariable, Token, resolveTokens } from "../../../infra/engine/cdk.js";
import { resolveStackValue } from "../../../infra/engine/token-resolution.js";

describe("resolveStackValue", () => {
  // The App makes its outdir although nothing is synthesized: a temporary one, removed after.
  const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-token-resolution-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const stack = new TerraformStack(new App({ outdir, stackTraces: false }), "tokens");
  const variable = new TerraformVariable(stack, "replicas", { type: "number" });
  const names = new TerraformVariable(stack, "names", { type: "list(string)" });
  const labels = new TerraformVariable(stack, "labels", { type: "map(string)" });

  it("GIVEN values with every kind of token next to plain values WHEN resolved THEN the result equals cdktf's own resolution", () => {
    const value = {
      plain: "orders",
      exponentLike: "node-exporter 1e5",
      expression: "${var.region}",
      escapedPercent: "%{ if true }yes%{ endif }",
      stringToken: `prefix-${Token.asString({ resolve: () => "resolved" })}`,
      numberToken: variable.numberValue,
      numbers: [1, 2.5, -3, 0],
      listToken: names.listValue,
      listOfTokens: ["a", Token.asString(variable.numberValue)],
      mapToken: labels.value,
      mapWithTokenKey: { [Token.asString({ resolve: () => "key" })]: "value" },
      resolvable: { resolve: () => ({ nested: "from a resolvable", gone: undefined }) },
      nested: { a: [{ b: undefined, c: true, d: null }, undefined, "x"], e: undefined },
      date: new Date(0),
      empty: {},
      emptyList: [],
    };
    const ours = resolveStackValue(stack, value);
    expect(ours).toEqual(resolveTokens(stack, value));
    expect(JSON.stringify(ours)).toBe(JSON.stringify(resolveTokens(stack, value)));
    expect(ours).toMatchObject({
      stringToken: "prefix-resolved",
      numberToken: "${var.replicas}",
      nested: { a: [{ c: true, d: null }, "x"] },
    });
  });

  it("GIVEN a map token value used as a plain string WHEN resolved THEN it fails as cdktf fails", () => {
    expect(() => resolveStackValue(stack, { bad: Token.STRING_MAP_TOKEN_VALUE })).toThrow();
    expect(() => resolveTokens(stack, { bad: Token.STRING_MAP_TOKEN_VALUE })).toThrow();
  });
});
