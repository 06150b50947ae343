import { beforeAll, describe, expect, it } from "vitest";
import type { StackJson as SynthesizedJson } from "../../../../infra/guardrails/synthesized-stack.js";
import type { OpenApiDocument } from "../../../../tools/infra-diff/analysis/contracts/openapi.js";
import { analyse } from "../../../../tools/infra-diff/analysis/index.js";
import { renderPullRequestComment } from "../../../../tools/infra-diff/render-markdown.js";
import { renderText } from "../../../../tools/infra-diff/render-text.js";
import type { InfraDiffReport } from "../../../../tools/infra-diff/report.js";
import { compareStacks } from "../../../../tools/infra-diff/resource-changes.js";
import { snapshotOfStack } from "../../../../tools/infra-diff/stack-snapshot.js";
import { service, synthPlatform, type StackJson } from "../../../support/platform.js";
import { HOSTILE, PLAIN } from "../hostile-report.js";

/**
 * API contract changes in the report, on stacks the platform synthesized: orders and
 * gateway call catalog (`dependsOn`), reports calls no one and no one calls it.
 */
const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };

/**
 * A contract with one operation, `GET /products/{id}`, answering the given fields: each
 * required, but for a type ending in `?` (`"string?"`), and of the type or schema given.
 */
function contract(fields: Record<string, string | object>, path = "/products/{id}"): OpenApiDocument {
  const optional = (type: string | object) => typeof type === "string" && type.endsWith("?");
  const schema = (type: string | object) =>
    typeof type === "string" ? { type: optional(type) ? type.slice(0, -1) : type } : type;
  return {
    openapi: "3.1.0",
    info: { title: "catalog", version: "1.0.0" },
    paths: {
      [path]: {
        get: {
          operationId: "getProduct",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: Object.fromEntries(Object.entries(fields).map(([k, type]) => [k, schema(type)])),
                    required: Object.entries(fields)
                      .filter(([, type]) => !optional(type))
                      .map(([k]) => k),
                    additionalProperties: false,
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}

const PRODUCT = contract({ id: "string", priceCents: "integer" });

let stacks: Record<string, StackJson>;
let withoutReports: Record<string, StackJson>;
let ordersOnly: Record<string, StackJson>;
beforeAll(() => {
  const catalogue = [
    service({ name: "catalog", build: {}, port: 8080 }),
    service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
    service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders", "catalog"] }),
  ];
  stacks = synthPlatform([...catalogue, service({ name: "reports", build: {}, port: 8083 })], API);
  withoutReports = synthPlatform(catalogue, API);
  ordersOnly = synthPlatform(
    [
      service({ name: "catalog", build: {}, port: 8080 }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders"] }),
    ],
    API,
  );
});

function report(
  before: Record<string, OpenApiDocument>,
  after: Record<string, OpenApiDocument>,
  head = stacks,
): InfraDiffReport {
  return analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: ["local", "staging"].map((environment) =>
      compareStacks(
        snapshotOfStack(environment, stacks[environment] as SynthesizedJson),
        snapshotOfStack(environment, head[environment] as SynthesizedJson),
      ),
    ),
    contracts: { before: new Map(Object.entries(before)), after: new Map(Object.entries(after)) },
  });
}

const apiRisks = (r: InfraDiffReport) =>
  r.risks
    .filter((risk) => risk.kind === "breaking-api-change")
    .map((risk) => [risk.service, risk.code, risk.callers, risk.reason]);

describe("breaking-api-change risks", () => {
  it("GIVEN catalog renames a response field WHEN diffed THEN the removal is a breaking-api-change naming orders and gateway, and the new name an additive change", () => {
    const r = report({ catalog: PRODUCT }, { catalog: contract({ id: "string", price: "integer" }) });
    expect(apiRisks(r)).toEqual([
      [
        "catalog",
        "response-field-removed",
        ["gateway", "orders"],
        "GET /products/{id}: response 200 field priceCents removed; breaks its callers gateway, orders",
      ],
    ]);
    expect(r.risks.find((risk) => risk.kind === "breaking-api-change")?.environment).toBeNull();
    const catalog = r.services.find((s) => s.name === "catalog");
    expect(catalog?.items).toEqual(["1 breaking API change, 1 additive API change"]);
    expect(catalog?.apiChanges?.map((c) => [c.severity, c.code, c.field])).toEqual([
      ["breaking", "response-field-removed", "response 200 field priceCents"],
      ["additive", "response-field-required", "response 200 field price"],
    ]);
    expect(r.changed).toBe(true);
  });

  it("GIVEN only additive changes WHEN diffed THEN they are listed for the service, and no breaking-api-change", () => {
    const r = report(
      { catalog: PRODUCT },
      { catalog: contract({ id: "string", priceCents: "integer", name: "string" }) },
    );
    expect(apiRisks(r)).toEqual([]);
    expect(r.services.map((s) => [s.name, s.summary])).toEqual([["catalog", "1 additive API change"]]);
  });

  it("GIVEN a breaking change of a service no one calls WHEN diffed THEN it is still a risk, saying no service here calls it", () => {
    const r = report({ reports: PRODUCT }, { reports: contract({ id: "string" }) });
    expect(apiRisks(r)).toEqual([
      [
        "reports",
        "response-field-removed",
        [],
        "GET /products/{id}: response 200 field priceCents removed; no service here calls reports (callers outside this repository may break)",
      ],
    ]);
  });

  it("GIVEN catalog's document removed while catalog still runs WHEN diffed THEN every operation is removed", () => {
    expect(apiRisks(report({ catalog: PRODUCT }, {})).map(([, code, callers]) => [code, callers])).toEqual([
      ["operation-removed", ["gateway", "orders"]],
    ]);
  });

  it("GIVEN a service removed with its document WHEN diffed THEN its contract adds nothing (its destroy says it)", () => {
    const r = report({ reports: PRODUCT }, {}, withoutReports);
    expect(apiRisks(r)).toEqual([]);
    expect(r.services.find((s) => s.name === "reports")?.apiChanges).toBeUndefined();
  });

  it("GIVEN no document on either side, or the same document WHEN diffed THEN nothing is reported", () => {
    expect(report({}, {}).changed).toBe(false);
    const same = report({ catalog: PRODUCT }, { catalog: contract({ id: "string", priceCents: "integer" }) });
    expect(same.changed).toBe(false);
    expect(same.services).toEqual([]);
  });

  it("GIVEN a breaking API change beside a data loss and a capacity change WHEN diffed THEN it is listed right after data-loss", () => {
    const bigger = synthPlatform(
      [
        service({ name: "catalog", build: {}, port: 8080, scaling: { min: 3, max: 9 } }),
        service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
        service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders", "catalog"] }),
      ],
      API,
    );
    const kinds = [...new Set(report({ catalog: PRODUCT }, {}, bigger).risks.map((risk) => risk.kind))];
    expect(kinds[0]).toBe("breaking-api-change");
    expect(kinds.indexOf("breaking-api-change")).toBeLessThan(kinds.indexOf("destroy"));
    expect(kinds.indexOf("breaking-api-change")).toBeLessThan(kinds.indexOf("capacity"));
  });
});

const deployOrderRisks = (r: InfraDiffReport) =>
  r.risks
    .filter((risk) => risk.kind === "deploy-order")
    .map((risk) => [risk.service, risk.code, risk.environment, risk.callers, risk.reason]);

describe("deploy-order risks (a rolling update: a caller's new version meets the dependency's old one)", () => {
  it("GIVEN catalog gains an optional response field that its callers may read WHEN diffed THEN one deploy-order risk names the gain and the callers, and says to deploy catalog first if they use it", () => {
    const r = report(
      { catalog: PRODUCT },
      { catalog: contract({ id: "string", priceCents: "integer", name: "string?" }) },
    );
    expect(deployOrderRisks(r)).toEqual([
      [
        "catalog",
        "dependency-gains-api",
        null,
        ["gateway", "orders"],
        "catalog's deployed version does not have what this change adds to its contract (GET /products/{id}: response 200 field name added): if the new version of gateway or orders uses it, deploy catalog first; during a rolling update the caller's new replicas can meet catalog's old ones",
      ],
    ]);
  });

  it("GIVEN catalog adds a response field as required WHEN diffed THEN the deploy-order risk says, without an if, that its callers' new replicas refuse the deployed version's answers", () => {
    const r = report(
      { catalog: PRODUCT },
      { catalog: contract({ id: "string", priceCents: "integer", stock: "integer" }) },
    );
    expect(deployOrderRisks(r)).toEqual([
      [
        "catalog",
        "deployed-answers-refused",
        null,
        ["gateway", "orders"],
        "gateway's and orders' new replicas refuse the answers of catalog's deployed version (GET /products/{id}: response 200 field stock added as required): their typed client of catalog checks every answer against the new contract; deploy catalog first",
      ],
    ]);
  });

  it("GIVEN a response enum or a response bound narrowed, or a field made non-null or required WHEN diffed THEN each is a gain the callers' client refuses the deployed version for", () => {
    const before = contract({
      id: { type: "string", maxLength: 64 },
      currency: { type: "string", enum: ["EUR", "USD"] },
      priceCents: { anyOf: [{ type: "integer" }, { type: "null" }] },
      name: "string?",
    });
    const after = contract({
      id: { type: "string", maxLength: 32 },
      currency: { type: "string", enum: ["EUR"] },
      priceCents: "integer",
      name: "string",
    });
    const r = report({ catalog: before }, { catalog: after });
    expect(r.services[0]?.apiChanges?.map((c) => c.code).sort()).toEqual([
      "response-bound-narrowed",
      "response-enum-narrowed",
      "response-field-required",
      "response-type-narrowed",
    ]);
    expect(r.risks.map((risk) => [risk.kind, risk.code])).toEqual([["deploy-order", "deployed-answers-refused"]]);
    expect(r.risks[0]?.reason).toContain("and 1 more): their typed client of catalog checks every answer");
  });

  it("GIVEN a service with one caller WHEN a required response field is added THEN the risk names that caller alone", () => {
    const risks = deployOrderRisks(
      report(
        { catalog: PRODUCT },
        { catalog: contract({ id: "string", priceCents: "integer", stock: "integer" }) },
        ordersOnly,
      ),
    );
    expect(risks.map(([, , , callers, reason]) => [callers, String(reason).split(" refuse")[0]])).toEqual([
      [["orders"], "orders' new replicas"],
    ]);
  });

  it("GIVEN catalog gains an operation and a renamed (required) field WHEN diffed THEN the breaking removal and a deploy-order risk for each kind of gain are listed, breaking first", () => {
    const gains = contract({ id: "string", price: "integer" });
    const stock = contract({ count: "integer" }, "/products/{id}/stock").paths as object;
    const r = report({ catalog: PRODUCT }, { catalog: { ...gains, paths: { ...(gains.paths as object), ...stock } } });
    expect(r.risks.map((risk) => [risk.kind, risk.code])).toEqual([
      ["breaking-api-change", "response-field-removed"],
      ["deploy-order", "deployed-answers-refused"],
      ["deploy-order", "dependency-gains-api"],
    ]);
    expect(r.risks[1]?.reason).toContain("(GET /products/{id}: response 200 field price added as required)");
    expect(r.risks[2]?.reason).toContain("(GET /products/{id}/stock added): if");
  });

  it("GIVEN more than three gains WHEN diffed THEN three are named and the rest counted", () => {
    const r = report(
      { catalog: PRODUCT },
      {
        catalog: contract({
          id: "string",
          priceCents: "integer",
          a: "string?",
          b: "string?",
          c: "string?",
          d: "string?",
        }),
      },
    );
    expect(r.risks[0]?.reason).toContain("field c added and 1 more): if");
  });

  it("GIVEN a service that no one here calls gains a field, or a contract that only loses one WHEN diffed THEN no deploy-order risk", () => {
    expect(
      deployOrderRisks(
        report({ reports: PRODUCT }, { reports: contract({ id: "string", priceCents: "integer", name: "string" }) }),
      ),
    ).toEqual([]);
    expect(deployOrderRisks(report({ catalog: PRODUCT }, { catalog: contract({ id: "string" }) }))).toEqual([]);
  });

  it("GIVEN a deploy-order risk WHEN rendered THEN it is in the risks of the Markdown and the text, not among the service's every-environment notes", () => {
    const r = report(
      { catalog: PRODUCT },
      { catalog: contract({ id: "string", priceCents: "integer", name: "string?" }) },
    );
    const markdown = renderPullRequestComment(r).join("\n");
    expect(markdown).toContain(
      "- **deploy-order** (dependency-gains-api) · every environment · `catalog`: catalog's deployed version",
    );
    expect(markdown).not.toContain(
      "deploy catalog first; during a rolling update the caller's new replicas can meet catalog's old ones (every environment)",
    );
    expect(renderText(r)).toContain("  [deploy-order] every environment · catalog: catalog's deployed version");
  });
});

describe("API changes in Markdown and text", () => {
  it("GIVEN a breaking and an additive change WHEN rendered THEN the risk names the callers in the risks, and the service lists both", () => {
    const r = report({ catalog: PRODUCT }, { catalog: contract({ id: "string", price: "integer" }) });
    const markdown = renderPullRequestComment(r).join("\n");
    expect(markdown).toContain(
      "- **breaking-api-change** (response-field-removed) · every environment · `catalog`: GET /products/{id}: response 200 field priceCents removed; breaks its callers gateway, orders\n",
    );
    expect(markdown).toContain(
      "**API contract**\n\n- breaking: GET /products/{id}: response 200 field priceCents removed\n- additive: GET /products/{id}: response 200 field price added as required\n",
    );
    const text = renderText(r);
    expect(text).toContain(
      "  [breaking-api-change] every environment · catalog: GET /products/{id}: response 200 field priceCents removed; breaks its callers gateway, orders",
    );
    expect(text).toContain("      additive: GET /products/{id}: response 200 field price added as required");
  });

  it("GIVEN a document whose path and field names hold Markdown, HTML and a forged part marker WHEN rendered THEN every line starts as with plain names, and none of it reaches the comment as markup", () => {
    const named = (name: string) =>
      report(
        { catalog: contract({ id: "string", [name]: "integer" }, `/x/${name}`) },
        { catalog: contract({ id: "string", other: "integer" }, `/x/${name}`) },
      );
    const hostile = renderPullRequestComment(named(HOSTILE)).join("\n");
    const plain = renderPullRequestComment(named(PLAIN)).join("\n");
    expect(hostile).toContain("breaking-api-change");
    const [hostileLines, plainLines] = [hostile.split("\n"), plain.split("\n")];
    expect(hostileLines.map((line) => line[0])).toEqual(plainLines.map((line) => line[0]));
    expect(hostile.match(/<!-- infra-diff part/g)).toHaveLength(1);
    expect(hostile).not.toContain("<b>bold");
    expect(hostile).not.toContain("![x](");
    expect(hostile).not.toContain("[link](");
    expect(hostile).not.toMatch(/[^>]@octocat/);
  });
});
