import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { App, TerraformStack, TerraformVariable, resolveTokens } from "../../../infra/engine/cdk.js";
import {
  hclStringLiteral,
  literalArguments,
  terraformExpression,
  terraformLiteral,
} from "../../../infra/engine/terraform-literals.js";
import { scratchFolders } from "../../support/scratch.js";
import { valuesThroughTerraform } from "../../support/terraform.js";

const scratch = scratchFolders();

/** Text a template reader could stumble on: Terraform's and Prometheus' sequences, quotes, escapes, lines. */
const TRICKY_TEXT = fc.string({
  unit: fc.constantFrom(
    "$",
    "%",
    "{",
    "}",
    "$$",
    "%%",
    "${",
    "%{",
    "{{",
    "}}",
    "\\",
    '"',
    "~",
    "\n",
    "a",
    " ",
    "é",
    "🚀",
  ),
  maxLength: 16,
});
const ANY_TEXT = fc.oneof(TRICKY_TEXT, fc.string({ unit: "grapheme", maxLength: 24 }));

describe("terraformLiteral", () => {
  it.each([
    ["an interpolation", '${file("/etc/hostname")}', '$${file("/etc/hostname")}'],
    ["a directive", "%{ if true }x%{ endif }", "%%{ if true }x%%{ endif }"],
    ["an escape already written", "$${x}", "$$${x}"],
    ["a lone dollar and percent", "$5 and 10% {x}", "$5 and 10% {x}"],
    ["a cdktf token's marker, which cdktf resolves", "a-${TfToken[TOKEN.12]}-${b}", "a-${TfToken[TOKEN.12]}-$${b}"],
  ])("GIVEN %s WHEN made a literal THEN the template sequences are doubled", (_case, text, literal) => {
    expect(terraformLiteral(text)).toBe(literal);
  });

  it("GIVEN random strings WHEN made literals and read by the real terraform THEN each value that comes out is the value that went in (property)", () => {
    const dir = scratch.folder("terraform-literals-");
    fc.assert(
      fc.property(fc.array(ANY_TEXT, { minLength: 200, maxLength: 200 }), (texts) => {
        // Terraform brings every string to Unicode's NFC form (seen here: a decomposed "ṍ"
        // comes back composed); that is Terraform's own, not a template read.
        expect(valuesThroughTerraform(dir, texts.map(terraformLiteral))).toEqual(
          texts.map((text) => text.normalize("NFC")),
        );
      }),
      // Each run is a real apply: one run of two hundred strings (its seed is printed on a
      // failure, to replay it), and no shrinking (a failure reports the whole batch).
      { numRuns: 1, endOnFailure: true },
    );
  });

  it("GIVEN hostile property names, and text quoted inside an expression the platform writes WHEN read by the real terraform THEN each comes out as it went in", () => {
    const names = ['${upper("k")}', "%{ if true }x%{ endif }", "$${y}"];
    const quoted = [
      'a"), file("/etc/hostname',
      "back\\slash",
      "a backslash before b: \\b and f: \\f",
      "line\nfeed\ttab\bbell\f",
      "${path.module}",
      "%{ if true }",
    ];
    const [readNames, readQuoted] = valuesThroughTerraform(scratch.folder("terraform-literal-keys-"), [
      Object.fromEntries(names.map((name) => [terraformLiteral(name), terraformLiteral(name)])),
      `\${[${quoted.map(hclStringLiteral).join(", ")}]}`,
    ]);
    expect(readNames).toEqual(Object.fromEntries(names.map((name) => [name, name])));
    expect(readQuoted).toEqual(quoted);
  });
});

describe("literalArguments", () => {
  const stack = new TerraformStack(
    new App({ outdir: scratch.folder("terraform-literals-app-"), stackTraces: false }),
    "literals",
  );
  const region = new TerraformVariable(stack, "region", { type: "string" });

  it("GIVEN arguments that hold plain strings, property names, tokens and a written-out expression WHEN made literals and resolved THEN only the plain text is escaped", () => {
    const attributes = {
      env: ["A=${x}", `REGION=${region.stringValue}`],
      labels: { "%{k}": "v", plain: "$5" },
      sources: terraformExpression('${sha1("x")}'),
      nested: [{ command: ["sh", "-c", "echo ${HOME}"] }],
    };
    expect(resolveTokens(stack, literalArguments(attributes))).toEqual({
      env: ["A=$${x}", "REGION=${var.region}"],
      labels: { "%%{k}": "v", plain: "$5" },
      sources: '${sha1("x")}',
      nested: [{ command: ["sh", "-c", "echo $${HOME}"] }],
    });
  });

  it("GIVEN arguments without template sequences WHEN made literals THEN they are returned as they are, not copied", () => {
    const attributes = { name: "platform-local", labels: [{ label: "a", value: "b" }] };
    expect(literalArguments(attributes)).toBe(attributes);
  });
});
