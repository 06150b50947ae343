import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { thrownBy } from "../support/thrown.js";
import { loadExtensions } from "../../infra/extensions.js";
import { GuardrailRuleError } from "../../infra/guardrails/evaluate.js";
import {
  evaluateStack,
  GUARDRAIL_RULES,
  GuardrailPackError,
  SynthesizedStack,
  PLATFORM_PACK,
  Problems,
  definePack,
  rulesOfPacks,
  type GuardrailPack,
  type ResourceRule,
} from "../../infra/guardrails/index.js";
import { runCli } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const scratch = scratchFolders();
const STAGING = {
  name: "staging",
  namespace: "staging",
  production: false,
  shared: true,
  publicServices: new Set<string>(),
};

/** A team rule: every Deployment carries a cost-center label. */
const costCenter: ResourceRule = {
  id: "ACME-01",
  level: "error",
  scope: "resource",
  checks: "every Deployment carries a cost-center label",
  anchor: "Acme's finance policy",
  appliesTo: (type) => type === "kubernetes_deployment_v1",
  check: () => new Problems().add("no cost-center label", "label it").outcome(),
};
const pack = (overrides: Partial<GuardrailPack> = {}): GuardrailPack => ({
  id: "ACME",
  description: "Acme's cost accounting",
  rules: [costCenter],
  ...overrides,
});

/** What definePack refuses, as its lines. */
function refusal(input: GuardrailPack): string[] {
  try {
    definePack(input);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardrailPackError);
    return [...(error as GuardrailPackError).problems];
  }
  throw new Error("expected the pack to be refused");
}

describe("definePack", () => {
  it("GIVEN a team pack WHEN defined THEN it is returned frozen, rules and all", () => {
    const defined = definePack(pack({ rules: [{ ...costCenter }] }));
    expect(Object.isFrozen(defined) && Object.isFrozen(defined.rules) && Object.isFrozen(defined.rules[0])).toBe(true);
  });

  it.each([
    [
      "an id that is not upper-case",
      pack({ id: "acme" }),
      "pack acme: id must be 2 to 10 upper-case letters and digits, starting with a letter, like ACME",
    ],
    [
      "the platform's own prefix",
      pack({ id: "K8S", rules: [{ ...costCenter, id: "K8S-99" }] }),
      "pack K8S: id K8S is the platform's own; choose another, like ACME",
    ],
    [
      "the prefix of the platform's mesh rules",
      pack({ id: "MESH", rules: [{ ...costCenter, id: "MESH-99" }] }),
      "pack MESH: id MESH is the platform's own; choose another, like ACME",
    ],
    [
      "the prefix of the platform's data rules",
      pack({ id: "DATA", rules: [{ ...costCenter, id: "DATA-99" }] }),
      "pack DATA: id DATA is the platform's own; choose another, like ACME",
    ],
    [
      "a rule id of another prefix",
      pack({ rules: [{ ...costCenter, id: "COST-01" }] }),
      'pack ACME: rules[0].id must be ACME-NN (two digits), like ACME-01 (got "COST-01")',
    ],
    ["one rule id twice", pack({ rules: [costCenter, costCenter] }), "pack ACME: rules[1].id ACME-01 is given twice"],
    [
      "a level for a rule of another pack",
      pack({ levels: { "K8S-16": "warning" } }),
      "pack ACME: levels.K8S-16 names no rule of this pack; a pack sets the level of its own rules",
    ],
    ["no rule", pack({ rules: [] }), "pack ACME: rules must list at least one rule"],
  ])("GIVEN a pack with %s WHEN defined THEN it is refused saying what is accepted", (_case, input, problem) => {
    expect(refusal(input)).toContain(problem);
  });
});

describe("rulesOfPacks", () => {
  it("GIVEN the platform's pack and a team pack that sets its rule's level WHEN combined THEN every rule runs, the team's at the pack's level, the rule itself untouched", () => {
    const rules = rulesOfPacks([PLATFORM_PACK, definePack(pack({ levels: { "ACME-01": "warning" } }))]);
    expect(rules.map((r) => r.id)).toEqual([...GUARDRAIL_RULES.map((r) => r.id), "ACME-01"]);
    expect(rules.at(-1)).toMatchObject({ id: "ACME-01", level: "warning", checks: costCenter.checks });
    expect(costCenter.level).toBe("error");
  });

  it("GIVEN a rule made from a class, with its level as a getter WHEN its pack sets another level THEN the rule keeps its methods and takes the pack's level", () => {
    class CostCenterRule {
      readonly id = "ACME-01";
      readonly scope = "resource";
      readonly checks = "every Deployment carries a cost-center label";
      readonly anchor = "Acme's finance policy";
      get level(): "error" {
        return "error";
      }
      appliesTo(type: string): boolean {
        return type === "kubernetes_deployment_v1";
      }
      check() {
        return new Problems().add("no cost-center label", "label it").outcome();
      }
    }
    const rule = new CostCenterRule() as unknown as ResourceRule;
    const [combined] = rulesOfPacks([
      definePack(pack({ rules: [rule], levels: { "ACME-01": "warning" } })),
    ]) as ResourceRule[];
    expect(combined!.level).toBe("warning");
    expect(combined!.appliesTo("kubernetes_deployment_v1")).toBe(true);
    expect(combined!.check({} as never, {} as never)).toMatchObject({ status: "non-compliant" });
  });

  it("GIVEN two pack files with one id (and so the same rule ids) WHEN the extensions load THEN the refusal names both files", async () => {
    const root = scratch.folder("platform-packs-files-");
    mkdirSync(path.join(root, "extensions", "guardrails"), { recursive: true });
    const packsOfFiles: Record<string, GuardrailPack> = {
      "extensions/guardrails/a.ts": pack(),
      "extensions/guardrails/b.ts": pack(),
    };
    for (const file of Object.keys(packsOfFiles)) writeFileSync(path.join(root, file), "export default {};\n");
    const error = await loadExtensions(root, async (file) => ({ default: packsOfFiles[file] }), ["local"]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      code: "EXTENSION_INVALID",
      problems: [
        "pack ACME (extensions/guardrails/b.ts): another pack has the same id: pack ACME (extensions/guardrails/a.ts)",
        "pack ACME (extensions/guardrails/b.ts): rule ACME-01 is already a rule of pack ACME (extensions/guardrails/a.ts)",
      ],
    });
  });

  it.each([
    ["an async check", async () => ({ status: "non-compliant", problems: [] }), "check returned a Promise"],
    ["a misspelt status", () => ({ status: "noncompliant" }), 'check returned {"status":"noncompliant"}; accepted:'],
    [
      "non-compliant without problems",
      () => ({ status: "non-compliant" }),
      'check returned {"status":"non-compliant"}',
    ],
    ["nothing", () => undefined, "check returned undefined; accepted:"],
  ])(
    "GIVEN a team rule whose check answers %s WHEN a stack is checked THEN the error names the rule and what it answered",
    (_case, check, answered) => {
      const broken = { ...costCenter, check: check as never } as ResourceRule;
      const stack = new SynthesizedStack({ resource: { kubernetes_deployment_v1: { api: {} } } });
      const error = thrownBy(() => evaluateStack(stack, { ...STAGING, target: "kubernetes" as const }, [broken]));
      expect(error).toMatchObject({ code: "GUARDRAIL_RULE_FAILED", rule: "ACME-01" });
      expect((error as Error).message).toContain(
        `guardrail rule ACME-01 threw on kubernetes_deployment_v1.api in staging: ${answered}`,
      );
    },
  );

  it("GIVEN a team rule that throws WHEN a stack is checked THEN the error names the rule and the resource, and keeps what was thrown", () => {
    const broken: ResourceRule = {
      ...costCenter,
      check: (resource) => (resource.values as { metadata: { labels: unknown } }).metadata.labels as never,
    };
    const stack = new SynthesizedStack({ resource: { kubernetes_deployment_v1: { api: {} } } });
    const error = thrownBy(() => evaluateStack(stack, { ...STAGING, target: "kubernetes" as const }, [broken]));
    expect(error).toBeInstanceOf(GuardrailRuleError);
    expect(error).toMatchObject({
      code: "GUARDRAIL_RULE_FAILED",
      rule: "ACME-01",
      message: expect.stringMatching(
        /^guardrail rule ACME-01 threw on kubernetes_deployment_v1\.api in staging: Cannot read properties of undefined/,
      ),
      cause: expect.any(TypeError),
    });
  });

  it("GIVEN two packs with one id WHEN combined THEN it is refused", () => {
    const error = thrownBy(() =>
      rulesOfPacks([definePack(pack()), definePack(pack({ rules: [{ ...costCenter, id: "ACME-02" }] }))]),
    );
    expect(error).toMatchObject({
      code: "GUARDRAIL_PACK_INVALID",
      problems: ["pack ACME: another pack has the same id"],
    });
  });
});

/** The team pack as a file of extensions/guardrails/, at the level given. */
const ACME_FILE = (levels = "") => `import { Problems, blockAt, definePack } from "../../infra/guardrails/index.js";

export default definePack({
  id: "ACME",
  description: "Acme's cost accounting",
  ${levels}
  rules: [
    {
      id: "ACME-01",
      level: "error",
      scope: "resource",
      checks: "every Deployment carries a cost-center label",
      anchor: "Acme's finance policy",
      appliesTo: (type) => type === "kubernetes_deployment_v1",
      check(resource) {
        const labels = blockAt(resource.values, "metadata")?.labels as Record<string, unknown> | undefined;
        if (typeof labels?.["cost-center"] === "string") return { status: "compliant" };
        return new Problems().add("the Deployment has no cost-center label", "add a cost-center label (Acme's finance policy)").outcome();
      },
    },
  ],
});
`;

/** A copy of the repository with `pack` as extensions/guardrails/acme.ts. */
function copyWithPack(pack: string): string {
  const copy = scratch.removeLater(copyRepository("platform-packs-"));
  mkdirSync(path.join(copy, "extensions", "guardrails"), { recursive: true });
  writeFileSync(path.join(copy, "extensions", "guardrails", "acme.ts"), pack);
  return copy;
}

/** `npm run synth` in `copy`, as a user runs it. */
function synthIn(copy: string) {
  return runCli("tools/run-app.mjs", [], {
    cwd: copy,
    env: { ...process.env, CDKTF_OUTDIR: scratch.folder("platform-packs-out-") },
  });
}

describe("npm run synth with a team's rule pack in extensions/guardrails/", () => {
  it("GIVEN a pack whose rule every Deployment breaks, and one service that suppresses it WHEN synthesized THEN the rule runs with the platform's, fails the others, and the suppression holds", async () => {
    const copy = copyWithPack(ACME_FILE());
    const catalog = path.join(copy, "services", "catalog", "service.ts");
    writeFileSync(
      catalog,
      readFileSync(catalog, "utf8").replace(
        "  port: 8080,",
        '  port: 8080,\n  guardrails: { suppress: [{ rule: "ACME-01", reason: "catalog is billed to the platform team" }] },',
      ),
    );
    const run = await synthIn(copy);
    expect(run.stderr).toContain(`guardrails (${GUARDRAIL_RULES.length + 1} rules)`);
    const acme = run.stderr.split("\n").filter((line) => line.includes("ACME-01"));
    expect(acme.filter((line) => line.includes("orders")).length).toBeGreaterThan(0);
    expect(acme.filter((line) => line.includes("gateway")).length).toBeGreaterThan(0);
    expect(acme.filter((line) => line.includes(" catalog "))).toEqual([]);
    expect(run.stderr).toMatch(/synth failed: \d+ guardrail errors/);
    expect(run.status).toBe(1);
  });

  it("GIVEN the same pack set to warn by its own levels WHEN synthesized THEN the findings are reported and the synth succeeds", async () => {
    const copy = copyWithPack(ACME_FILE('levels: { "ACME-01": "warning" },'));
    const run = await synthIn(copy);
    expect(run.stderr).toMatch(/ACME-01/);
    expect(run.status, run.stderr).toBe(0);
  });

  it("GIVEN a service file that imports the team's pack WHEN synthesized THEN it is refused naming the import", async () => {
    const copy = copyWithPack(ACME_FILE());
    const orders = path.join(copy, "services", "orders", "service.ts");
    writeFileSync(
      orders,
      `import acme from "../../extensions/guardrails/acme.js";\nvoid acme;\n${readFileSync(orders, "utf8")}`,
    );
    const run = await synthIn(copy);
    expect(run.stderr).toContain(
      "services/orders/service.ts: imports extensions/guardrails/acme.ts; a service file (and every module it imports) may import nothing of the platform team's extensions/",
    );
    expect(run.status).toBe(1);
  });

  it("GIVEN a pack file whose id is the platform's WHEN synthesized THEN it exits 1 naming the file and what is wrong", async () => {
    const copy = copyWithPack(ACME_FILE().replace('id: "ACME"', 'id: "K8S"'));
    const run = await synthIn(copy);
    expect(run.stderr).toContain(
      "synth failed:\nextensions/guardrails/acme.ts: pack K8S: id K8S is the platform's own; choose another, like ACME",
    );
    expect(run.status).toBe(1);
  });
});
