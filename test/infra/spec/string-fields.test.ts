import fc from "fast-check";
import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_NAMES } from "../../../infra/environments.js";
import {
  SpecError,
  parseServiceDefinition,
  resolveCatalogue,
  type ServiceSpecInput,
} from "../../../infra/spec/model.js";
import { formatFieldPath } from "../../../infra/spec/spec-error.js";
import { serviceSpecSchema } from "../../../infra/spec/service-spec.js";
import { continuingOnErrorAnnotations } from "../../support/guardrails.js";
import { service, synthPlatform } from "../../support/platform.js";
import { scratchFolders } from "../../support/scratch.js";
import { valuesThroughTerraform } from "../../support/terraform.js";
import { EVERY_FIELD, baseOf as baseOfSteps, type Step, withValue } from "../../support/every-field-spec.js";

const scratch = scratchFolders();

/**
 * Every string a service file can give, found by walking the spec's schema (not from a
 * hand list): each is given Terraform and Prometheus template payloads, and must be
 * refused with the usual message or reach the synthesized JSON only as a literal.
 */

interface StringField {
  readonly steps: readonly Step[];
}

/** The fields of `schema` that accept a string, as paths of steps. */
function stringFields(schema: z.ZodType, steps: Step[] = []): StringField[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
      return stringFields(def.innerType, steps);
    case "pipe":
      return stringFields(def.in, steps);
    case "object":
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([key, field]) =>
        stringFields(field, [...steps, key]),
      );
    case "array":
      return stringFields(def.element, [...steps, { list: true }]);
    case "record":
      return [
        ...stringFields(def.keyType, [...steps, { key: true }]),
        ...stringFields(def.valueType, [...steps, { entry: true }]),
      ];
    case "union": {
      const fields = (def.options as z.ZodType[]).flatMap((option) => stringFields(option, steps));
      return fields.filter(
        (field, index) =>
          fields.findIndex((other) => JSON.stringify(other.steps) === JSON.stringify(field.steps)) === index,
      );
    }
    case "string":
    case "enum":
    case "literal":
      return [{ steps }];
    default:
      return [];
  }
}

const CATALOG = service({
  name: "catalog",
  image: "ghcr.io/acme/catalog:2.0.0",
  port: 8080,
  // What orders `uses`.
  backingServices: { products: { type: "redis" } },
});

/** Every environment's JSON; the guardrails' findings (a payload in a healthcheck, say) are not this test's concern. */
const synthesize = (spec: Record<string, unknown>) =>
  continuingOnErrorAnnotations(() =>
    // The API server's address: a Kubernetes environment with a database needs it (the spec has one).
    synthPlatform([service(spec as ServiceSpecInput), CATALOG], { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" }),
  );

const baseOf = (field: StringField) => baseOfSteps(field.steps);

const GO_TEMPLATE_PAYLOAD = "{{ .ExternalURL }}";
const PAYLOADS = ['${file("/etc/hostname")}', "%{ if true }yes%{ endif }", GO_TEMPLATE_PAYLOAD];
/** Where Prometheus reads alert templates: a PrometheusRule's groups, or a rules file in a ConfigMap. */
const IN_ALERT_RULES =
  /\/kubernetes_manifest\/[^/]+\/manifest\/spec\/groups\/|\/kubernetes_config_map_v1\/[^/]+\/data\/[^/]+\.yml$/;
const FIELDS = stringFields(serviceSpecSchema as unknown as z.ZodType);

/**
 * The spec problems of `spec` (as a service file next to catalog), from the schema and the checks across services;
 * none: accepted.
 */
function problemsOf(spec: Record<string, unknown>): string | undefined {
  try {
    const orders = {
      file: "services/orders/service.ts",
      folder: "orders",
      definition: parseServiceDefinition(spec),
      version: "1.0.0",
    };
    for (const environment of ENVIRONMENT_NAMES) resolveCatalogue([orders, CATALOG], environment, ENVIRONMENT_NAMES);
    return undefined;
  } catch (error) {
    if (error instanceof SpecError) return error.message;
    throw error;
  }
}

/**
 * Terraform's escape of a literal, written here from Terraform's documentation and not
 * taken from the platform's `terraformLiteral`, so that the test does not check the
 * platform against itself: `${` is written `$${`, `%{` is written `%%{`.
 */
function templateEscaped(text: string): string {
  // (A function as replacement: in a replacement string, "$$" would mean one "$".)
  return text.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{");
}

/** Every string and property name in a synthesized JSON value, with where it is. */
function stringsIn(value: unknown, where = ""): Array<{ where: string; text: string }> {
  if (typeof value === "string") return [{ where, text: value }];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => [
    { where: `${where}/${key} (name)`, text: key },
    ...stringsIn(item, `${where}/${key}`),
  ]);
}

/**
 * Where a tagged value landed in the synthesized JSON in any other form than a literal:
 * `«id»value«/id»` must read `templateEscaped(value)`, or that of its JSON encoding
 * (inside a dashboard's JSON).
 */
function liveLandings(stacks: Record<string, unknown>, tagged: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const { where, text } of stringsIn(stacks)) {
    if (IN_ALERT_RULES.test(where) && text.includes(GO_TEMPLATE_PAYLOAD))
      found.push(`${where}: a Prometheus template action from the spec`);
    for (const match of text.matchAll(/«(\w+)»([\s\S]*?)«\/\1»/g)) {
      const value = tagged.get(match[1]!)!;
      const literals = [templateEscaped(value), templateEscaped(JSON.stringify(value).slice(1, -1))];
      if (!literals.includes(match[2]!))
        found.push(`${where}: ${JSON.stringify(match[2])} (from ${JSON.stringify(value)})`);
    }
  }
  return found;
}

/**
 * Each payload in every string field: the fields that accepted it, and every environment's JSON with it in all of them
 * at once (computed once per payload).
 */
const payloadRuns = new Map<
  string,
  { accepted: Array<{ field: string; id: string }>; stacks: Record<string, unknown> }
>();
function withPayload(payload: string): {
  accepted: Array<{ field: string; id: string }>;
  stacks: Record<string, unknown>;
} {
  const known = payloadRuns.get(payload);
  if (known) return known;
  const accepted: Array<{ field: string; id: string }> = [];
  let combined: Record<string, unknown> = EVERY_FIELD;
  for (const [index, field] of FIELDS.entries()) {
    // As it is, and after a '/' for the fields that must be paths.
    for (const [variant, prefix] of ["", "/"].entries()) {
      const { spec, path } = withValue(baseOf(field), field.steps, `${prefix}${payload}`);
      const problems = problemsOf(spec);
      if (problems !== undefined) {
        // A refused key is named as the path to it; anything else by its own path.
        const last = field.steps.at(-1)!;
        expect(problems, formatFieldPath(path)).toContain(
          formatFieldPath(typeof last === "object" && "key" in last ? path.slice(0, -1) : path),
        );
        continue;
      }
      const id = `f${index}v${variant}`;
      accepted.push({ field: formatFieldPath(path), id });
      if (baseOf(field) === EVERY_FIELD)
        combined = withValue(combined, field.steps, `${prefix}«${id}»${payload}«/${id}»`).spec;
      break;
    }
  }
  expect(problemsOf(combined)).toBeUndefined();
  const run = { accepted, stacks: synthesize(combined) };
  payloadRuns.set(payload, run);
  return run;
}

describe("every string field of a service file stays data", () => {
  it("GIVEN the spec's schema WHEN walked THEN it finds the string fields, each of which the spec of every field gives", () => {
    const fields = FIELDS.map((field) => withValue(baseOf(field), field.steps, "x").path).map(formatFieldPath);
    expect(fields).toEqual(
      expect.arrayContaining([
        "name",
        "description",
        "build.dockerfile",
        "image",
        "env.x",
        "env.LOG_LEVEL",
        "monitoring.metricsPath",
        "guardrails.suppress[0].reason",
        "environments.x",
        "environments.staging.env.LOG_LEVEL",
        "backingServices.store.type",
        "backingServices.store.storage",
        "environments.staging.backingServices.store.storage",
        "environments.staging.backingServices.store.external.secretName",
        "resilience.x",
        "resilience.catalog.retries.methods[0]",
      ]),
    );
    expect(fields.length).toBeGreaterThan(25);
  });

  it.each(PAYLOADS)(
    "GIVEN %s in each string field WHEN synthesized THEN each is refused naming its field, or reaches the JSON only as a literal",
    (payload) => {
      const { accepted, stacks } = withPayload(payload);
      // Free text is accepted (a description, an env value, a reason): it must land as a literal.
      expect(accepted.map((a) => a.field)).toContain("description");
      expect(JSON.stringify(stacks)).toContain(`«${accepted.find((a) => a.field === "description")!.id}»`);
      expect(liveLandings(stacks, new Map(accepted.map((a) => [a.id, payload])))).toEqual([]);
    },
  );

  it("GIVEN the synthesized resource arguments that carry the payloads WHEN the real terraform reads them THEN each payload comes out as it went in", () => {
    const carried = PAYLOADS.flatMap((payload) =>
      stringsIn(withPayload(payload).stacks)
        .filter(
          ({ where, text }) =>
            /^\/(local|staging)\/resource\//.test(where) && !where.endsWith("(name)") && text.includes("«"),
        )
        .map(({ where, text }) => ({ where, text, payload })),
    );
    expect(carried.length).toBeGreaterThan(PAYLOADS.length);
    const read = valuesThroughTerraform(
      scratch.folder("string-fields-terraform-"),
      carried.map((c) => c.text),
    ) as string[];
    const changed = carried.flatMap(({ where, payload }, index) =>
      [...read[index]!.matchAll(/«\w+»([\s\S]*?)«\/\w+»/g)]
        .filter((m) => m[1] !== payload && m[1] !== JSON.stringify(payload).slice(1, -1))
        .map((m) => `${where}: ${JSON.stringify(m[1])}`),
    );
    expect(changed).toEqual([]);
  });

  it("GIVEN random text in every string field that takes free text WHEN synthesized THEN it reaches the JSON only as a literal (property)", () => {
    const freeText = FIELDS.filter(
      (field) =>
        baseOf(field) === EVERY_FIELD &&
        problemsOf(withValue(EVERY_FIELD, field.steps, PAYLOADS[0]!).spec) === undefined,
    );
    expect(freeText.length).toBeGreaterThan(3);
    const text = fc.string({
      unit: fc.constantFrom("$", "%", "{", "}", "${", "%{", "{{", "\\", '"', "\n", "a", " ", "é"),
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(text, (value) => {
        let spec: Record<string, unknown> = EVERY_FIELD;
        // Padded with words outside the markers: a suppression reason must hold 10 letters or digits, random text may
        // not.
        freeText.forEach((field, index) => {
          spec = withValue(spec, field.steps, `«r${index}»${value}«/r${index}» and some words`).spec;
        });
        const stacks = synthesize(spec);
        expect(liveLandings(stacks, new Map(freeText.map((_field, index) => [`r${index}`, value])))).toEqual([]);
      }),
      // Each run synthesizes every environment; no shrinking beyond the first failure.
      { numRuns: 5, endOnFailure: true },
    );
  });
});
