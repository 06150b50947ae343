/**
 * `npm run new:service -- <name> [options]`: makes services/<name>/ from a template,
 * after checking every answer with the platform's own rules. See USAGE.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formattedByBiome } from "./scaffold/biome-format.js";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { removeLeftoversOfDeadRuns } from "../infra/dead-run-leftovers.js";
import { SERVICES_DIR, discoverServices } from "../infra/discover-services.js";
import { ENVIRONMENT_NAMES } from "../infra/environments.js";
import { acquireProcessLock } from "../infra/process-lock.js";
import { SpecError, parseServiceDefinition, resolveCatalogue, type DiscoveredService } from "../infra/spec/model.js";
import {
  DEFAULT_TEMPLATE,
  TEMPLATE_RECORD_FILE,
  serializeTemplateRecord,
  type ScaffoldAnswers,
  type TemplateRecord,
} from "./scaffold/answers.js";
import { readDependencyContracts } from "./scaffold/dependency-clients.js";
import { PLATFORM_QUESTIONS } from "./scaffold/platform-questions.js";
import {
  applies,
  argumentOf,
  defaultAnswer,
  describeWhen,
  flagOf,
  isAnswerReference,
  parseAnswer,
  type AnswerValue,
  type Question,
  type RawValue,
} from "./scaffold/questions.js";
import {
  TEMPLATES_DIR,
  TEMPLATE_MANIFEST,
  TemplateError,
  isInsideServiceFolder,
  listTemplates,
  loadTemplate,
  type ServiceTemplate,
} from "./scaffold/service-template.js";
import { renderServiceFiles } from "./scaffold/service-files.js";
import { templateCommit } from "./scaffold/template-commit.js";
import {
  formatProblem,
  surveyLandscape,
  validateAnswers,
  type Landscape,
  type RawAnswers,
} from "./scaffold/validate-answers.js";

const USAGE_HEAD = `Usage: npm run new:service -- <name> [options]

Makes services/<name>/ from a template: its spec (service.ts), code, tests, Dockerfile
and package.json. With no other edit, npm test runs its tests and npm run synth puts
it in every environment with its network rules, scaling and monitoring.`;

const USAGE_TAIL = `Without a name, in a terminal, it asks for what the options do not give.
One new:service at a time checks and publishes (another one waits for it: the lock
is services/.new-service.lock, holding its pid); it removes the staging folders
(services/.new-<name>-<pid>) of runs that were stopped.
Exit codes: 0 created (or dry run),
1 written but npm install failed, or the existing services or the template
do not load (then nothing was written), 2 refused: nothing was written,
130 cancelled while asking: nothing was written.`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The lock file, in services/, taken around everything from reading the existing
 * services to publishing the new one: two runs at once would each check against the
 * services as they were before the other, and both publish the same host or port.
 */
const LOCK_FILE = ".new-service.lock";
/** A staging folder, `services/.new-<name>-<pid>`, made by the run of that pid (group 1). */
const STAGING_FOLDER = /^\.new-[a-z][-a-z0-9]*-(\d+)$/;

/**
 * The usage: the scaffolder's options, the platform's questions, and the questions of
 * `template` (of every template when none is named) as their template.json declares them.
 */
function usage(template?: string): string {
  const rows = (questions: readonly Question[]) => questions.map(describeOption);
  const sections: Array<[string, Array<[string, string]>]> = [
    [
      "Options:",
      [
        ["--template <t>", `the template: ${listTemplates(root).join(", ")} (default ${DEFAULT_TEMPLATE})`],
        ...rows(PLATFORM_QUESTIONS),
        ["--dry-run", "list the files it would write, write nothing"],
        ["--no-install", "do not run npm install (run it yourself before npm ci or a commit)"],
        ["-h, --help", "this help (with --template <t>: that template's questions only)"],
      ],
    ],
  ];
  const templates = template !== undefined && listTemplates(root).includes(template) ? [template] : listTemplates(root);
  for (const name of templates) {
    const heading = `Questions of the ${name} template (${TEMPLATES_DIR}/${name}/${TEMPLATE_MANIFEST}):`;
    let questions: readonly Question[];
    try {
      questions = loadTemplate(root, name).questions;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      sections.push([heading, [["(broken)", error.message]]]);
      continue;
    }
    // The template's own questions, and the platform's it narrows.
    const own = questions.filter(
      (q) => JSON.stringify(q) !== JSON.stringify(PLATFORM_QUESTIONS.find((p) => p.name === q.name)),
    );
    sections.push([heading, own.length > 0 ? rows(own) : [["(none)", "only the options above"]]]);
  }
  const width = Math.max(...sections.flatMap(([, lines]) => lines.map(([flag]) => flag.length)));
  const body = sections
    .map(
      ([heading, lines]) => `${heading}\n${lines.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join("\n")}`,
    )
    .join("\n\n");
  return `${USAGE_HEAD}\n\n${body}\n\n${USAGE_TAIL}`;
}

/** One line of --help for a question: its option and what it takes. */
function describeOption(question: Question): [string, string] {
  const metavar =
    question.type === "boolean"
      ? ""
      : question.type === "list-of-services"
        ? " <a,b>"
        : question.choices
          ? ` <${question.choices.join("|")}>`
          : question.check === "existing-services" || question.check === "dependencies"
            ? " <service>"
            : question.type === "integer"
              ? " <n>"
              : " <text>";
  const notes: string[] = [];
  const { min, max } = question;
  const services = (n: number) => `${n} service${n === 1 ? "" : "s"}`;
  if (question.type === "integer" && min !== undefined && max !== undefined) notes.push(`${min}-${max}`);
  else if (min !== undefined) notes.push(`at least ${question.type === "integer" ? min : services(min)}`);
  else if (max !== undefined) notes.push(`at most ${question.type === "integer" ? max : services(max)}`);
  if (question.pattern !== undefined) notes.push(`matching /${question.pattern}/`);
  if (question.choices !== undefined)
    notes.push(question.choices.length === 1 ? `only ${question.choices[0]}` : `one of ${question.choices.join(", ")}`);
  if (question.check !== undefined) notes.push(`check: ${question.check}`);
  const fallback = question.default;
  if (isAnswerReference(fallback))
    notes.push(`default: the ${fallback.answer === "dependsOn" ? "first of " : ""}${argumentOf(fallback.answer)}`);
  else if ((typeof fallback === "number" || typeof fallback === "string") && !String(fallback).includes("{{"))
    notes.push(`default ${fallback}`);
  const condition = question.when ? `with ${describeWhen(question)}: ` : "";
  return [
    `--${flagOf(question.name)}${metavar}`,
    `${condition}${question.help}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`,
  ];
}

/**
 * Parses the command line: the template first (its questions are options too), then
 * every option strictly. Throws a TypeError from parseArgs on an unknown or malformed
 * option, and a TemplateError when the chosen template is broken.
 */
function parseCommandLine(argv: string[]) {
  const first = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { template: { type: "string" }, help: { type: "boolean", short: "h" } },
  }).values;
  const template = typeof first.template === "string" ? first.template : undefined;
  if (first.help === true) return { help: true as const, template };
  const chosen = template ?? DEFAULT_TEMPLATE;
  const questions = listTemplates(root).includes(chosen) ? loadTemplate(root, chosen).questions : PLATFORM_QUESTIONS;
  const questionOptions: NonNullable<ParseArgsConfig["options"]> = {};
  for (const question of questions) {
    const flag = flagOf(question.name);
    if (question.type !== "boolean")
      questionOptions[flag] = { type: "string", multiple: question.type === "list-of-services" };
    else {
      questionOptions[flag] = { type: "boolean" };
      questionOptions[`no-${flag}`] = { type: "boolean" };
    }
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...questionOptions,
      template: { type: "string" },
      "dry-run": { type: "boolean" },
      "no-install": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (positionals.length > 1)
    throw new TypeError(`expected one service name, got ${positionals.length}: ${positionals.join(" ")}`);
  const options = values as Readonly<Record<string, RawValue | undefined>>;
  const given: Record<string, RawValue | undefined> = { name: positionals[0], template };
  for (const question of questions) {
    const flag = flagOf(question.name);
    given[question.name] = question.type === "boolean" && options[`no-${flag}`] === true ? false : options[flag];
  }
  return {
    help: false as const,
    raw: given as RawAnswers,
    dryRun: values["dry-run"] === true,
    install: values["no-install"] !== true,
  };
}

/**
 * Asks, in a terminal, for every answer not given on the command line, in the order of
 * the template's questions, checking each as it is typed with the same rules as the
 * command line. An answer that makes an earlier one wrong (yes to "publish it" when the
 * port is one another service publishes) asks that one again at once, saying why. Ends
 * with a summary of every answer and a confirmation; undefined when the user declines.
 */
async function askAnswers(landscape: Landscape, given: RawAnswers): Promise<RawAnswers | undefined> {
  const { checkbox, confirm, input, select } = await import("@inquirer/prompts");
  const answers: Record<string, RawValue | undefined> = { ...given };
  const problemOf = (question: string, value: RawValue | undefined) =>
    validateAnswers({ ...answers, [question]: value } as RawAnswers, landscape).problems.find(
      (p) => p.argument === (question === "name" ? "<name>" : argumentOf(question)),
    );
  const check = (question: string, value: RawValue) => problemOf(question, value)?.message ?? true;
  const name = await input({ message: "Service name", validate: (value) => check("name", value) });
  answers.name = name;
  const template =
    given.template ??
    (await select({
      message: "Template",
      choices: landscape.templates.map((t) => ({ value: t, name: t })),
      default: DEFAULT_TEMPLATE,
    }));
  answers.template = template;
  const services = [...landscape.services.keys()].sort();
  const values: Record<string, AnswerValue | undefined> = {};
  const typed = (question: Question) => {
    const raw = answers[question.name];
    const parsed = raw === undefined ? undefined : parseAnswer(question, raw);
    values[question.name] =
      parsed && "value" in parsed ? parsed.value : defaultAnswer(question, values, { name, template });
  };
  const ask = async (question: Question): Promise<RawValue | undefined> => {
    const fallback = defaultAnswer(question, values, { name, template });
    const message = question.help.charAt(0).toUpperCase() + question.help.slice(1);
    // Nothing to pick from (a worker with no dependency): not asked; the checks after the
    // questions refuse the answers with the message a run without a terminal gives.
    const pick = (options: readonly string[]) =>
      options.length === 0
        ? undefined
        : select({
            message,
            choices: options.map((o) => ({ value: o, name: o })),
            default: typeof fallback === "string" ? fallback : undefined,
          });
    if (question.choices?.length === 1) return String(question.choices[0]);
    if (question.type === "boolean") return confirm({ message, default: fallback === true });
    if (question.type === "list-of-services")
      return services.length > 0
        ? checkbox({
            message,
            choices: services.map((s) => ({ value: s, name: s })),
            validate: (chosen) =>
              check(
                question.name,
                chosen.map((choice) => choice.value),
              ),
          })
        : [];
    if (question.choices) return pick(question.choices.map(String));
    if (question.check === "existing-services") return pick(services);
    if (question.check === "dependencies") return pick((values.dependsOn ?? []) as string[]);
    return input({
      message,
      default: fallback === undefined ? undefined : String(fallback),
      validate: (value) => check(question.name, value),
    });
  };
  const record = (question: Question, answer: RawValue) => {
    answers[question.name] = question.type === "boolean" && typeof answer === "string" ? answer === "true" : answer;
    typed(question);
  };

  const questions = landscape.questionsOf(template);
  const asked: Question[] = [];
  for (const question of questions) {
    if (answers[question.name] !== undefined || !applies(question, values)) {
      if (applies(question, values)) typed(question);
      continue;
    }
    const answer = await ask(question);
    if (answer === undefined) continue;
    record(question, answer);
    asked.push(question);
    // Each earlier answer this one made wrong is asked again, once its problem is shown.
    for (const earlier of asked) {
      const problem = problemOf(earlier.name, answers[earlier.name]);
      if (!problem) continue;
      console.log(`  ${earlier.name}: ${problem.message} (got ${problem.value}); asked again:`);
      answers[earlier.name] = undefined;
      const again = await ask(earlier);
      if (again !== undefined) record(earlier, again);
    }
  }

  console.log(`\n${summaryOf(name, template, questions, values)}\n`);
  const write = await confirm({ message: `Write ${SERVICES_DIR}/${name}/?`, default: true });
  return write ? (answers as RawAnswers) : undefined;
}

/** The answers as the summary before writing shows them: one line each, in the order asked. */
function summaryOf(
  name: string,
  template: string,
  questions: readonly Question[],
  values: Readonly<Record<string, AnswerValue | undefined>>,
): string {
  const rows: Array<[string, string]> = [
    ["name", name],
    ["template", template],
    ...questions
      .filter((question) => applies(question, values) && values[question.name] !== undefined)
      .map((question): [string, string] => {
        const value = values[question.name]!;
        return [
          question.name,
          Array.isArray(value)
            ? value.join(", ") || "(none)"
            : typeof value === "boolean"
              ? value
                ? "yes"
                : "no"
              : String(value),
        ];
      }),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${SERVICES_DIR}/${name}/ will be made with:\n${rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n")}`;
}

/** Writes `files` below `dir`, creating folders; refuses (before writing anything) a path that leaves `dir`. */
function writeFiles(dir: string, files: ReadonlyMap<string, string>): void {
  for (const file of files.keys())
    if (!isInsideServiceFolder(file))
      throw new TemplateError(`${JSON.stringify(file)}: is not inside the service folder; refusing to write it`);
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

/**
 * The platform's own last word: the staged service.ts, loaded as the synth loads it and
 * resolved with every existing service in every environment. Returns the problems.
 */
async function platformProblems(
  stagedDir: string,
  answers: ScaffoldAnswers,
  existing: readonly DiscoveredService[],
): Promise<string[]> {
  const file = `${SERVICES_DIR}/${answers.name}/service.ts`;
  try {
    const module = (await import(pathToFileURL(path.join(stagedDir, "service.ts")).href)) as { default?: unknown };
    const candidate: DiscoveredService = {
      file,
      folder: answers.name,
      definition: parseServiceDefinition(module.default),
      version: "0.1.0",
    };
    for (const environment of ENVIRONMENT_NAMES)
      resolveCatalogue([...existing, candidate], environment, ENVIRONMENT_NAMES);
    return [];
  } catch (error) {
    if (error instanceof SpecError) return error.inFile(file).message.split("\n");
    throw error;
  }
}

async function main(argv: string[]): Promise<number> {
  let command: ReturnType<typeof parseCommandLine>;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    console.error(`new:service: ${error.message}\n\n${usage()}`);
    return 2;
  }
  if (command.help) {
    console.log(usage(command.template));
    return 0;
  }

  const servicesDir = path.join(root, SERVICES_DIR);
  for (const leftover of removeLeftoversOfDeadRuns(servicesDir, STAGING_FOLDER)) {
    console.error(
      `new:service: removed ${SERVICES_DIR}/${leftover}, the staging folder of a new:service that was stopped`,
    );
  }

  // First checked without the lock, which nobody should wait on while a person types
  // or for a refusal; a run that goes on checks again under it.
  const survey = await surveyRepository();
  if (typeof survey === "number") return survey;
  let raw = command.raw;
  if (raw.name === undefined) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      console.error(
        `new:service: <name>: missing; give the new service's name, or run in a terminal to be asked (nothing was written)\n\n${usage(raw.template)}`,
      );
      return 2;
    }
    try {
      const asked = await askAnswers(survey.landscape, raw);
      if (!asked) {
        console.error(`new:service: not written (declined at the summary)`);
        return 1;
      }
      raw = asked;
    } catch (error) {
      // Ctrl-C or a closed terminal while asking: nothing was written.
      if (error instanceof Error && error.name === "ExitPromptError") {
        console.error("new:service: cancelled (nothing was written)");
        return 130;
      }
      throw error;
    }
  }
  if (refusal(validateAnswers(raw, survey.landscape))) return 2;

  const servicesDirExisted = existsSync(servicesDir);
  const lock = await acquireProcessLock(path.join(servicesDir, LOCK_FILE), {
    onWait: (holder) =>
      console.error(
        `new:service: waiting for another new:service (pid ${holder}) to finish; if none runs, remove ${SERVICES_DIR}/${LOCK_FILE}`,
      ),
  });
  let status: number;
  let published: ScaffoldAnswers | undefined;
  try {
    ({ status, published } = await checkAndPublish(raw, command.dryRun));
  } finally {
    lock.release();
    if (!published && !servicesDirExisted) removeEmptyFolder(servicesDir);
  }
  if (!published) return status;
  const answers = published;

  if (command.install) {
    console.log(`\nregistering the npm workspace @platform/${answers.name} (npm install) ...`);
    const install = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
    if (install.status !== 0) {
      console.error(
        `new:service: npm install failed (exit ${install.status ?? install.signal}); services/${answers.name}/ is written: run npm install again once the cause is fixed`,
      );
      return 1;
    }
  }
  console.log(nextSteps(answers, command.install));
  return 0;
}

/** Prints the problems of answers that are refused; true when they are. */
function refusal(
  checked: ReturnType<typeof validateAnswers>,
): checked is Extract<ReturnType<typeof validateAnswers>, { answers?: undefined }> {
  if (checked.answers) return false;
  console.error(
    `new:service: refused (nothing was written):\n${checked.problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
  );
  return true;
}

/** The existing services and what they take (routes, ports, names); or exit 1 when they do not load. */
async function surveyRepository(): Promise<{ discovered: DiscoveredService[]; landscape: Landscape } | number> {
  let discovered: DiscoveredService[];
  try {
    discovered = await discoverServices(root);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    console.error(
      `new:service: the existing services do not load; fix them first (nothing was written):\n${error.message}`,
    );
    return 1;
  }
  return { discovered, landscape: surveyLandscape(root, discovered, listTemplates(root)) };
}

/**
 * Checks the answers against the services as they are now and, unless it is a dry run,
 * publishes the new service: the part that runs under the lock. Returns the exit
 * status, and the answers when the service was published.
 */
async function checkAndPublish(
  raw: RawAnswers,
  dryRun: boolean,
): Promise<{ status: number; published?: ScaffoldAnswers }> {
  const survey = await surveyRepository();
  if (typeof survey === "number") return { status: survey };
  const { discovered, landscape } = survey;
  const checked = validateAnswers(raw, landscape);
  if (refusal(checked)) return { status: 2 };
  const answers = checked.answers;

  const template = loadTemplate(root, answers.template);
  const commit = templateCommit(root, template);
  const record: TemplateRecord = { template: template.name, version: template.version, commit, answers };
  const contracts = await readDependencyContracts(root, answers.dependsOn);
  const files = renderServiceFiles(root, template, answers, contracts);
  files.set(
    TEMPLATE_RECORD_FILE,
    formattedByBiome(
      root,
      path.join(SERVICES_DIR, answers.name, TEMPLATE_RECORD_FILE),
      serializeTemplateRecord(record),
    ),
  );

  const servicesDir = path.join(root, SERVICES_DIR);
  const target = path.join(servicesDir, answers.name);
  // Staged next to its final place, so that one rename publishes it whole, and so that
  // its service.ts imports the spec library by the same relative path. Named with this
  // run's pid: a run that is killed leaves it, and the next run knows it may remove it.
  const staged = path.join(servicesDir, `.new-${answers.name}-${process.pid}`);
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  try {
    writeFiles(staged, files);
    const problems = await platformProblems(staged, answers, discovered);
    if (problems.length > 0) {
      console.error(
        `new:service: refused by the platform's checks (nothing was written):\n${problems.map((p) => `  ${p}`).join("\n")}`,
      );
      return { status: 2 };
    }
    if (dryRun) {
      console.log(
        `would create ${SERVICES_DIR}/${answers.name}/ from the ${template.name} template (version ${template.version}):`,
      );
      for (const file of [...files.keys()].sort()) console.log(`  ${SERVICES_DIR}/${answers.name}/${file}`);
      console.log("nothing was written (--dry-run)");
      return { status: 0 };
    }
    // Checked again at the last moment: a rename would silently replace an empty folder
    // (made by something other than new:service, which holds the lock).
    if (existsSync(target)) {
      console.error(
        `new:service: refused (nothing was written):\n  <name>: ${SERVICES_DIR}/${answers.name} appeared while the service was being made; the scaffolder never overwrites anything (got "${answers.name}")`,
      );
      return { status: 2 };
    }
    renameSync(staged, target);
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }

  console.log(
    `created ${SERVICES_DIR}/${answers.name}/ from the ${template.name} template (version ${template.version})`,
  );
  console.log(describeFiles(answers, template));
  if (commit === null)
    console.error(
      `new:service: note: ${template.layers.map((layer) => `${TEMPLATES_DIR}/${layer}/`).join(" and ")} ${template.layers.length === 1 ? "has" : "have"} changes that are not committed (or this is no git repository), so ${SERVICES_DIR}/${answers.name}/${TEMPLATE_RECORD_FILE} records no commit of the template; commit the template first when a later update should render this version again`,
    );
  return { status: 0, published: answers };
}

/** Removes `dir` if it is empty: another new:service may have put its lock there meanwhile. */
function removeEmptyFolder(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOENT") throw error;
  }
}

/** The files the template highlights (template.json `highlights`), one line each. */
function describeFiles(answers: ScaffoldAnswers, template: ServiceTemplate): string {
  const at = `${SERVICES_DIR}/${answers.name}`;
  const rows = [...template.highlights].map(([file, what]) => [`${at}/${file}`, what] as const);
  const width = Math.max(0, ...rows.map(([file]) => file.length));
  return rows.map(([file, what]) => `  ${file.padEnd(width)}  ${what}`).join("\n");
}

function nextSteps(answers: ScaffoldAnswers, installed: boolean): string {
  const calls =
    answers.dependsOn.length > 0
      ? `; ${answers.dependsOn.join(", ")} now accept${answers.dependsOn.length === 1 ? "s" : ""} its traffic`
      : "";
  const steps: Array<[string, string]> = [
    ...(installed
      ? []
      : [
          ["npm install", "register the workspace in package-lock.json (npm ci fails until you do)"] as [
            string,
            string,
          ],
        ]),
    ["npm test", `type-checks and runs ${SERVICES_DIR}/${answers.name}/test with the rest`],
    ["npm run synth", `${answers.name} is in local, staging and production${calls}`],
    ["npm run deploy", "runs it on your Docker engine"],
  ];
  const width = Math.max(...steps.map(([c]) => c.length));
  return `\nnext steps:\n${steps.map(([c, what]) => `  ${c.padEnd(width)}  ${what}`).join("\n")}`;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof TemplateError) {
    console.error(`new:service: the template is broken (nothing was written): ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
