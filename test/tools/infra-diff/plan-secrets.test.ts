import { describe, expect, it } from "vitest";
import { planSecrets, redactSecrets } from "../../../tools/infra-diff/plan-secrets.js";

/** A plan in the shape of `terraform show -json`, with a secret in each place that marks one. */
const PLAN = {
  format_version: "1.2",
  variables: { token: { value: "variable-secret" }, region: { value: "eu-west-1" } },
  configuration: { root_module: { variables: { token: { sensitive: true }, region: {} } } },
  planned_values: {
    outputs: {
      dsn: { sensitive: true, value: "output-secret" },
      url: { sensitive: false, value: "https://example.com" },
    },
    root_module: {
      child_modules: [
        { resources: [{ values: { key: "module-secret", name: "kept" }, sensitive_values: { key: true } }] },
      ],
    },
  },
  prior_state: {
    values: {
      root_module: {
        resources: [{ values: { list: ["state-secret", "kept"] }, sensitive_values: { list: [true, false] } }],
      },
    },
  },
  resource_changes: [
    {
      change: {
        before: { pin: 42 },
        before_sensitive: { pin: true },
        after: { quote: 'say "hi"' },
        after_sensitive: { quote: true },
      },
    },
  ],
};

describe("planSecrets", () => {
  const secrets = planSecrets(PLAN);

  it("GIVEN a plan WHEN its secrets are collected THEN every marked value is one, from every section, and nothing unmarked is", () => {
    expect([...secrets.searched].sort()).toEqual(
      ["module-secret", "output-secret", 'say \\"hi\\"', 'say "hi"', "state-secret", "variable-secret"].sort(),
    );
    expect([...secrets.whole]).toEqual(["42"]);
  });

  it("WHEN a value is redacted THEN each secret is hidden inside longer strings and in keys, a short one only where it is the whole value", () => {
    const value = {
      url: "https://u:state-secret@db/x?t=variable-secret",
      "output-secret": 42,
      count: "42",
      note: "1042",
      document: '{"q":"say \\"hi\\""}',
    };
    expect(redactSecrets(value, secrets)).toEqual({
      url: "https://u:(sensitive)@db/x?t=(sensitive)",
      "(sensitive)": "(sensitive)",
      count: "(sensitive)",
      note: "1042",
      document: '{"q":"(sensitive)"}',
    });
  });

  it("WHEN numbers are kept (a report's counts) THEN only strings and keys are redacted", () => {
    expect(redactSecrets({ adds: 42, reason: "module-secret is destroyed" }, secrets, "kept")).toEqual({
      adds: 42,
      reason: "(sensitive) is destroyed",
    });
  });
});
