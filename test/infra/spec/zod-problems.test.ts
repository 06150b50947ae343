import type { z } from "zod";
import { describe, expect, it } from "vitest";
import { closestName } from "../../../infra/spec/closest-name.js";
import { SpecError, parseServiceDefinition } from "../../../infra/spec/model.js";
import { serviceSpecSchema } from "../../../infra/spec/service-spec.js";
import { formatFieldPath } from "../../../infra/spec/spec-error.js";
import { baseOf, type Step, withValue } from "../../support/every-field-spec.js";

const valid = { name: "orders", build: {}, port: 8080 };

/** The lines of the refusal of `spec`. */
function refusal(spec: unknown): string[] {
  try {
    parseServiceDefinition(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message.split("\n");
  }
  throw new Error("expected the spec to be refused");
}

/** zod's own English, which no message of the spec may show. */
const ZOD_WORDING = /Invalid input|Invalid option|Unrecognized key|expected \w+, received|Too (small|big)/;

describe("spec messages: what is accepted, and the near miss", () => {
  it.each([
    [
      "a misspelt field of a nested object",
      { ...valid, resources: { memroy: "256Mi" } },
      'service spec: resources.memroy: is not a field of resources; did you mean "memory"? accepted fields: cpu, memory, limits (got key "memroy")',
    ],
    [
      "a misspelt top-level field",
      { ...valid, dependOn: ["catalog"] },
      'service spec: dependOn: is not a field of the spec; did you mean "dependsOn"? accepted fields: name, description, build, image, port, health, env, secrets, resources, scaling, expose, dependsOn, egress, resilience, monitoring, backingServices, uses, environments, guardrails (got key "dependOn")',
    ],
    [
      "an unknown field that is no near miss",
      { ...valid, resources: { disk: "1Gi" } },
      'service spec: resources.disk: is not a field of resources; accepted fields: cpu, memory, limits (got key "disk")',
    ],
    [
      "two letters swapped in a short field",
      { ...valid, secrets: { DB: { secretName: "orders-db", kye: "password" } } },
      'service spec: secrets.DB.kye: is not a field of secrets.DB; did you mean "key"? accepted fields: secretName, key (got key "kye")',
    ],
    [
      "a field of another type of backing service",
      { ...valid, backingServices: { cache: { type: "redis", instances: 3 } } },
      'service spec: backingServices.cache.instances: is not a field of backingServices.cache; accepted fields: type, persistence, storage, resources (got key "instances")',
    ],
    [
      "a misspelt field inside a union (expose's public form)",
      { ...valid, expose: { publik: { host: "shop.example.com" } } },
      'service spec: expose.publik: is not a field of expose; did you mean "public"? accepted fields: public (got key "publik")',
    ],
    [
      "a number for memory",
      { ...valid, resources: { memory: 256 } },
      'service spec: resources.memory: must be a string, like "256Mi" (got 256)',
    ],
    [
      "a boolean for cpu",
      { ...valid, resources: { cpu: true } },
      'service spec: resources.cpu: must be a string or a number, like "250m" or 0.5 (got true)',
    ],
    [
      "one name for dependsOn",
      { ...valid, dependsOn: "catalog" },
      'service spec: dependsOn: must be a list of strings, like ["catalog"] (got "catalog")',
    ],
    [
      "a word for the backing services",
      { ...valid, backingServices: "postgres" },
      'service spec: backingServices: must be an object of names to objects whose type is "postgres", "redis" or "queue" (got "postgres")',
    ],
    [
      "a word for an object",
      { ...valid, build: "Dockerfile" },
      'service spec: build: must be { dockerfile? } (got "Dockerfile")',
    ],
    [
      "a missing field zod would call undefined",
      { ...valid, secrets: { DB: { secretName: "orders-db" } } },
      "service spec: secrets.DB.key: is required: a string (got nothing)",
    ],
    [
      "a value in the wrong case",
      { ...valid, egress: [{ cidr: "203.0.113.0/24", ports: [443], protocol: "tcp" }] },
      'service spec: egress[0].protocol: must be "TCP" or "UDP"; did you mean "TCP"? (got "tcp")',
    ],
    [
      "a misspelt backing service type",
      { ...valid, backingServices: { db: { type: "postgress" } } },
      'service spec: backingServices.db.type: must be a backing service type: "postgres", "redis", "queue"; did you mean "postgres"? (got "postgress")',
    ],
  ])("GIVEN %s WHEN parsed THEN the message names what is accepted", (_case, spec, line) => {
    expect(refusal(spec)).toContain(line);
  });

  it("GIVEN an unknown field that is a near miss of a secret-like one WHEN refused THEN its value is not shown", () => {
    const lines = refusal({ ...valid, env: { LOG_LEVEL: "info" }, sercets: { DB_PASSWORD: "hunter2" } });
    expect(lines.join("\n")).not.toContain("hunter2");
    expect(lines).toContain(
      'service spec: sercets: is not a field of the spec; did you mean "secrets"? accepted fields: name, description, build, image, port, health, env, secrets, resources, scaling, expose, dependsOn, egress, resilience, monitoring, backingServices, uses, environments, guardrails (got key "sercets")',
    );
  });
});

/** A field of the schema: its steps, and what it is. */
interface SchemaField {
  readonly steps: readonly Step[];
  /** The fields of the object it is, when it is one (not a record). */
  readonly fields?: readonly string[];
}

/** Every field (object keys, list elements, record entries) of `schema`, the root included. */
function fieldsOf(schema: z.ZodType, steps: Step[] = []): SchemaField[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
      return fieldsOf(def.innerType, steps);
    case "pipe":
      return fieldsOf(def.in, steps);
    case "object": {
      const shape = def.shape as Record<string, z.ZodType>;
      return [
        { steps, fields: Object.keys(shape) },
        ...Object.entries(shape).flatMap(([key, field]) => fieldsOf(field, [...steps, key])),
      ];
    }
    case "array":
      return [{ steps }, ...fieldsOf(def.element, [...steps, { list: true }])];
    case "record":
      return [{ steps }, ...fieldsOf(def.valueType, [...steps, { entry: true }])];
    case "union": {
      // The options of a union at one place: one field, whose object options each list their fields.
      const options = (def.options as z.ZodType[]).flatMap((option) => fieldsOf(option, steps));
      const here = options.filter((field) => JSON.stringify(field.steps) === JSON.stringify(steps));
      const below = options.filter((field) => JSON.stringify(field.steps) !== JSON.stringify(steps));
      const objects = here.filter((field) => field.fields !== undefined);
      return [
        ...(objects.length > 0 ? objects : [{ steps }]),
        ...below.filter(
          (field, index) =>
            below.findIndex((other) => JSON.stringify(other.steps) === JSON.stringify(field.steps)) === index,
        ),
      ];
    }
    default:
      return [{ steps }];
  }
}

const FIELDS = fieldsOf(serviceSpecSchema as unknown as z.ZodType);
const OBJECTS = FIELDS.filter((field) => field.fields !== undefined);
/** A near miss of a field name: its last letter twice. */
const nearMiss = (field: string) => `${field}${field.at(-1)}`;
const sameSteps = (a: SchemaField, b: SchemaField) => JSON.stringify(a.steps) === JSON.stringify(b.steps);

/**
 * The field by which an object is found in the spec of every field: one no other object at
 * its place has (a Redis store's `persistence`, not the `type` every backing service has).
 */
function lookupField(object: SchemaField): string {
  const others = OBJECTS.filter((other) => other !== object && sameSteps(other, object));
  return object.fields!.find((field) => !others.some((other) => other.fields!.includes(field))) ?? object.fields![0]!;
}

/** Where `object` is in its spec of every field, and that spec. */
function located(object: SchemaField): { spec: Record<string, unknown>; at: PropertyKey[] } {
  const steps = [...object.steps, lookupField(object)];
  const spec = baseOf(steps);
  return { spec, at: withValue(spec, steps, undefined).path.slice(0, -1) };
}

/** `spec` with `key` set to `value` in the object at `at`. */
function withKey(spec: Record<string, unknown>, at: readonly PropertyKey[], key: string, value: unknown) {
  const copy = structuredClone(spec);
  const holder = at.reduce<any>((object, step) => object[step], copy);
  holder[key] = value;
  return copy;
}

describe("spec messages: every field and every nested object, from the schema", () => {
  it("GIVEN the spec's schema WHEN walked THEN it finds the nested objects, a union's options included", () => {
    expect(OBJECTS.map((object) => formatFieldPath(located(object).at))).toEqual(
      expect.arrayContaining([
        "(spec)",
        "resources.limits",
        "expose",
        "expose.public",
        "backingServices.store",
        "backingServices.cache",
        "backingServices.jobs",
        "environments.staging.backingServices.store.external",
        "guardrails.suppress[0]",
      ]),
    );
  });

  it("GIVEN a near miss of a field in each object of the schema WHEN parsed THEN it is refused with the closest field and every accepted one", () => {
    for (const object of OBJECTS) {
      const field = lookupField(object);
      const { spec, at } = located(object);
      const where = at.length === 0 ? "the spec" : formatFieldPath(at);
      expect(refusal(withKey(spec, at, nearMiss(field), 1)), where).toContain(
        `service spec: ${formatFieldPath([...at, nearMiss(field)])}: is not a field of ${where}; did you mean "${field}"? accepted fields: ${object.fields!.join(", ")} (got key "${nearMiss(field)}")`,
      );
    }
  });

  it("GIVEN a value of the wrong type in each field of the schema WHEN parsed THEN the message says what is accepted, in the spec's words", () => {
    const checked: string[] = [];
    const fields = FIELDS.filter((field, index) => FIELDS.findIndex((other) => sameSteps(other, field)) === index);
    for (const field of fields.filter((field) => field.steps.length > 0)) {
      const last = field.steps.at(-1)!;
      if (typeof last === "object" && "key" in last) continue;
      // No field of the spec takes true or false.
      const { spec, path } = withValue(baseOf(field.steps), field.steps, true);
      const line = refusal(spec).find((l) => l.startsWith(`service spec: ${formatFieldPath(path)}: `));
      expect(line, formatFieldPath(path)).toMatch(/: (must|is) .* \(got .+\)$/);
      expect(line, formatFieldPath(path)).not.toMatch(ZOD_WORDING);
      checked.push(formatFieldPath(path));
    }
    expect(checked).toEqual(
      expect.arrayContaining(["resources.memory", "environments.staging.resources.limits.cpu", "egress[0].ports[0]"]),
    );
  });
});

describe("closestName", () => {
  it.each([
    ["memroy", ["cpu", "memory", "limits"], "memory"],
    ["Memory", ["cpu", "memory"], "memory"],
    ["kye", ["secretName", "key"], "key"],
    ["dependOn", ["dependsOn", "description"], "dependsOn"],
    ["gpu", ["cpu", "memory"], "cpu"],
    ["replicas", ["type", "version", "storage", "instances"], undefined],
    ["scale", ["scaling"], undefined],
    ["abc", ["xyz", "cpu"], undefined],
    ["abc", ["xyc", "bcd"], undefined],
    ["port", ["host", "path"], undefined],
    ["tpc", ["TCP", "UDP"], "TCP"],
    ["memroy", ["memory"], "memory"],
    ["mem", ["memory"], undefined],
    ["dependsno", ["dependsOn"], "dependsOn"],
  ])("GIVEN %s among %j WHEN the closest is asked THEN it is %s", (given, accepted, closest) => {
    expect(closestName(given, accepted)).toBe(closest);
  });
});
