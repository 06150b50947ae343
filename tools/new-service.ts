/**
 * `npm run new:service -- <name> [options]`: makes services/<name>/ from a template,
 * after checking every answer with the platform's own rules. See USAGE.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { removeLeftoversOfDeadRuns } from "../infra/dead-run-leftovers.js";
import { SERVICES_DIR, discoverServices } from "../infra/discover-services.js";
import { ENVIRONMENT_NAMES } from "../infra/environments.js";
import { acquireProcessLock } from "../infra/process-lock.js";
import { SpecError, parseServiceDefinition, resolveCatalogue, type DiscoveredService } from "../infra/spec/model.js";
import {
  ANSWER_DEFAULTS,
  TEMPLATE_RECORD_FILE,
  templateValues,
  type ScaffoldAnswers,
  type TemplateRecord,
} from "./scaffold/answers.js";
import { TemplateError, listTemplates, loadTemplate, renderTemplate } from "./scaffold/service-template.js";
import {
  formatProblem,
  surveyLandscape,
  validateAnswers,
  type Landscape,
  type RawAnswers,
} from "./scaffold/validate-answers.js";

const USAGE = `Usage: npm run new:service -- <name> [options]

Makes services/<name>/ from a template: its spec (service.ts), code, tests, Dockerfile
and package.json. With no other edit, npm test runs its tests and npm run synth puts
it in every environment with its network rules, scaling and monitoring.

Options:
  --template <t>        http-service (default) or worker
  --port <n>            the port it listens on, 1024-65535 (default 8080)
  --depends-on <a,b>    services it calls (their network rules let it in); repeatable
  --public              publish it through the ingress (and on 127.0.0.1 locally)
  --host <h>            with --public: its host name, like pay.example.com
  --path <p>            with --public: its path prefix (default /)
  --owner <team>        the team its alerts go to (default platform)
  --description <text>  one sentence on what it does
  --dry-run             list the files it would write, write nothing
  --no-install          do not run npm install (run it yourself before npm ci or a commit)
  -h, --help            this help

Without a name, in a terminal, it asks for what the options do not give.
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

/** Parses the command line; throws a TypeError from parseArgs on an unknown or malformed option. */
function parseCommandLine(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      template: { type: "string" },
      port: { type: "string" },
      "depends-on": { type: "string", multiple: true },
      public: { type: "boolean" },
      host: { type: "string" },
      path: { type: "string" },
      owner: { type: "string" },
      description: { type: "string" },
      "dry-run": { type: "boolean" },
      "no-install": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (positionals.length > 1)
    throw new TypeError(`expected one service name, got ${positionals.length}: ${positionals.join(" ")}`);
  const raw: RawAnswers = {
    name: positionals[0],
    template: values.template,
    port: values.port,
    dependsOn: values["depends-on"],
    public: values.public,
    host: values.host,
    path: values.path,
    owner: values.owner,
    description: values.description,
  };
  return {
    raw,
    help: values.help === true,
    dryRun: values["dry-run"] === true,
    install: values["no-install"] !== true,
  };
}

/**
 * Asks, in a terminal, for every answer not given on the command line, checking each
 * as it is typed with the same rules as the command line.
 */
async function askAnswers(landscape: Landscape, given: RawAnswers): Promise<RawAnswers> {
  const { checkbox, confirm, input, select } = await import("@inquirer/prompts");
  const check = (raw: RawAnswers, argument: string) => {
    const problem = validateAnswers(raw, landscape).problems.find((p) => p.argument === argument);
    return problem ? problem.message : true;
  };
  const name = await input({ message: "Service name", validate: (value) => check({ name: value }, "<name>") });
  const template =
    given.template ??
    (await select({
      message: "Template",
      choices: landscape.templates.map((t) => ({ value: t, name: t })),
      default: ANSWER_DEFAULTS.template,
    }));
  const port =
    given.port ??
    (await input({
      message: "Port",
      default: String(ANSWER_DEFAULTS.port),
      validate: (value) => check({ name, template, port: value }, "--port"),
    }));
  const services = [...landscape.services.keys()].sort();
  let dependsOn = given.dependsOn ? [...given.dependsOn] : undefined;
  if (!dependsOn && template === "worker") {
    const source = await select({
      message: "Service it takes jobs from",
      choices: services.map((s) => ({ value: s, name: s })),
    });
    const others = services.filter((s) => s !== source);
    dependsOn = [
      source,
      ...(others.length > 0
        ? await checkbox({ message: "Other services it calls", choices: others.map((s) => ({ value: s, name: s })) })
        : []),
    ];
  } else if (!dependsOn) {
    dependsOn =
      services.length > 0
        ? await checkbox({ message: "Services it calls", choices: services.map((s) => ({ value: s, name: s })) })
        : [];
  }
  const isPublic =
    given.public ??
    (template === "worker"
      ? false
      : await confirm({ message: "Public (published through the ingress)?", default: false }));
  let host = given.host;
  let routePath = given.path;
  if (isPublic) {
    const route = { name, template, port, dependsOn, public: true };
    host ??= await input({
      message: "Public host name",
      validate: (value) => check({ ...route, host: value }, "--host"),
    });
    routePath ??= await input({
      message: "Path prefix",
      default: ANSWER_DEFAULTS.path,
      validate: (value) => check({ ...route, host, path: value }, "--path"),
    });
  }
  const owner =
    given.owner ??
    (await input({
      message: "Owning team (alerts go to it)",
      default: ANSWER_DEFAULTS.owner,
      validate: (value) => check({ name, template, owner: value }, "--owner"),
    }));
  return { ...given, name, template, port, dependsOn, public: isPublic, host, path: routePath, owner };
}

/** Writes `files` below `dir`, creating folders. */
function writeFiles(dir: string, files: ReadonlyMap<string, string>): void {
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
    console.error(`new:service: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.help) {
    console.log(USAGE);
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
        `new:service: <name>: missing; give the new service's name, or run in a terminal to be asked (nothing was written)\n\n${USAGE}`,
      );
      return 2;
    }
    try {
      raw = await askAnswers(survey.landscape, raw);
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
  const record: TemplateRecord = { template: template.name, version: template.version, answers };
  const files = renderTemplate(template, templateValues(answers));
  files.set(TEMPLATE_RECORD_FILE, `${JSON.stringify(record, null, 2)}\n`);

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
  console.log(describeFiles(answers));
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

function describeFiles(answers: ScaffoldAnswers): string {
  const at = `${SERVICES_DIR}/${answers.name}`;
  const ownCode =
    answers.template === "worker"
      ? [`${at}/src/jobs.ts`, "where jobs come from, what a job does"]
      : [`${at}/src/application.ts`, "its routes"];
  const rows: Array<[string, string]> = [
    [`${at}/service.ts`, "its spec: port, scaling, dependencies, monitoring"],
    ownCode as [string, string],
    [`${at}/test/`, "its tests (npm test runs them)"],
    [`${at}/Dockerfile`, "its image: node and one bundled file, user 10001"],
    [
      `${at}/package.json`,
      "depends on @platform/service-runtime (templates/runtime/): health, readiness, metrics, logs, shutdown",
    ],
  ];
  const width = Math.max(...rows.map(([file]) => file.length));
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
