import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { SERVICES_DIR } from "../../infra/discover-services.js";
import { PLATFORM_LOCAL_PORTS } from "../../infra/spec/platform-ports.js";
import {
  DNS_1035_LABEL,
  RESERVED_SERVICE_NAMES,
  resolveServiceSpec,
  type DiscoveredService,
} from "../../infra/spec/model.js";
import { ANSWER_DEFAULTS, LOWEST_PORT, defaultDescription, schemaProblems, type ScaffoldAnswers } from "./answers.js";

/** What a user typed or chose, before any check. */
export interface RawAnswers {
  readonly name?: string;
  readonly template?: string;
  readonly port?: string;
  /** As typed: each entry may hold several names separated by commas. */
  readonly dependsOn?: readonly string[];
  readonly public?: boolean;
  readonly host?: string;
  readonly path?: string;
  readonly owner?: string;
  readonly description?: string;
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
  };
}

const NAME_ACCEPTED =
  "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters";

/** Renders a problem as one line: `--port: must be ... (got "80")`. */
export function formatProblem(problem: AnswerProblem): string {
  return `${problem.argument}: ${problem.message} (got ${problem.value})`;
}

/**
 * Checks every answer against the platform's rules (the spec schema, the reserved
 * names, the services that exist, their public routes and published ports) and
 * returns either the complete answers or every problem found.
 */
export function validateAnswers(
  raw: RawAnswers,
  landscape: Landscape,
): { answers: ScaffoldAnswers; problems: [] } | { answers?: undefined; problems: AnswerProblem[] } {
  const problems: AnswerProblem[] = [];
  const refuse = (argument: string, value: unknown, message: string) =>
    problems.push({ argument, value: value === undefined ? "nothing" : JSON.stringify(value), message });

  const name = raw.name ?? "";
  if (!DNS_1035_LABEL.test(name)) refuse("<name>", name, `must be ${NAME_ACCEPTED}`);
  else if (RESERVED_SERVICE_NAMES.has(name))
    refuse("<name>", name, `is reserved for the platform; reserved names: ${[...RESERVED_SERVICE_NAMES].join(", ")}`);
  else if (landscape.services.has(name))
    refuse("<name>", name, `is already taken by ${landscape.services.get(name)}; service names must be unique`);
  else if (landscape.takenFolders.has(name))
    refuse(
      "<name>",
      name,
      `${SERVICES_DIR}/${name} already exists; the scaffolder never overwrites anything: remove it or choose another name`,
    );

  const template = raw.template ?? ANSWER_DEFAULTS.template;
  if (!landscape.templates.includes(template))
    refuse("--template", template, `is not a template; templates: ${landscape.templates.join(", ") || "(none)"}`);

  let port: number = ANSWER_DEFAULTS.port;
  if (raw.port !== undefined) {
    port = /^\d+$/.test(raw.port.trim()) ? Number(raw.port) : Number.NaN;
    if (!(port >= LOWEST_PORT && port <= 65535)) {
      refuse(
        "--port",
        raw.port,
        `must be a whole number from ${LOWEST_PORT} to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port)`,
      );
    }
  }

  const dependsOn = (raw.dependsOn ?? [])
    .flatMap((entry) => entry.split(","))
    .map((d) => d.trim())
    .filter((d) => d !== "");
  const seen = new Set<string>();
  for (const dependency of dependsOn) {
    if (seen.has(dependency)) refuse("--depends-on", dependency, "is listed twice");
    else if (dependency === name)
      refuse("--depends-on", dependency, "is the new service itself; list the services it calls");
    else if (!landscape.services.has(dependency))
      refuse(
        "--depends-on",
        dependency,
        `is not a service; known services: ${[...landscape.services.keys()].sort().join(", ") || "(none)"}`,
      );
    seen.add(dependency);
  }
  if (template === "worker" && dependsOn.length === 0) {
    refuse(
      "--depends-on",
      "",
      "must name at least one service for the worker template: the first one is where it takes its jobs from",
    );
  }

  const isPublic = raw.public === true;
  if (!isPublic) {
    if (raw.host !== undefined) refuse("--host", raw.host, "is only used with --public");
    if (raw.path !== undefined) refuse("--path", raw.path, "is only used with --public");
  } else if (template === "worker") {
    refuse(
      "--public",
      true,
      "does not fit the worker template, which takes no traffic but health checks and metrics; use --template http-service",
    );
  } else if (raw.host === undefined) {
    refuse(
      "--host",
      undefined,
      "is required with --public: the host name the service is published on, like pay.example.com",
    );
  }
  const publicRoute =
    isPublic && raw.host !== undefined ? { host: raw.host, path: raw.path ?? ANSWER_DEFAULTS.path } : null;

  const answers: ScaffoldAnswers = {
    name,
    template,
    port,
    // As typed: a worker takes its jobs from the first one.
    dependsOn: [...new Set(dependsOn)],
    public: publicRoute,
    owner: raw.owner ?? ANSWER_DEFAULTS.owner,
    description: raw.description ?? defaultDescription(name, template),
  };

  // The platform's own schema decides the rest (host, path, owner, the platform's local
  // ports), with its own words.
  const argumentOf: Record<string, [string, unknown]> = {
    port: ["--port", raw.port ?? String(port)],
    "expose.public.host": ["--host", answers.public?.host],
    "expose.public.path": ["--path", answers.public?.path],
    "monitoring.owner": ["--owner", answers.owner],
    description: ["--description", answers.description],
  };
  for (const issue of schemaProblems({ ...answers, port: Number.isNaN(port) ? ANSWER_DEFAULTS.port : port })) {
    const [argument, value] = argumentOf[issue.field] ?? [];
    if (argument !== undefined) refuse(argument, value, issue.message);
  }

  if (publicRoute && problems.every((p) => p.argument !== "--host" && p.argument !== "--path")) {
    const route = `${publicRoute.host}${publicRoute.path}`;
    const owner = landscape.routes.get(route);
    if (owner)
      refuse(
        raw.path !== undefined ? "--path" : "--host",
        route,
        `is already served by ${owner}; give the service its own host or path`,
      );
  }
  if (publicRoute && problems.every((p) => p.argument !== "--port")) {
    const owner = landscape.publishedPorts.get(port);
    if (owner) {
      let free = port + 1;
      while (landscape.publishedPorts.has(free) || PLATFORM_LOCAL_PORTS.has(free)) free++;
      refuse(
        "--port",
        String(port),
        `is already published on 127.0.0.1 by ${owner} in the local environment, where a public service is published on its port; choose a free one, like ${free}`,
      );
    }
  }

  return problems.length > 0 ? { problems } : { answers, problems: [] };
}
