import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { SERVICES_DIR } from "../../infra/discover-services.js";
import {
  DNS_1035_LABEL,
  RESERVED_SERVICE_NAMES,
  resolveServiceSpec,
  type DiscoveredService,
} from "../../infra/spec/model.js";
import { DEFAULT_TEMPLATE, schemaProblems, type ScaffoldAnswers } from "./answers.js";
import { DNS_LABEL_ACCEPTED, PLATFORM_CHECKS } from "./platform-checks.js";
import { BACKING_SERVICE_QUESTIONS, PLATFORM_QUESTION_NAMES, PLATFORM_QUESTIONS } from "./platform-questions.js";
import {
  applies,
  argumentOf,
  defaultAnswer,
  describeWhen,
  isAnswerReference,
  parseAnswer,
  ruleProblem,
  shownValue,
  type AnswerValue,
  type Question,
  type RawValue,
} from "./questions.js";
import { loadTemplate } from "./service-template.js";

/**
 * What a user typed or chose, before any check: the service's name, its template, and
 * an answer per question name (`port`, `dependsOn`, a template's `jobSource` ...). A list
 * is as typed: each entry may hold several names separated by commas.
 */
export interface RawAnswers {
  readonly name?: string;
  readonly template?: string;
  readonly [question: string]: RawValue | undefined;
}

/** One refused answer: the argument, the value given and what is accepted. */
export interface AnswerProblem {
  readonly argument: string;
  readonly value: string;
  readonly message: string;
}

/** What already exists, which a new service must not collide with. */
export interface Landscape {
  /** Existing services by name -> their spec file. */
  readonly services: ReadonlyMap<string, string>;
  /** Every entry under services/, service or not. */
  readonly takenFolders: ReadonlySet<string>;
  /** Public routes (`host` + `path`) -> the spec file that serves it. */
  readonly routes: ReadonlyMap<string, string>;
  /** Ports services publish on 127.0.0.1 in the local environment -> the spec file that publishes it. */
  readonly publishedPorts: ReadonlyMap<number, string>;
  readonly templates: readonly string[];
  /** A template's questions (the platform's, as it narrows them, then its own); throws a TemplateError when it is broken. */
  questionsOf(template: string): readonly Question[];
}

/**
 * Surveys the repository the way the platform sees it: discovered services, resolved for
 * the local environment. The platform's own local ports are not part of it: the spec
 * schema refuses them, and the answers go through the schema.
 */
export function surveyLandscape(
  root: string,
  discovered: readonly DiscoveredService[],
  templates: readonly string[],
): Landscape {
  const questions = new Map<string, readonly Question[]>();
  const servicesDir = path.join(root, SERVICES_DIR);
  const takenFolders = new Set(existsSync(servicesDir) ? readdirSync(servicesDir) : []);
  const routes = new Map<string, string>();
  const publishedPorts = new Map<number, string>();
  for (const service of discovered) {
    const spec = resolveServiceSpec(service.definition, "local", service.version);
    if (spec.expose.kind !== "public") continue;
    routes.set(`${spec.expose.host}${spec.expose.path}`, service.file);
    publishedPorts.set(spec.expose.localPort, service.file);
  }
  return {
    services: new Map(discovered.map((s) => [s.definition.name, s.file])),
    takenFolders,
    routes,
    publishedPorts,
    templates,
    questionsOf(template) {
      if (!questions.has(template)) questions.set(template, loadTemplate(root, template).questions);
      return questions.get(template)!;
    },
  };
}

/** Renders a problem as one line: `--port: must be ... (got "80")`. */
export function formatProblem(problem: AnswerProblem): string {
  return `${problem.argument}: ${problem.message} (got ${problem.value})`;
}

/**
 * Checks every answer against the questions of the template (the platform's questions,
 * as the template narrows them, then its own: their types, rules and named checks) and
 * the platform's own rules (the spec schema, the reserved names, the services that
 * exist, their public routes), and returns either the complete answers or every
 * problem found, in the order of the questions.
 */
export function validateAnswers(
  raw: RawAnswers,
  landscape: Landscape,
): { answers: ScaffoldAnswers; problems: [] } | { answers?: undefined; problems: AnswerProblem[] } {
  const problems: AnswerProblem[] = [];
  const refuse = (argument: string, value: string, message: string) => problems.push({ argument, value, message });

  const name = raw.name ?? "";
  if (!DNS_1035_LABEL.test(name)) refuse("<name>", shownValue(name), `must be ${DNS_LABEL_ACCEPTED}`);
  else if (RESERVED_SERVICE_NAMES.has(name))
    refuse(
      "<name>",
      shownValue(name),
      `is reserved for the platform; reserved names: ${[...RESERVED_SERVICE_NAMES].join(", ")}`,
    );
  else if (landscape.services.has(name))
    refuse(
      "<name>",
      shownValue(name),
      `is already taken by ${landscape.services.get(name)}; service names must be unique`,
    );
  else if (landscape.takenFolders.has(name))
    refuse(
      "<name>",
      shownValue(name),
      `${SERVICES_DIR}/${name} already exists; the scaffolder never overwrites anything: remove it or choose another name`,
    );

  const template = raw.template ?? DEFAULT_TEMPLATE;
  const known = landscape.templates.includes(template);
  if (!known)
    refuse(
      "--template",
      shownValue(template),
      `is not a template; templates: ${landscape.templates.join(", ") || "(none)"}`,
    );
  const questions = known ? landscape.questionsOf(template) : PLATFORM_QUESTIONS;

  // First each answer alone: its type and its question's own rules, in question order.
  const values: Record<string, AnswerValue | undefined> = {};
  const refused = new Set<string>();
  const asked: Question[] = [];
  for (const question of questions) {
    const argument = argumentOf(question.name);
    const given = raw[question.name];
    if (!applies(question, values)) {
      // A condition on a refused answer says nothing yet: that answer's refusal is enough.
      const onRefused = Object.keys(question.when ?? {}).some((answer) => refused.has(answer));
      if (given !== undefined && !onRefused) {
        refuse(argument, shownValue(given), `is only used with ${describeWhen(question)}`);
        refused.add(question.name);
      }
      continue;
    }
    asked.push(question);
    let value: AnswerValue | undefined;
    if (given === undefined) {
      value = defaultAnswer(question, values, { name, template });
      if (value === undefined) {
        refused.add(question.name);
        const source = isAnswerReference(question.default) ? question.default.answer : "";
        // An answer whose default comes from a refused answer waits for that one to be fixed.
        if (source && refused.has(source)) continue;
        const condition = question.when ? ` with ${describeWhen(question)}` : "";
        refuse(argument, "nothing", `is required${condition}: ${question.help}`);
        continue;
      }
    } else {
      const parsed = parseAnswer(question, given);
      if ("problem" in parsed) {
        refuse(argument, shownValue(given), parsed.problem);
        refused.add(question.name);
        continue;
      }
      value = parsed.value;
    }
    const problem = ruleProblem(question, value);
    if (problem !== undefined) {
      refuse(argument, shownValue(given ?? value), problem);
      refused.add(question.name);
      continue;
    }
    values[question.name] = value;
  }

  // Then the platform's named checks, which may look at every answer.
  for (const question of asked) {
    const value = values[question.name];
    if (question.check === undefined || value === undefined) continue;
    for (const problem of PLATFORM_CHECKS[question.check].problems(question, value, { name, values, landscape })) {
      refuse(argumentOf(question.name), shownValue(problem.value), problem.message);
      refused.add(question.name);
    }
  }

  const port = typeof values.port === "number" ? values.port : Number.NaN;
  const dependsOn = (values.dependsOn ?? []) as readonly string[];
  const host = values.host as string | undefined;
  const publicRoute =
    values.public === true && host !== undefined ? { host, path: (values.path as string | undefined) ?? "/" } : null;
  const own = Object.fromEntries(
    asked
      .filter((q) => !PLATFORM_QUESTION_NAMES.has(q.name) && values[q.name] !== undefined)
      .map((q) => [q.name, values[q.name]!]),
  );
  const answers: ScaffoldAnswers = {
    name,
    template,
    port,
    // As typed: a worker takes its jobs from the first one by default.
    dependsOn: [...new Set(dependsOn)],
    public: publicRoute,
    owner: (values.owner as string | undefined) ?? "",
    description: (values.description as string | undefined) ?? "",
    backingServices: BACKING_SERVICE_QUESTIONS.filter((choice) => values[choice] === true),
    own,
  };

  // The platform's own schema decides the rest (host, path, owner, the platform's local
  // ports), with its own words.
  const argumentOfField: Record<string, [string, RawValue | AnswerValue | undefined]> = {
    port: ["--port", raw.port ?? port],
    "expose.public.host": ["--host", answers.public?.host],
    "expose.public.path": ["--path", answers.public?.path],
    "monitoring.owner": ["--owner", answers.owner],
    description: ["--description", answers.description],
  };
  for (const issue of schemaProblems({ ...answers, port: Number.isNaN(port) ? 8080 : port })) {
    const [argument, value] = argumentOfField[issue.field] ?? [];
    if (argument === undefined || refused.has(argument.slice(2))) continue;
    refuse(argument, shownValue(value), issue.message);
    refused.add(argument.slice(2));
  }

  if (publicRoute && !refused.has("host") && !refused.has("path")) {
    const route = `${publicRoute.host}${publicRoute.path}`;
    const owner = landscape.routes.get(route);
    if (owner)
      refuse(
        raw.path !== undefined ? "--path" : "--host",
        shownValue(route),
        `is already served by ${owner}; give the service its own host or path`,
      );
  }

  return problems.length > 0 ? { problems } : { answers, problems: [] };
}
