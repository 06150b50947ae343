/**
 * `templates/<template>/template.json`, checked with zod: the template's description,
 * its base layer, the files the platform owns, its questions and which answers fill
 * which placeholders. Every refusal names the file, the field, the bad value and what
 * is accepted.
 */
import { z } from "zod";
import { PlatformError } from "../../infra/platform-error.js";
import { formatFieldPath } from "../../infra/spec/spec-error.js";
import { PLATFORM_CHECK_NAMES, PLATFORM_CHECKS } from "./platform-checks.js";
import { PLATFORM_QUESTION_NAMES, PLATFORM_QUESTIONS } from "./platform-questions.js";
import {
  QUESTION_TYPES,
  flagOf,
  isAnswerReference,
  ruleProblem,
  type Question,
  type QuestionType,
} from "./questions.js";

/** A template that cannot be read or rendered (code TEMPLATE_INVALID); the message names the file and the problem. */
export class TemplateError extends PlatformError {
  constructor(message: string) {
    super("TEMPLATE_INVALID", message);
  }
}

/** The placeholders the platform fills from its own answers; a template cannot declare these. */
export const PLATFORM_PLACEHOLDERS = [
  "name",
  "port",
  "owner",
  "description",
  "dependsOn",
  "expose",
  "backingServices",
] as const;

/** Options of new:service that are not questions; no question may take their names. */
export const SCAFFOLDER_OPTIONS = ["name", "template", "dry-run", "no-install", "help"] as const;

const QUESTION_NAME = /^[a-z][A-Za-z0-9]*$/;
const PLACEHOLDER_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, a number or a boolean" });

const questionSchema = z.strictObject(
  {
    name: z
      .string({ error: "must be a string" })
      .regex(
        QUESTION_NAME,
        "must be a camelCase name: a lower-case letter, then letters and digits (its option is the kebab-case form: jobSource -> --job-source)",
      ),
    type: z.enum(QUESTION_TYPES, { error: `must be one of ${QUESTION_TYPES.join(", ")}` }).optional(),
    help: z.string({ error: "must be one line of text" }).min(1, "must be one line of text").optional(),
    default: z
      .union([scalar, z.array(z.string()), z.strictObject({ answer: z.string() })], {
        error: 'must be a value of the question\'s type, or { "answer": "<an earlier question>" }',
      })
      .optional(),
    choices: z.array(scalar, { error: "must be a list of values" }).min(1, "must list at least one value").optional(),
    pattern: z
      .string({ error: "must be a regular expression (JavaScript syntax)" })
      .refine(isRegularExpression, "must be a regular expression (JavaScript syntax)")
      .optional(),
    min: z.number({ error: "must be a whole number" }).int("must be a whole number").optional(),
    max: z.number({ error: "must be a whole number" }).int("must be a whole number").optional(),
    check: z.enum(PLATFORM_CHECK_NAMES, { error: `must be one of ${PLATFORM_CHECK_NAMES.join(", ")}` }).optional(),
    when: z
      .record(z.string(), scalar, { error: 'must map earlier questions to values, like { "public": true }' })
      .optional(),
    why: z.string({ error: "must be text" }).min(1, "must be text").optional(),
  },
  { error: "must be a question: { name, type, help, ... }" },
);

const placeholderSchema = z.strictObject(
  {
    answer: z.string({ error: "must name a question" }),
    as: z.enum(["text", "literal"], {
      error: 'must be "text" (the answer as it is) or "literal" (a JSON literal, for code)',
    }),
  },
  { error: 'must be { "answer": "<question>", "as": "text" | "literal" }' },
);

const manifestSchema = z.strictObject({
  description: z.string({ error: "must be a string" }),
  base: z.string({ error: "must be the name of a template folder" }).optional(),
  managed: z.array(z.string(), { error: "must be a list of paths (folders end in '/')" }),
  questions: z.array(questionSchema, { error: "must be a list of questions" }).optional(),
  highlights: z
    .record(z.string(), z.string(), {
      error: 'must map files or folders (ending in "/") of the service to one line on what each is',
    })
    .optional(),
  placeholders: z
    .record(
      z.string().regex(PLACEHOLDER_NAME, "must be letters and digits, starting with a letter"),
      placeholderSchema,
      {
        error: "must map placeholder names to answers",
      },
    )
    .optional(),
});

/** A question as a template.json declares it: a question of its own, or a narrowing of a platform question. */
export type QuestionDeclaration = z.infer<typeof questionSchema>;
/** Which answer fills a placeholder, and how: `text` as it is, `literal` as a JSON literal (quoted, for code). */
export type PlaceholderDeclaration = z.infer<typeof placeholderSchema>;
/** A template.json, checked. */
export type TemplateManifest = z.infer<typeof manifestSchema>;

const MANIFEST_FIELDS = Object.keys(manifestSchema.shape).join(", ");
const QUESTION_FIELDS = Object.keys(questionSchema.shape).join(", ");
const PLACEHOLDER_FIELDS = Object.keys(placeholderSchema.shape).join(", ");

/** The fields of the object at `path` of a template.json: the top level, a question, a placeholder, or a default's `{ answer }`. */
function fieldsAt(path: readonly PropertyKey[]): string {
  if (path.length === 0) return MANIFEST_FIELDS;
  if (path[0] === "questions" && path.length === 2) return QUESTION_FIELDS;
  if (path[0] === "placeholders" && path.length === 2) return PLACEHOLDER_FIELDS;
  return "answer";
}
/** What a template may change of a platform question. */
const NARROWING_FIELDS = new Set(["name", "help", "default", "choices", "pattern", "min", "max", "why"]);

/** Parses a template.json's text; throws a TemplateError naming `where`, every bad field, its value and what is accepted. */
export function parseTemplateManifest(text: string, where: string): TemplateManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TemplateError(`${where}: is not valid JSON (${(error as Error).message})`);
  }
  const result = manifestSchema.safeParse(value);
  if (!result.success) {
    throw new TemplateError(
      result.error.issues
        .map((issue) => {
          if (issue.code === "unrecognized_keys") {
            const fields = fieldsAt(issue.path);
            const at = issue.path.length === 0 ? "" : `${formatFieldPath(issue.path)}.`;
            return issue.keys.map((key) => `${where}: ${at}${key}: is not a field here; fields: ${fields}`).join("\n");
          }
          return `${where}: ${formatFieldPath(issue.path)}: ${issue.message} (got ${shown(valueAt(value, issue.path))})`;
        })
        .join("\n"),
    );
  }
  const problems = manifestProblems(result.data).map(
    ({ path, message }) => `${where}: ${formatFieldPath(path)}: ${message} (got ${shown(valueAt(value, path))})`,
  );
  if (problems.length > 0) throw new TemplateError(problems.join("\n"));
  return result.data;
}

/** A manifest layer as a template is made of it: where it is written and what it declares. */
export interface ManifestLayer {
  readonly where: string;
  readonly manifest: TemplateManifest;
}

/**
 * The questions of a template made of `layers` (its base first): the platform's, each
 * narrowed by what the layers say of it, then the layers' own, in order. Throws a
 * TemplateError when a question refers to one that is not asked before it, or a
 * placeholder to an answer no question gives.
 */
export function resolveQuestions(layers: readonly ManifestLayer[]): {
  questions: Question[];
  placeholders: Map<string, PlaceholderDeclaration>;
} {
  const questions: Question[] = PLATFORM_QUESTIONS.map((q) => ({ ...q }));
  const placeholders = new Map<string, PlaceholderDeclaration>();
  const problems: string[] = [];
  for (const { where, manifest } of layers) {
    (manifest.questions ?? []).forEach((declared, index) => {
      const at = `${where}: questions[${index}]`;
      const existing = questions.findIndex((q) => q.name === declared.name);
      if (existing >= 0 && !PLATFORM_QUESTION_NAMES.has(declared.name)) {
        problems.push(`${at}.name: is asked already, by a base layer (got "${declared.name}")`);
        return;
      }
      const earlier = new Set(questions.slice(0, existing >= 0 ? existing : questions.length).map((q) => q.name));
      for (const answer of Object.keys(declared.when ?? {}))
        if (!earlier.has(answer))
          problems.push(`${at}.when.${answer}: must name a question asked before this one (got "${answer}")`);
      const reference = declared.default;
      if (isAnswerReference(reference) && !earlier.has(reference.answer))
        problems.push(`${at}.default.answer: must name a question asked before this one (got "${reference.answer}")`);
      const question = { ...declared } as Question;
      if (existing < 0 && question.type !== undefined)
        for (const option of optionsOf(question)) {
          const other = questions.find((q) => optionsOf(q).includes(option));
          if (other)
            problems.push(
              `${at}.name: gives the option --${option}, which the question "${other.name}" gives already; choose another name (got "${declared.name}")`,
            );
        }
      if (existing >= 0) questions[existing] = { ...questions[existing]!, ...stripUndefined(question) };
      else questions.push(question);
    });
    for (const [placeholder, declaration] of Object.entries(manifest.placeholders ?? {})) {
      const at = `${where}: placeholders.${placeholder}`;
      const question = questions.find((q) => q.name === declaration.answer);
      if ((PLATFORM_PLACEHOLDERS as readonly string[]).includes(placeholder))
        problems.push(
          `${at}: is a placeholder of the platform's; choose another name (platform placeholders: ${PLATFORM_PLACEHOLDERS.join(", ")})`,
        );
      else if (PLATFORM_QUESTION_NAMES.has(declaration.answer))
        problems.push(
          `${at}.answer: is the platform's question "${declaration.answer}", whose answer the platform's own placeholders carry: use ${PLATFORM_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")} (got "${declaration.answer}")`,
        );
      else if (!question)
        problems.push(
          `${at}.answer: must name a question of the template (got "${declaration.answer}"); questions: ${questions.map((q) => q.name).join(", ")}`,
        );
      else if (declaration.as === "text" && !isConstrained(question))
        problems.push(
          `${at}.as: "text" puts the answer in the file as typed, so its question needs a pattern, choices or a check (a list: the existing-services or dependencies check), or an integer or boolean type (got "text" for the free-form answer "${question.name}"); use "literal", or constrain the question`,
        );
      else placeholders.set(placeholder, declaration);
    }
  }
  if (problems.length > 0) throw new TemplateError(problems.join("\n"));
  return { questions, placeholders };
}

/** The problems zod's shapes cannot see: a question's fields against its type, its name against the platform's. */
function manifestProblems(manifest: TemplateManifest): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Set<string>();
  (manifest.questions ?? []).forEach((declared, index) => {
    const at = (field: string) => ["questions", index, field];
    const platform = PLATFORM_QUESTIONS.find((q) => q.name === declared.name);
    if (seen.has(declared.name)) problems.push({ path: at("name"), message: "is declared twice in this file" });
    seen.add(declared.name);
    if (platform) {
      for (const field of Object.keys(declared))
        if (!NARROWING_FIELDS.has(field))
          problems.push({
            path: at(field),
            message: `cannot be changed for the platform's question "${declared.name}"; a template may set ${[...NARROWING_FIELDS].filter((f) => f !== "name").join(", ")}`,
          });
    } else {
      if (declared.type === undefined)
        problems.push({ path: at("type"), message: `is required: one of ${QUESTION_TYPES.join(", ")}` });
      if (declared.help === undefined)
        problems.push({ path: at("help"), message: "is required: one line on what the answer is" });
    }
    const type: QuestionType | undefined = platform?.type ?? declared.type;
    if (type === undefined) return;
    for (const option of optionsOf({ name: declared.name, type }))
      if ((SCAFFOLDER_OPTIONS as readonly string[]).includes(option))
        problems.push({
          path: at("name"),
          message:
            option === flagOf(declared.name)
              ? `is an option of new:service itself (${SCAFFOLDER_OPTIONS.join(", ")}); choose another name`
              : `gives the option --${option} (a boolean question is --x and --no-x), an option of new:service itself (${SCAFFOLDER_OPTIONS.join(", ")}); choose another name`,
        });
    if (platform) problems.push(...wideningProblems(declared, platform, at));
    if (declared.pattern !== undefined && type !== "string")
      problems.push({ path: at("pattern"), message: `fits a string question only (this one is ${type})` });
    for (const bound of ["min", "max"] as const)
      if (declared[bound] !== undefined && type !== "integer" && type !== "list-of-services")
        problems.push({
          path: at(bound),
          message: `fits an integer (its value) or a list-of-services (how many) question only (this one is ${type})`,
        });
    if (declared.check !== undefined && !(PLATFORM_CHECKS[declared.check].types as readonly string[]).includes(type))
      problems.push({
        path: at("check"),
        message: `fits ${PLATFORM_CHECKS[declared.check].types.join(" or ")} questions only (this one is ${type})`,
      });
    declared.choices?.forEach((choice, position) => {
      if (!fitsType(choice, type))
        problems.push({ path: [...at("choices"), position], message: `must be a ${describeType(type)}` });
    });
    const fallback = declared.default;
    if (fallback !== undefined && !isAnswerReference(fallback) && !fitsType(fallback, type))
      problems.push({ path: at("default"), message: `must be a ${describeType(type)}, or { "answer": "<question>" }` });
  });
  return problems;
}

/** The options of new:service a question takes: `--x`, and `--no-x` for a boolean. */
function optionsOf(question: Pick<Question, "name" | "type">): string[] {
  const flag = flagOf(question.name);
  return question.type === "boolean" ? [flag, `no-${flag}`] : [flag];
}

/**
 * What a template's narrowing of a platform question would widen: a `min` below the
 * platform's, a `max` above it, a choice the platform's own rules refuse. A `pattern` is
 * added on top: the platform's type, check and spec schema still run.
 */
function wideningProblems(
  declared: QuestionDeclaration,
  platform: Question,
  at: (field: string) => PropertyKey[],
): Array<{ path: PropertyKey[]; message: string }> {
  const problems: Array<{ path: PropertyKey[]; message: string }> = [];
  const narrows = `a template may narrow the platform's question "${platform.name}", not widen it`;
  if (declared.min !== undefined && platform.min !== undefined && declared.min < platform.min)
    problems.push({ path: at("min"), message: `must be at least the platform's min, ${platform.min}: ${narrows}` });
  if (declared.max !== undefined && platform.max !== undefined && declared.max > platform.max)
    problems.push({ path: at("max"), message: `must be at most the platform's max, ${platform.max}: ${narrows}` });
  declared.choices?.forEach((choice, position) => {
    const problem = ruleProblem({ ...platform, why: undefined }, choice);
    if (problem !== undefined)
      problems.push({
        path: [...at("choices"), position],
        message: `is refused by the platform's rules (${problem}): ${narrows}`,
      });
  });
  return problems;
}

function fitsType(value: unknown, type: QuestionType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "list-of-services":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
  }
}

function describeType(type: QuestionType): string {
  return type === "list-of-services" ? "list of service names" : type === "integer" ? "whole number" : type;
}

/**
 * Whether an answer is constrained enough to be pasted into a file as typed: an integer
 * or a boolean; a list only when its items are names of services (the
 * `existing-services` or `dependencies` check), since items are free text otherwise; a
 * string with a pattern (matched against the whole answer), choices or a check.
 */
function isConstrained(question: Question): boolean {
  switch (question.type) {
    case "integer":
    case "boolean":
      return true;
    case "list-of-services":
      return question.check === "existing-services" || question.check === "dependencies";
    case "string":
      return question.pattern !== undefined || question.choices !== undefined || question.check !== undefined;
  }
}

function isRegularExpression(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (current, key) =>
      current !== null && typeof current === "object" ? (current as Record<PropertyKey, unknown>)[key] : undefined,
    value,
  );
}

function shown(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}
