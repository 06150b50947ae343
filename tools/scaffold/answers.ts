import { createHash } from "node:crypto";
import { serviceSpecSchema } from "../../infra/spec/service-spec.js";
import { type DependencyContracts, dependencyClientSource } from "./dependency-clients.js";
import { BACKING_SERVICE_CHOICES, BACKING_SERVICE_QUESTIONS, type BackingServiceChoice } from "./platform-questions.js";
import type { AnswerValue } from "./questions.js";
import type { PlaceholderDeclaration } from "./template-manifest.js";

/**
 * What a new service is made of: the scaffolder's answers, recorded in `.template.json`
 * (the answers to the template's own questions beside the platform's).
 */
export interface ScaffoldAnswers {
  readonly name: string;
  readonly template: string;
  readonly port: number;
  /** Service names, as given: the first is a worker's job source. */
  readonly dependsOn: readonly string[];
  /** Where the service is published; null keeps it internal. */
  readonly public: { readonly host: string; readonly path: string } | null;
  readonly owner: string;
  readonly description: string;
  /** The backing services it owns, by the question that gave each (`database`, `cache`, `queue`), in that order. */
  readonly backingServices: readonly BackingServiceChoice[];
  /** The answers to the template's own questions (its template.json), by question name. */
  readonly own: Readonly<Record<string, AnswerValue>>;
}

/** `services/<name>/.template.json`: where a service came from, for `template:check`. */
export interface TemplateRecord {
  readonly template: string;
  /** The template's content hash when the service was made from it. */
  readonly version: string;
  /**
   * The git commit that holds that version of the template (templates/<template>/ and its
   * base), so that an update can render it again with the answers; null when the template
   * had uncommitted changes when the service was made (or the record predates the field).
   */
  readonly commit: string | null;
  readonly answers: ScaffoldAnswers;
  /**
   * The platform-owned files whose edits by the service were accepted (kept by
   * `template:update`'s merge, or recorded by `template:update --accept`), by path in the
   * service folder: the {@link editHash} of the content accepted. `template:check` takes a
   * managed file that differs from the template's rendering only when its content has that
   * hash. Absent (records made before it) or empty: no edit accepted.
   */
  readonly edits?: Readonly<Record<string, string>>;
}

/** How `.template.json` records an accepted edit's content: {@link editHash}. */
const EDIT_HASH = /^sha256:[0-9a-f]{64}$/;

/** The hash `.template.json` records for an accepted edit of a platform file: `sha256:` and the hex digest of its content. */
export function editHash(content: string): string {
  return `sha256:${createHash("sha256").update(content, "utf8").digest("hex")}`;
}

function sortedKeys(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The file every scaffolded service keeps its {@link TemplateRecord} in. */
export const TEMPLATE_RECORD_FILE = ".template.json";

/** The template a service is made from when none is named. */
export const DEFAULT_TEMPLATE = "http-service";

/** The platform's answers, by their key in `.template.json`; every other key answers a template's own question. */
const PLATFORM_ANSWER_KEYS = new Set([
  "name",
  "template",
  "port",
  "dependsOn",
  "public",
  "owner",
  "description",
  ...BACKING_SERVICE_QUESTIONS,
]);

/** The `backingServices` of the answers, as a spec declares it: `{ db: { type: "postgres" } }`. */
export function backingServicesOf(answers: Pick<ScaffoldAnswers, "backingServices">): Record<string, unknown> {
  return Object.fromEntries(
    answers.backingServices.map((choice) => {
      const { resource, declaration } = BACKING_SERVICE_CHOICES[choice];
      return [resource, declaration];
    }),
  );
}

/** A value as TypeScript source on one line: `{ db: { type: "postgres" } }` (keys are identifiers). */
function sourceLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sourceLiteral).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${key}: ${sourceLiteral(item)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

/**
 * The placeholder values of a template, from the answers. Values are source text:
 * strings that land in code are rendered as quoted literals by their placeholder
 * (`{{description}}`, `{{dependsOn}}`, `{{expose}}`, `{{backingServices}}`), names and numbers as they are.
 * A template's own placeholders (`placeholders` in its template.json) are filled from
 * its own answers, as they are (`text`) or as a JSON literal (`literal`); an answer its
 * question did not ask (its `when` did not hold) is empty text, or `null`.
 * `{{dependencyImports}}` and `{{dependencyClients}}` are the typed clients of the
 * dependencies that have a contract (`contracts`, read from the repository by
 * new:service), and a comment for those that have none.
 */
export function templateValues(
  answers: ScaffoldAnswers,
  placeholders: ReadonlyMap<string, PlaceholderDeclaration> = new Map(),
  contracts: DependencyContracts = new Map(),
): Record<string, string> {
  const quoted = (text: string) => JSON.stringify(text);
  const own = Object.fromEntries(
    [...placeholders].map(([placeholder, { answer, as }]) => {
      const value = answers.own[answer];
      if (as === "literal") return [placeholder, value === undefined ? "null" : JSON.stringify(value)];
      return [placeholder, value === undefined ? "" : Array.isArray(value) ? value.join(",") : String(value)];
    }),
  );
  return {
    ...own,
    name: answers.name,
    port: String(answers.port),
    owner: answers.owner,
    description: quoted(answers.description),
    dependsOn: `[${answers.dependsOn.map(quoted).join(", ")}]`,
    expose: answers.public
      ? `{ public: { host: ${quoted(answers.public.host)}, path: ${quoted(answers.public.path)} } }`
      : quoted("internal"),
    backingServices: sourceLiteral(backingServicesOf(answers)),
    ...dependencyClientSource(answers.dependsOn, contracts),
  };
}

/** The spec the answers make, as `service.ts` will declare it (for the platform's own checks). */
export function specInputOf(answers: Omit<ScaffoldAnswers, "template" | "own">): unknown {
  return {
    backingServices: backingServicesOf(answers),
    name: answers.name,
    description: answers.description,
    build: {},
    port: answers.port,
    expose: answers.public ? { public: { host: answers.public.host, path: answers.public.path } } : "internal",
    dependsOn: [...answers.dependsOn],
    monitoring: { owner: answers.owner },
  };
}

/** Problems the platform's spec schema finds in the answers, by spec field. */
export function schemaProblems(
  answers: Omit<ScaffoldAnswers, "template" | "own">,
): Array<{ field: string; message: string }> {
  const result = serviceSpecSchema.safeParse(specInputOf(answers));
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ field: issue.path.map(String).join("."), message: issue.message }));
}

/** Reads a `.template.json`; throws with the file and field when it is malformed. */
export function parseTemplateRecord(text: string, file: string): TemplateRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: is not valid JSON (${(error as Error).message})`);
  }
  const record = value as Partial<TemplateRecord> | null;
  const answers = record?.answers as Partial<ScaffoldAnswers> | undefined;
  const bad = (field: string, accepted: string) => new Error(`${file}: ${field}: must be ${accepted}`);
  if (typeof record?.template !== "string") throw bad("template", "a template name");
  if (typeof record.version !== "string") throw bad("version", "a template version (content hash)");
  const commit = record.commit ?? null;
  if (commit !== null && (typeof commit !== "string" || !/^[0-9a-f]{40}$/.test(commit)))
    throw bad("commit", "null or the git commit (40 hex digits) that holds the template's version");
  const edits: unknown = (record as { edits?: unknown }).edits ?? {};
  if (
    typeof edits !== "object" ||
    edits === null ||
    Array.isArray(edits) ||
    Object.values(edits).some((hash) => typeof hash !== "string" || !EDIT_HASH.test(hash))
  )
    throw bad(
      "edits",
      'an object of platform files and the hash of the content accepted for each ("sha256:" and 64 hex digits)',
    );
  if (typeof answers !== "object" || answers === null) throw bad("answers", "the answers the service was made with");
  if (typeof answers.name !== "string") throw bad("answers.name", "the service name");
  if (typeof answers.port !== "number") throw bad("answers.port", "a port number");
  if (!Array.isArray(answers.dependsOn) || answers.dependsOn.some((d) => typeof d !== "string"))
    throw bad("answers.dependsOn", "a list of service names");
  if (answers.public !== null && (typeof answers.public?.host !== "string" || typeof answers.public.path !== "string"))
    throw bad("answers.public", "null or { host, path }");
  if (typeof answers.owner !== "string") throw bad("answers.owner", "a team name");
  if (typeof answers.description !== "string") throw bad("answers.description", "a sentence");
  // Records made before the backing-service questions have none of them: no backing service.
  const raw = answers as Record<string, unknown>;
  for (const choice of BACKING_SERVICE_QUESTIONS)
    if (raw[choice] !== undefined && typeof raw[choice] !== "boolean") throw bad(`answers.${choice}`, "true or false");
  const own: Record<string, AnswerValue> = {};
  for (const [key, value] of Object.entries(answers)) {
    if (PLATFORM_ANSWER_KEYS.has(key)) continue;
    const isList = Array.isArray(value) && value.every((item) => typeof item === "string");
    if (!isList && typeof value !== "string" && typeof value !== "boolean" && !Number.isInteger(value))
      throw bad(
        `answers.${key}`,
        "the answer to the template's question: a string, a whole number, a boolean or a list of service names",
      );
    own[key] = value as AnswerValue;
  }
  return {
    template: record.template,
    version: record.version,
    commit,
    ...(Object.keys(edits).length > 0 ? { edits: edits as Record<string, string> } : {}),
    answers: {
      name: answers.name,
      template: answers.template ?? record.template,
      port: answers.port,
      dependsOn: answers.dependsOn,
      public: answers.public ?? null,
      owner: answers.owner,
      description: answers.description,
      backingServices: BACKING_SERVICE_QUESTIONS.filter((choice) => raw[choice] === true),
      own,
    },
  };
}

/** A record as `.template.json` holds it: the template's own answers beside the platform's. */
export function serializeTemplateRecord(record: TemplateRecord): string {
  const { own, backingServices, ...platform } = record.answers;
  const { template, version, commit } = record;
  // Each backing-service question is recorded only when answered yes, and the accepted
  // edits only when there are some, so that the records of services without any keep their shape.
  const chosen = Object.fromEntries(backingServices.map((choice) => [choice, true]));
  const edits = record.edits && Object.keys(record.edits).length > 0 ? sortedKeys(record.edits) : undefined;
  return `${formatJson({ template, version, commit, edits, answers: { ...platform, ...chosen, ...own } }, "")}\n`;
}

/** The line width of the repository's formatter (biome.jsonc). */
const LINE_WIDTH = 120;

/**
 * JSON as the repository's formatter (Biome) writes it, so that a record passes
 * `biome check` as written: objects one key a line, a list of plain values on one line
 * when it fits the width.
 */
function formatJson(value: unknown, indent: string, prefixLength = indent.length): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inline = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
    const plain = value.every((item) => item === null || typeof item !== "object");
    if (plain && prefixLength + inline.length + 1 <= LINE_WIDTH) return inline;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${formatJson(item, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(([key, item]) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return `${head}${formatJson(item, inner, head.length)}`;
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
