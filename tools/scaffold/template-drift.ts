import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formattedByBiome } from "./biome-format.js";
import { SERVICES_DIR } from "../../infra/discover-services.js";
import { describeNotAService, listServiceFolders } from "../../infra/service-folders.js";
import {
  TEMPLATE_RECORD_FILE,
  editHash,
  parseTemplateRecord,
  serializeTemplateRecord,
  templateValues,
  type ScaffoldAnswers,
  type TemplateRecord,
} from "./answers.js";
import { dependenciesWithContract } from "./dependency-clients.js";
import { templateCommit } from "./template-commit.js";
import { hasConflictMarkers } from "./three-way-merge.js";
import { BACKING_SERVICE_QUESTIONS, PLATFORM_QUESTION_NAMES } from "./platform-questions.js";
import {
  applies,
  argumentOf,
  defaultAnswer,
  parseAnswer,
  ruleProblem,
  type AnswerValue,
  type RawValue,
} from "./questions.js";
import { TemplateError, isManaged, loadTemplate, renderTemplate, type ServiceTemplate } from "./service-template.js";

/** The template's current rendering of a service's managed files, kept to write them back. */
const renderings = new WeakMap<
  ServiceDrift,
  { recorded: TemplateRecord; record: TemplateRecord; files: Map<string, string> }
>();

/**
 * The template's current rendering of a drift's managed files, and the record as
 * `.template.json` holds it (answers completed); undefined for a service not rendered.
 */
export function renderingOf(
  drift: ServiceDrift,
): { readonly recorded: TemplateRecord; readonly files: ReadonlyMap<string, string> } | undefined {
  return renderings.get(drift);
}

/** A managed file of a service that differs from what its template makes today. */
export interface DriftedFile {
  readonly file: string;
  /**
   * `changed`: it misses the template's change since the version the service records;
   * `edited`: at the version it records, it was edited since template:update last accepted
   * its content (or was never accepted): a hand edit of a platform file;
   * `conflict`: it holds conflict markers a template:update left, not resolved yet.
   */
  readonly change: "changed" | "edited" | "missing" | "conflict";
}

/** Where one service stands against its template. */
export type ServiceDrift =
  | {
      readonly service: string;
      readonly status: "current";
      readonly template: string;
      readonly recordedVersion: string;
      readonly currentVersion: string;
      /**
       * Managed files the service edited at the version it records whose content is the
       * one its record accepted (kept by `template:update`'s merge, or `--accept`ed).
       */
      readonly edited?: readonly string[];
    }
  | {
      readonly service: string;
      readonly status: "drifted";
      readonly template: string;
      readonly recordedVersion: string;
      readonly currentVersion: string;
      readonly files: readonly DriftedFile[];
    }
  | { readonly service: string; readonly status: "untracked" }
  | { readonly service: string; readonly status: "broken"; readonly problem: string };

/**
 * Compares each service with its template's current version: renders the template with
 * the answers recorded in `.template.json` and compares the files the platform owns
 * (the template's `managed` list). Files the service owns (its spec, routes, tests of
 * its own) are never compared. A service without `.template.json` is "untracked".
 */
export function checkTemplateDrift(root: string): ServiceDrift[] {
  const servicesDir = path.join(root, SERVICES_DIR);
  if (!existsSync(servicesDir)) return [];
  const templates = new Map<string, ServiceTemplate | TemplateError>();
  const templateOf = (name: string) => {
    if (!templates.has(name)) {
      try {
        templates.set(name, loadTemplate(root, name));
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        templates.set(name, error);
      }
    }
    return templates.get(name)!;
  };
  const commits = new Map<string, string | null>();
  const commitOf = (template: ServiceTemplate) => {
    if (!commits.has(template.name)) commits.set(template.name, templateCommit(root, template));
    return commits.get(template.name) ?? null;
  };

  const folders = listServiceFolders(root);
  // A folder that is no service is refused, not skipped: the synth leaves it out of every environment.
  const notServices = folders.notServices.map(
    (folder): ServiceDrift => ({ service: folder.folder, status: "broken", problem: describeNotAService(folder) }),
  );
  const services = folders.services.map((service): ServiceDrift => {
    const dir = path.join(servicesDir, service);
    const recordFile = `${SERVICES_DIR}/${service}/${TEMPLATE_RECORD_FILE}`;
    if (!existsSync(path.join(dir, TEMPLATE_RECORD_FILE))) return { service, status: "untracked" };
    let record: TemplateRecord;
    try {
      record = parseTemplateRecord(readFileSync(path.join(dir, TEMPLATE_RECORD_FILE), "utf8"), recordFile);
    } catch (error) {
      return { service, status: "broken", problem: (error as Error).message };
    }
    const template = templateOf(record.template);
    if (template instanceof TemplateError)
      return {
        service,
        status: "broken",
        problem: `${recordFile}: template: ${JSON.stringify(record.template)} cannot be read: ${template.message}`,
      };
    const answers = completeAnswers(template, record.answers);
    if (typeof answers === "string") return { service, status: "broken", problem: `${recordFile}: ${answers}` };
    const refused = recordedAnswerProblems(template, answers);
    if (refused.length > 0)
      return { service, status: "broken", problem: refused.map((p) => `${recordFile}: ${p}`).join("\n") };
    record = { ...record, answers };
    const rendered = renderTemplate(
      template,
      templateValues(answers, template.placeholders, dependenciesWithContract(root, answers.dependsOn)),
    );
    const managed = new Map([...rendered].filter(([file]) => isManaged(template, file)));
    const files: DriftedFile[] = [];
    // At the version it records, a service holds every change of its template up to it
    // (new:service wrote it, or template:update merged it in): a managed file that differs
    // holds edits of the service's own, accepted only when the record holds the hash of
    // that very content (template:update recorded it); any other difference is a hand edit.
    const atVersion = record.version === template.version;
    const edited: string[] = [];
    for (const [file, content] of managed) {
      const onDisk = path.join(dir, file);
      if (!existsSync(onDisk)) files.push({ file, change: "missing" });
      else {
        const text = readFileSync(onDisk, "utf8");
        if (text === content) continue;
        if (hasConflictMarkers(text)) files.push({ file, change: "conflict" });
        else if (!atVersion) files.push({ file, change: "changed" });
        else if (record.edits?.[file] === editHash(text)) edited.push(file);
        else files.push({ file, change: "edited" });
      }
    }
    const versions = { template: template.name, recordedVersion: record.version, currentVersion: template.version };
    const drift: ServiceDrift =
      files.length > 0
        ? { service, status: "drifted", ...versions, files }
        : { service, status: "current", ...versions, ...(edited.length > 0 ? { edited } : {}) };
    // --write leaves the accepted edits alone and brings back every other file: only those stay accepted.
    const accepted = Object.fromEntries(edited.map((file) => [file, record.edits![file]!]));
    renderings.set(drift, {
      recorded: record,
      record: { ...record, version: template.version, commit: commitOf(template), edits: accepted },
      files: managed,
    });
    return drift;
  });
  return [...services, ...notServices].sort((a, b) => (a.service < b.service ? -1 : 1));
}

/**
 * Brings a service to its template's current version: writes the template's current
 * managed files over the drifted ones and records the version in `.template.json`.
 * Only files the platform owns are written, each atomically (a temp file, then a rename).
 * Returns the paths written, relative to the service folder.
 */
export function updateFromTemplate(root: string, drift: ServiceDrift): string[] {
  const rendering = renderings.get(drift);
  if (!rendering || (drift.status !== "drifted" && drift.status !== "current")) return [];
  const dir = path.join(root, SERVICES_DIR, drift.service);
  const written = drift.status === "drifted" ? drift.files.map((f) => f.file) : [];
  if (drift.recordedVersion !== drift.currentVersion || written.length > 0) written.push(TEMPLATE_RECORD_FILE);
  for (const file of written) {
    const content =
      file === TEMPLATE_RECORD_FILE
        ? formattedByBiome(
            root,
            path.join(SERVICES_DIR, drift.service, TEMPLATE_RECORD_FILE),
            serializeTemplateRecord(rendering.record),
          )
        : rendering.files.get(file)!;
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, target);
  }
  return written;
}

/** The recorded answers by question name, as new:service checked them. */
function answerValues(recorded: ScaffoldAnswers): Record<string, AnswerValue | undefined> {
  return {
    port: recorded.port,
    dependsOn: recorded.dependsOn,
    public: recorded.public !== null,
    host: recorded.public?.host,
    path: recorded.public?.path,
    owner: recorded.owner,
    description: recorded.description,
    ...Object.fromEntries(
      BACKING_SERVICE_QUESTIONS.map((choice) => [choice, recorded.backingServices.includes(choice)]),
    ),
    ...recorded.own,
  };
}

/** Where a question's answer sits in `.template.json`. */
const RECORD_FIELD: Readonly<Record<string, string>> = { host: "answers.public.host", path: "answers.public.path" };

/**
 * The recorded answers the template's current questions refuse (a hand-edited record, or a
 * question narrowed since): each checked with its question's type and rules, as new:service
 * checks an answer, before it reaches a managed file.
 */
export function recordedAnswerProblems(template: ServiceTemplate, recorded: ScaffoldAnswers): string[] {
  const values = answerValues(recorded);
  const problems: string[] = [];
  for (const question of template.questions) {
    const value = values[question.name];
    if (value === undefined || !applies(question, values)) continue;
    const raw = Array.isArray(value) || typeof value === "boolean" ? value : String(value);
    const parsed = parseAnswer(question, raw as RawValue);
    const problem =
      "problem" in parsed || typeof parsed.value !== typeof value
        ? "problem" in parsed
          ? parsed.problem
          : `must be a ${question.type}`
        : ruleProblem(question, value);
    if (problem !== undefined)
      problems.push(
        `${RECORD_FIELD[question.name] ?? `answers.${question.name}`}: ${problem} (got ${JSON.stringify(value)}); the ${template.name} template's ${argumentOf(question.name)} accepts only that`,
      );
  }
  return problems;
}

/**
 * The recorded answers with an answer for each question of the template's own that the
 * record lacks (a question added since the service was made takes its default, as
 * new:service would have); a message naming the answer when one has no default.
 */
export function completeAnswers(template: ServiceTemplate, recorded: ScaffoldAnswers): ScaffoldAnswers | string {
  const values = answerValues(recorded);
  const own: Record<string, AnswerValue> = { ...recorded.own };
  for (const question of template.questions) {
    if (PLATFORM_QUESTION_NAMES.has(question.name) || question.name in own || !applies(question, values)) continue;
    const value = defaultAnswer(question, values, recorded);
    if (value === undefined)
      return `answers.${question.name}: missing, and the ${template.name} template's question has no default (${argumentOf(question.name)}: ${question.help}); add the answer to the record`;
    own[question.name] = value;
    values[question.name] = value;
  }
  return { ...recorded, own };
}
