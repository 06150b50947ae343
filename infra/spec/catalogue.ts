import { dataResourceName } from "./backing-services.js";
import { acceptedNames } from "./closest-name.js";
import { derivedNameProblems } from "./derived-names.js";
import {
  LIMIT_BELOW_REQUEST,
  defaultEnvironmentTraits,
  kubernetesQuantities,
  limitsBelowRequests,
  parseUsedBackingService,
  resolveServiceSpec,
  type EnvironmentTraits,
  type ServiceSpec,
} from "./resolve.js";
import type { ServiceDefinition } from "./service-spec.js";
import { variableCollisions } from "./service-variables.js";
import { SpecError, formatValue, type SpecProblem } from "./spec-error.js";

/**
 * Names a service may not take: they name platform-wide resources (the monitoring
 * stack, the shared networks), Kubernetes system namespaces, or the npm workspace of
 * the service runtime (`@platform/service-runtime`, which a service `@platform/<name>`
 * would clash with).
 */
export const RESERVED_SERVICE_NAMES: ReadonlySet<string> = new Set([
  "platform",
  "monitoring",
  "prometheus",
  "grafana",
  "alertmanager",
  "edge",
  "default",
  "kube-system",
  "kube-public",
  "ingress",
  "service-runtime",
]);

/** A service as discovered on disk: its parsed spec and where it came from. */
export interface DiscoveredService {
  /** The spec file relative to the repository root, like `services/orders/service.ts`. */
  readonly file: string;
  /** The folder name, which must equal the spec's name. */
  readonly folder: string;
  readonly definition: ServiceDefinition;
  /** The version a `build` service's image is tagged with (its package.json version). */
  readonly version: string;
}

/** The services of one environment, resolved and checked against each other. */
export class Catalogue {
  /** Services sorted by name. */
  readonly services: readonly ServiceSpec[];
  private readonly byName: ReadonlyMap<string, ServiceSpec>;
  private readonly dependentsByName: ReadonlyMap<string, readonly string[]>;
  private readonly usersByData: ReadonlyMap<string, readonly string[]>;

  constructor(services: readonly ServiceSpec[]) {
    this.services = [...services].sort((a, b) => a.name.localeCompare(b.name));
    this.byName = new Map(this.services.map((s) => [s.name, s]));
    const dependents = new Map<string, string[]>(this.services.map((s) => [s.name, []]));
    for (const service of this.services) {
      for (const dependency of service.dependsOn) dependents.get(dependency)?.push(service.name);
    }
    this.dependentsByName = dependents;
    const users = new Map<string, string[]>();
    for (const service of this.services)
      for (const used of service.uses) {
        const key = dataResourceName(used.owner, used.name);
        users.set(key, [...(users.get(key) ?? []), service.name]);
      }
    this.usersByData = users;
  }

  /** The services that read a backing service of `owner` (`uses`), sorted by name. */
  usersOf(owner: string, resource: string): readonly string[] {
    return this.usersByData.get(dataResourceName(owner, resource)) ?? [];
  }

  /** The service of that name; throws for an unknown name (a bug, since edges are checked). */
  get(name: string): ServiceSpec {
    const service = this.byName.get(name);
    if (!service) throw new Error(`unknown service '${name}'`);
    return service;
  }

  /** The services that call this one, sorted by name. */
  dependentsOf(name: string): readonly string[] {
    return this.dependentsByName.get(name) ?? [];
  }

  /**
   * Whether a service of this environment owns a backing service the platform runs (not
   * an `external` one) whose pods talk to the Kubernetes API server: a PostgreSQL
   * database (CloudNativePG's instance manager) or a queue (RabbitMQ's peer discovery);
   * a Redis store does not.
   */
  ownsDatabase(): boolean {
    return this.services.some((s) => s.backingServices.some((r) => r.external === undefined && r.type !== "redis"));
  }

  /** Every service-to-service edge as [caller, callee], sorted. */
  edges(): Array<readonly [string, string]> {
    return this.services.flatMap((s) => s.dependsOn.map((d) => [s.name, d] as const));
  }
}

/**
 * Resolves the discovered services for one environment and runs the checks that span
 * services: folder and name agree, names are unique and not reserved, every
 * `dependsOn` names another existing service, no two public services share a host and
 * path, no two public services publish the same local port, override keys name known
 * environments, a managed database (`external`) only on Kubernetes, no service named like
 * another's backing service, every `uses` naming another service's backing service.
 * Throws one `SpecError` listing every problem found.
 * @param traits @default defaultEnvironmentTraits(environment) - `local` on Docker, production by name
 */
export function resolveCatalogue(
  discovered: readonly DiscoveredService[],
  environment: string,
  knownEnvironments: readonly string[],
  traits: EnvironmentTraits = defaultEnvironmentTraits(environment),
): Catalogue {
  const problems: SpecProblem[] = [];
  const names = new Map<string, string>();
  // Of services that share a name, the one in the folder of that name keeps it: the others
  // are copies (a folder copied whole), and the clash is theirs.
  const holders = new Map<string, string>();
  for (const service of discovered)
    if (service.definition.name === service.folder) holders.set(service.folder, service.file);
  for (const service of discovered) {
    const { name } = service.definition;
    if (name !== service.folder) {
      problems.push({
        file: service.file,
        field: "name",
        value: formatValue(name),
        message: `must equal the folder name '${service.folder}'`,
      });
    }
    if (RESERVED_SERVICE_NAMES.has(name)) {
      problems.push({
        file: service.file,
        field: "name",
        value: formatValue(name),
        message: `is reserved for the platform; reserved names: ${[...RESERVED_SERVICE_NAMES].join(", ")}`,
      });
    }
    const other = holders.get(name) ?? names.get(name);
    if (other !== undefined && other !== service.file)
      problems.push({
        file: service.file,
        field: "name",
        value: formatValue(name),
        message: `is already taken by ${other}; service names must be unique`,
      });
    if (!names.has(name)) names.set(name, service.file);
    for (const key of Object.keys(service.definition.environments ?? {})) {
      if (!knownEnvironments.includes(key)) {
        problems.push({
          file: service.file,
          field: `environments.${key}`,
          value: formatValue(key),
          message: `is not an environment${acceptedNames(key, knownEnvironments, "known environments")}`,
        });
      }
    }
  }
  for (const service of discovered) {
    (service.definition.dependsOn ?? []).forEach((dependency, index) => {
      if (dependency === service.definition.name) {
        problems.push({
          file: service.file,
          field: `dependsOn[${index}]`,
          value: formatValue(dependency),
          message: "is the service itself; list only other services it calls",
        });
      } else if (!names.has(dependency)) {
        problems.push({
          file: service.file,
          field: `dependsOn[${index}]`,
          value: formatValue(dependency),
          message: `is not a service${acceptedNames(dependency, [...names.keys()].sort(), "known services")}`,
        });
      }
    });
  }

  problems.push(...backingServiceProblems(discovered, environment, traits));
  problems.push(...usesProblems(discovered));

  const specs = discovered.map((service) =>
    resolveServiceSpec(service.definition, environment, service.version, traits),
  );
  discovered.forEach((service, index) => {
    problems.push(...limitProblems(service, specs[index]!, environment));
    problems.push(...databaseLimitProblems(service, specs[index]!, environment));
  });
  problems.push(...publicClashes(discovered, specs, environment));

  // Only once every name is valid and unique: a duplicate service would derive every name twice.
  if (problems.length === 0) {
    const fileOf = new Map(discovered.map((s) => [s.definition.name, s.file]));
    problems.push(...derivedNameProblems(specs, fileOf, traits.target));
  }
  if (problems.length > 0) throw new SpecError(dedupe(problems));
  return new Catalogue(specs);
}

/**
 * What the specs of `environment` say against themselves and against each other: a
 * minimum above the maximum, two public services on one host and path, or publishing one
 * local port. `specs[i]` is `discovered[i]` resolved: a file is found by position, not by
 * name, since two copies of one service share a name.
 *
 * A clash of two files is reported in each, naming the other: nothing tells which of the
 * two was edited, and the user looks for the file they edited. But when one of the two is
 * a copy (its name is not its folder's), the clash is the copy's alone.
 */
function publicClashes(
  discovered: readonly DiscoveredService[],
  specs: readonly ServiceSpec[],
  environment: string,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const isCopy = (index: number) => discovered[index]!.definition.name !== discovered[index]!.folder;
  const clash = (index: number, other: number, problem: (file: string, otherFile: string) => SpecProblem) => {
    if (!isCopy(index) || isCopy(other)) problems.push(problem(discovered[other]!.file, discovered[index]!.file));
    if (!isCopy(other) || isCopy(index)) problems.push(problem(discovered[index]!.file, discovered[other]!.file));
  };
  // The field that gives a file's route in this environment: the environment's own expose, or the spec's.
  const exposeFieldOf = (file: string) =>
    discovered.find((service) => service.file === file)?.definition.environments?.[environment]?.expose !== undefined
      ? `environments.${environment}.expose.public`
      : "expose.public";
  const routes = new Map<string, number>();
  const localPorts = new Map<number, number>();
  specs.forEach((spec, index) => {
    const { file } = discovered[index]!;
    if (spec.scaling.min > spec.scaling.max) {
      problems.push({
        file,
        field: `environments.${environment}.scaling.min`,
        value: String(spec.scaling.min),
        message: `must be at most scaling.max (${spec.scaling.max}) in ${environment}`,
      });
    }
    if (spec.expose.kind !== "public") return;
    const route = `${spec.expose.host}${spec.expose.path}`;
    const routeOwner = routes.get(route);
    if (routeOwner !== undefined)
      clash(index, routeOwner, (at, other) => ({
        file: at,
        field: exposeFieldOf(at),
        value: formatValue(route),
        message: `is also served by ${other}; give each public service its own host or path`,
      }));
    else routes.set(route, index);
    const { localPort } = spec.expose;
    const portOwner = localPorts.get(localPort);
    if (portOwner !== undefined)
      clash(index, portOwner, (at, other) => ({
        file: at,
        field: "expose.public.localPort",
        value: String(localPort),
        message: `is also published on 127.0.0.1 by ${other} in the local environment; set expose.public.localPort to a free port`,
      }));
    else localPorts.set(localPort, index);
  });
  return problems;
}

/**
 * Limits below requests once an environment's override is applied (the schema checks the
 * spec's own resources). The field named is the one the override set: its limit when it
 * lowered the limit, else its request when it raised the request.
 */
function limitProblems(service: DiscoveredService, spec: ServiceSpec, environment: string): SpecProblem[] {
  const override = service.definition.environments?.[environment]?.resources;
  return limitsBelowRequests(spec.resources).map((below) => {
    if (override?.[below.kind] !== undefined && override.limits?.[below.kind] === undefined) {
      const field = `environments.${environment}.resources.${below.kind}`;
      return {
        file: service.file,
        field,
        value: formatValue(override[below.kind]),
        message: `must be at most the ${below.kind} limit (${below.limit}) in ${environment}: ${LIMIT_BELOW_REQUEST}`,
      };
    }
    const field =
      override?.limits?.[below.kind] !== undefined
        ? `environments.${environment}.resources.limits.${below.kind}`
        : `resources.limits.${below.kind}`;
    const given = override?.limits?.[below.kind] ?? service.definition.resources?.limits?.[below.kind];
    return {
      file: service.file,
      field,
      value: formatValue(given),
      message: `must be at least the ${below.kind} request (${below.request}) in ${environment}: ${LIMIT_BELOW_REQUEST}`,
    };
  });
}

/**
 * A database instance's limits below its requests once an environment's override is
 * applied, naming the field that set the limit or the request.
 */
function databaseLimitProblems(service: DiscoveredService, spec: ServiceSpec, environment: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const resource of spec.backingServices) {
    if (resource.external !== undefined) continue;
    const own = service.definition.backingServices?.[resource.name]?.resources;
    const override = service.definition.environments?.[environment]?.backingServices?.[resource.name]?.resources;
    const { requests, limits } = resource.resources;
    const below = [
      ["memory", limits.memoryMiB < requests.memoryMiB, kubernetesQuantities(requests).memory],
      [
        "cpu",
        limits.cpuMillis !== undefined && limits.cpuMillis < requests.cpuMillis,
        kubernetesQuantities(requests).cpu,
      ],
    ] as const;
    for (const [kind, isBelow, request] of below) {
      if (!isBelow) continue;
      const limitByOverride = override?.limits?.[kind] !== undefined;
      const requestByOverride = override?.[kind] !== undefined;
      const prefix = `backingServices.${resource.name}.resources`;
      const field =
        limitByOverride || (!requestByOverride && own?.limits?.[kind] !== undefined)
          ? `${limitByOverride ? `environments.${environment}.` : ""}${prefix}.limits.${kind}`
          : `${requestByOverride ? `environments.${environment}.` : ""}${prefix}.${kind}`;
      const given = field.endsWith(`limits.${kind}`)
        ? (override?.limits?.[kind] ?? own?.limits?.[kind])
        : (override?.[kind] ?? own?.[kind]);
      problems.push({
        file: service.file,
        field,
        value: formatValue(given),
        message: field.endsWith(`limits.${kind}`)
          ? `must be at least the ${kind} request (${request}) in ${environment}: ${LIMIT_BELOW_REQUEST}`
          : `must be at most the ${kind} limit in ${environment}: ${LIMIT_BELOW_REQUEST}`,
      });
    }
  }
  return problems;
}

/**
 * A managed database (`external`) exists only on Kubernetes, where a Secret holds its
 * connection; and no service takes the name of another's data (`orders-db`) or a name
 * that starts with it (`orders-db-rw` is the database's Service, `orders-db-app` its Secret).
 */
function backingServiceProblems(
  discovered: readonly DiscoveredService[],
  environment: string,
  traits: EnvironmentTraits,
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const dataNames = new Map<string, string>();
  for (const service of discovered) {
    for (const name of Object.keys(service.definition.backingServices ?? {}))
      dataNames.set(dataResourceName(service.definition.name, name), service.file);
    const overrides = service.definition.environments?.[environment]?.backingServices ?? {};
    for (const [name, override] of Object.entries(overrides)) {
      if (override.external !== undefined && traits.target !== "kubernetes")
        problems.push({
          file: service.file,
          field: `environments.${environment}.backingServices.${name}.external`,
          value: formatValue(override.external),
          message: `is only for Kubernetes environments, where a Secret holds the managed database's connection; ${environment} runs on ${traits.target}, where the platform runs the database itself`,
        });
    }
  }
  if (dataNames.size === 0) return problems;
  for (const service of discovered) {
    const { name } = service.definition;
    for (const [dataName, owner] of dataNames) {
      if (name === dataName || name.startsWith(`${dataName}-`))
        problems.push({
          file: service.file,
          field: "name",
          value: formatValue(name),
          message: `is taken by the backing service '${dataName}' of ${owner} (its data objects, Services and Secrets are named ${dataName} and ${dataName}-*); choose another name`,
        });
    }
  }
  return problems;
}

/**
 * Each `uses` names an existing backing service of another service, and its variables
 * (`<OWNER>_<RESOURCE>_*`, by the owner's type) take no name the service already has: a
 * dependency's or backing service's variable, one the runtime reads, an `env` or `secrets`
 * key (`variableCollisions`, which the schema ran for the rest of the file already).
 */
function usesProblems(discovered: readonly DiscoveredService[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const byName = new Map(discovered.map((service) => [service.definition.name, service.definition]));
  const usedType = (reference: string) => {
    const { owner, name } = parseUsedBackingService(reference);
    return byName.get(owner)?.backingServices?.[name]?.type;
  };
  for (const service of discovered) {
    const { definition } = service;
    const seen = new Set<string>();
    for (const [index, reference] of (definition.uses ?? []).entries()) {
      // Listed twice means once, like dependsOn.
      if (seen.has(reference)) continue;
      seen.add(reference);
      const problem = useProblem(reference, definition.name, byName);
      if (problem !== undefined)
        problems.push({ file: service.file, field: `uses[${index}]`, value: formatValue(reference), message: problem });
    }
    // Only the entries useProblem accepts have a type: another service's existing backing service.
    const known = (reference: string) =>
      parseUsedBackingService(reference).owner === definition.name ? undefined : usedType(reference);
    for (const collision of variableCollisions(definition, known))
      if (collision.path[0] === "uses")
        problems.push({
          file: service.file,
          field: `uses[${collision.path[1]}]`,
          value: formatValue(collision.value),
          message: collision.message,
        });
  }
  return problems;
}

/** What is wrong with one `uses` entry of `user` other than its variables, or undefined. */
function useProblem(
  reference: string,
  user: string,
  byName: ReadonlyMap<string, ServiceDefinition>,
): string | undefined {
  const { owner, name } = parseUsedBackingService(reference);
  const ownerDefinition = byName.get(owner);
  if (owner === user)
    return "is the service's own backing service, which it reaches already (<RESOURCE>_* variables); list only other services' backing services";
  if (ownerDefinition === undefined)
    return `names no service${acceptedNames(owner, [...byName.keys()].sort(), "known services")}`;
  if (ownerDefinition.backingServices?.[name] === undefined)
    return `is not a backing service of ${owner}${acceptedNames(name, Object.keys(ownerDefinition.backingServices ?? {}), "its backing services")}`;
  return undefined;
}

function dedupe(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}|${p.field}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
