import type { MeshRetriedMethods, RetryLayer } from "../mesh-settings.js";
import type { PostgresVersion, RedisPersistence } from "./backing-services.js";
import { formatCpu, formatMemory, parseCpuMillis, parseMemoryMiB, type ResourceAmounts } from "./quantity.js";
import { RUNTIME_DEFAULTS, RUNTIME_VARIABLES } from "./runtime-defaults.js";
import type { ResilienceInput } from "./resilience.js";
import type { ServiceDefinition } from "./service-spec.js";

/**
 * Every default of the service spec, resolved here and nowhere else. The few the
 * service's code must know too (probe and metrics paths) come from `runtime-defaults.ts`,
 * which the service runtime reads as well.
 *
 * Limits follow two documented rules unless a spec sets `resources.limits`:
 * - memory limit = memory request: a pod never uses memory it was not scheduled for,
 *   so the kernel's OOM killer hits the service that overran, not its neighbours;
 * - cpu limit = 2 x cpu request: bursts are allowed, a runaway loop is capped.
 */
export const SPEC_DEFAULTS = {
  dockerfile: "Dockerfile",
  liveness: RUNTIME_DEFAULTS.liveness,
  readiness: RUNTIME_DEFAULTS.readiness,
  cpu: "100m",
  memory: "256Mi",
  cpuLimitFactor: 2,
  scaling: { min: 2, max: 4, cpuPercent: 70 },
  metricsPath: RUNTIME_DEFAULTS.metricsPath,
  availability: 99.9,
  latencyMs: 500,
  owner: "platform",
  publicPath: "/",
  /** A PostgreSQL backing service: the newest supported major, 1Gi, one instance but in production. */
  postgres: {
    version: 17,
    storage: "1Gi",
    instances: 1,
    productionInstances: 3,
    /**
     * Each instance's requests; its memory limit is the memory request (shared buffers and
     * work memory must not be taken back by the kernel from a neighbour's overrun), and it
     * has no cpu limit unless given (a throttled primary stalls every writer).
     */
    cpu: "250m",
    memory: "512Mi",
  },
  /**
   * A Redis store: an append-only file fsynced every second (at most a second of writes
   * lost), 1Gi, 100m and 256Mi (Redis's `maxmemory` is set below the memory limit).
   */
  redis: { persistence: "aof", storage: "1Gi", cpu: "100m", memory: "256Mi" },
  /**
   * A queue: RabbitMQ, 1Gi, one node but in production (three: a quorum queue keeps its
   * messages when one node is lost), 250m and 1Gi each (RabbitMQ blocks publishers at 60% of it).
   */
  queue: { storage: "1Gi", instances: 1, productionInstances: 3, cpu: "250m", memory: "1Gi" },
} as const;

/** What the resolution needs to know of the environment besides its name. */
export interface EnvironmentTraits {
  /** Production defaults apply (three PostgreSQL instances). */
  readonly production: boolean;
  /** The target: a managed database (`external`) exists only on Kubernetes. */
  readonly target: "docker" | "kubernetes";
}

/** The traits of the platform's own environments, by name (`local` on Docker, the others on Kubernetes). */
export function defaultEnvironmentTraits(environment: string): EnvironmentTraits {
  return { production: environment === "production", target: environment === "local" ? "docker" : "kubernetes" };
}

/** What every type of backing service has, as one environment runs it. */
export interface BackingServiceBase {
  /** The key in `backingServices`, like `db`: it names the connection variables (`DB_HOST`, ...). */
  readonly name: string;
  /** The volume size as a Kubernetes quantity, like `1Gi` (Docker volumes have no size). */
  readonly storage: string;
  /**
   * Each instance's requests and memory limit; a cpu limit only when the spec gives one.
   * Docker gives its one container the same memory limit (and the cpu limit, else one cpu).
   */
  readonly resources: DatabaseResources;
  /**
   * A managed service whose connection details are in this existing Secret, with the
   * keys the platform reads for its type; the platform creates nothing.
   */
  readonly external?: { readonly secretName: string };
}

/** A PostgreSQL database a service owns, as one environment runs it. */
export interface PostgresBackingService extends BackingServiceBase {
  readonly type: "postgres";
  /** The PostgreSQL major version. */
  readonly version: PostgresVersion;
  /** PostgreSQL instances on Kubernetes (one primary, the rest replicas); Docker runs one. */
  readonly instances: number;
}

/** A Redis store a service owns: one instance on both targets. */
export interface RedisBackingService extends BackingServiceBase {
  readonly type: "redis";
  /** How Redis keeps its data on its volume. */
  readonly persistence: RedisPersistence;
}

/** A RabbitMQ broker a service owns, and the queues the service declares on it. */
export interface QueueBackingService extends BackingServiceBase {
  readonly type: "queue";
  /** The queue names, as the spec lists them. */
  readonly queues: readonly string[];
  /** RabbitMQ nodes on Kubernetes (an odd number); Docker runs one. */
  readonly instances: number;
}

/** The requests and limits of one database instance. */
export interface DatabaseResources {
  readonly requests: ResourceAmounts;
  readonly limits: { readonly memoryMiB: number; readonly cpuMillis?: number };
}

/** A backing service of any type. */
export type BackingService = PostgresBackingService | RedisBackingService | QueueBackingService;

/** A reference to a secret in the environment's secret store. */
export interface SecretReference {
  readonly secretName: string;
  readonly key: string;
}

/** External egress: CIDR and ports. */
export interface EgressRule {
  readonly cidr: string;
  readonly ports: readonly number[];
  readonly protocol: "TCP" | "UDP";
  readonly description?: string;
}

/** How a service calls one dependency (`resilience.<dependency>`, defaults applied). */
export interface DependencyCallSettings {
  /** The whole call, retries included. */
  readonly timeoutMs: number;
  /** Retries of an attempt that got no answer; 0 retries nothing. */
  readonly retryAttempts: number;
  /** The methods retried (idempotent ones). */
  readonly retryMethods: readonly string[];
  /** Attempts in a row without an answer that open the breaker. */
  readonly breakerFailures: number;
  /** How long the open breaker refuses calls before a trial call. */
  readonly breakerHalfOpenAfterMs: number;
}

/** A guardrail exception, with the reason a reviewer reads. */
export interface Suppression {
  readonly rule: string;
  readonly reason: string;
}

export type { ResourceAmounts } from "./quantity.js";

/** Where the container image comes from. */
export type ImageSource =
  | { readonly kind: "build"; readonly dockerfile: string }
  | { readonly kind: "image"; readonly image: string };

/** How the service is reached. */
export type Exposure =
  | { readonly kind: "internal" }
  | { readonly kind: "public"; readonly host: string; readonly path: string; readonly localPort: number };

/** A service as one environment runs it: every field resolved. */
export interface ServiceSpec {
  readonly name: string;
  readonly description: string;
  readonly source: ImageSource;
  /** The version the image is tagged with (a `build` service's package.json version, or the image tag). */
  readonly version: string;
  readonly port: number;
  readonly health: {
    readonly liveness: string;
    readonly readiness: string;
    /**
     * The command Docker runs in the container as its healthcheck; undefined: a `node` request to the liveness path.
     */
    readonly dockerCheck?: readonly string[];
  };
  /** The spec's own variables, after environment overrides. */
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretReference>>;
  readonly resources: { readonly requests: ResourceAmounts; readonly limits: ResourceAmounts };
  readonly scaling: {
    readonly min: number;
    readonly max: number;
    readonly cpuPercent: number;
    readonly memoryPercent?: number;
    /** min === max: a fixed replica count, no autoscaler. */
    readonly fixed: boolean;
  };
  readonly expose: Exposure;
  readonly dependsOn: readonly string[];
  /** How each dependency is called, by dependency name: one entry per `dependsOn` entry. */
  readonly resilience: Readonly<Record<string, DependencyCallSettings>>;
  readonly egress: readonly EgressRule[];
  readonly monitoring: {
    readonly metricsPath: string;
    readonly metricsPort: number;
    readonly slo: { readonly availability: number; readonly latencyMs: number };
    readonly owner: string;
  };
  readonly suppressions: readonly Suppression[];
  /** The data the service owns, sorted by name; empty for most services. */
  readonly backingServices: readonly BackingService[];
  /** Other services' backing services this one reads (`uses`), sorted; the catalogue checks they exist. */
  readonly uses: readonly UsedBackingService[];
}

/** Another service's backing service that a service reads: `orders.db` is `{ owner: "orders", name: "db" }`. */
export interface UsedBackingService {
  readonly owner: string;
  readonly name: string;
}

/** `orders.db` as `{ owner, name }`. */
export function parseUsedBackingService(reference: string): UsedBackingService {
  const dot = reference.indexOf(".");
  return { owner: reference.slice(0, dot), name: reference.slice(dot + 1) };
}

/**
 * Applies the defaults and the overrides of one environment to a parsed spec.
 * @param version the image version of a `build` service (its package.json version)
 */
export function resolveServiceSpec(
  definition: ServiceDefinition,
  environment: string,
  version: string,
  traits: EnvironmentTraits = defaultEnvironmentTraits(environment),
): ServiceSpec {
  const override = definition.environments?.[environment] ?? {};
  const scaling = { ...SPEC_DEFAULTS.scaling, ...definition.scaling, ...override.scaling };
  const { requests, limits } = resolveResources(definition.resources, override.resources);

  const expose = resolveExpose(definition, override.expose, { name: environment, ...traits });
  return {
    name: definition.name,
    description: definition.description ?? "",
    source:
      definition.image !== undefined
        ? { kind: "image", image: definition.image }
        : { kind: "build", dockerfile: definition.build?.dockerfile ?? SPEC_DEFAULTS.dockerfile },
    version: definition.image !== undefined ? imageVersion(definition.image) : version,
    port: definition.port,
    health: {
      liveness: definition.health?.liveness ?? SPEC_DEFAULTS.liveness,
      readiness: definition.health?.readiness ?? SPEC_DEFAULTS.readiness,
      dockerCheck: definition.health?.dockerCheck,
    },
    env: { ...definition.env, ...override.env },
    secrets: { ...definition.secrets },
    resources: { requests, limits },
    scaling: {
      min: scaling.min,
      max: scaling.max,
      cpuPercent: scaling.cpuPercent,
      memoryPercent: scaling.memoryPercent,
      fixed: scaling.min === scaling.max,
    },
    expose,
    dependsOn: [...new Set(definition.dependsOn ?? [])].sort(),
    resilience: Object.fromEntries(
      [...new Set(definition.dependsOn ?? [])]
        .sort()
        .map((dependency) => [dependency, resolveResilience(definition.resilience?.[dependency])]),
    ),
    egress: (definition.egress ?? []).map((e) => ({
      cidr: e.cidr,
      ports: e.ports,
      protocol: e.protocol ?? "TCP",
      description: e.description,
    })),
    monitoring: {
      metricsPath: definition.monitoring?.metricsPath ?? SPEC_DEFAULTS.metricsPath,
      metricsPort: definition.monitoring?.metricsPort ?? definition.port,
      slo: {
        availability: definition.monitoring?.slo?.availability ?? SPEC_DEFAULTS.availability,
        latencyMs: definition.monitoring?.slo?.latencyMs ?? SPEC_DEFAULTS.latencyMs,
      },
      owner: definition.monitoring?.owner ?? SPEC_DEFAULTS.owner,
    },
    suppressions: definition.guardrails?.suppress ?? [],
    backingServices: resolveBackingServices(definition, environment, traits),
    uses: [...new Set(definition.uses ?? [])].sort().map(parseUsedBackingService),
  };
}

/** What {@link resolveExpose} needs of the environment: its name and traits. */
export interface ExposeEnvironment extends EnvironmentTraits {
  readonly name: string;
}

/**
 * How one environment exposes the service: its override of `expose` when it gives one,
 * else the spec's. An override's public path and localPort default to the spec's own
 * public ones, so `environments.staging.expose.public.host` alone changes only the host.
 * Without an override, a Kubernetes environment that is not production serves the spec's
 * host below its own name (`shop.example.com` in production, `staging.shop.example.com`
 * in staging): two environments never claim one host unless a service file says so, and
 * a public service made with one host (by new:service, or before hosts per environment
 * existed) synthesizes in every environment.
 */
export function resolveExpose(
  definition: ServiceDefinition,
  override: ServiceDefinition["expose"] | undefined,
  environment?: ExposeEnvironment,
): ServiceSpec["expose"] {
  const own = definition.expose;
  const chosen = override ?? own;
  if (chosen === undefined || chosen === "internal") return { kind: "internal" };
  const base = own !== undefined && own !== "internal" ? own.public : undefined;
  const ownName =
    override === undefined && environment?.target === "kubernetes" && !environment.production
      ? `${environment.name}.`
      : "";
  return {
    kind: "public",
    host: `${ownName}${chosen.public.host}`,
    path: chosen.public.path ?? base?.path ?? SPEC_DEFAULTS.publicPath,
    localPort: chosen.public.localPort ?? base?.localPort ?? definition.port,
  };
}

/** The settings of the calls to one dependency, the runtime's defaults for what the spec does not give. */
export function resolveResilience(given: ResilienceInput | undefined): DependencyCallSettings {
  const defaults = RUNTIME_DEFAULTS.dependency;
  return {
    timeoutMs: given?.timeoutMs ?? defaults.timeoutMs,
    retryAttempts: given?.retries?.attempts ?? defaults.retryAttempts,
    retryMethods: given?.retries?.methods ? [...new Set(given.retries.methods)] : defaults.retryMethods,
    breakerFailures: given?.breaker?.consecutiveFailures ?? defaults.breakerFailures,
    breakerHalfOpenAfterMs: given?.breaker?.halfOpenAfterMs ?? defaults.breakerHalfOpenAfterMs,
  };
}

/** The backing services of one environment, sorted by name, every default applied. */
function resolveBackingServices(
  definition: ServiceDefinition,
  environment: string,
  traits: EnvironmentTraits,
): BackingService[] {
  const declared = definition.backingServices;
  if (declared === undefined) return [];
  const overrides = definition.environments?.[environment]?.backingServices ?? {};
  return Object.keys(declared)
    .sort()
    .map((name): BackingService => {
      const given = declared[name]!;
      const override = overrides[name] ?? {};
      const defaults = SPEC_DEFAULTS[given.type];
      const base = {
        name,
        storage: override.storage ?? given.storage ?? defaults.storage,
        resources: resolveDatabaseResources(given.resources, override.resources, defaults),
        ...(override.external ? { external: { secretName: override.external.secretName } } : {}),
      };
      const instances = (counts: { instances: number; productionInstances: number }, own: number | undefined) =>
        override.instances ?? own ?? (traits.production ? counts.productionInstances : counts.instances);
      if (given.type === "postgres")
        return {
          ...base,
          type: given.type,
          version: given.version ?? SPEC_DEFAULTS.postgres.version,
          instances: instances(SPEC_DEFAULTS.postgres, given.instances),
        };
      if (given.type === "redis")
        return { ...base, type: given.type, persistence: given.persistence ?? SPEC_DEFAULTS.redis.persistence };
      return {
        ...base,
        type: given.type,
        queues: [...given.queues],
        instances: instances(SPEC_DEFAULTS.queue, given.instances),
      };
    });
}

type ResourcesInput = NonNullable<ServiceDefinition["resources"]>;

/**
 * The requests and limits of a spec's `resources` after an environment's override of
 * them: the defaults for what neither gives, then the documented limit rules.
 */
export function resolveResources(
  resources: ResourcesInput | undefined,
  override?: ResourcesInput,
): ServiceSpec["resources"] {
  const merged = { ...resources, ...override, limits: { ...resources?.limits, ...override?.limits } };
  const requests: ResourceAmounts = {
    cpuMillis: parseCpuMillis(merged.cpu ?? SPEC_DEFAULTS.cpu)!,
    memoryMiB: parseMemoryMiB(merged.memory ?? SPEC_DEFAULTS.memory)!,
  };
  const limits: ResourceAmounts = {
    cpuMillis:
      merged.limits.cpu !== undefined
        ? parseCpuMillis(merged.limits.cpu)!
        : requests.cpuMillis * SPEC_DEFAULTS.cpuLimitFactor,
    memoryMiB: merged.limits.memory !== undefined ? parseMemoryMiB(merged.limits.memory)! : requests.memoryMiB,
  };
  return { requests, limits };
}

/**
 * A backing service instance's requests and limits after an environment's override: the
 * defaults of its type for what neither gives, the memory limit at the memory request, no cpu limit
 * unless given.
 */
export function resolveDatabaseResources(
  resources: ResourcesInput | undefined,
  override?: ResourcesInput,
  defaults: { readonly cpu: string; readonly memory: string } = SPEC_DEFAULTS.postgres,
): DatabaseResources {
  const merged = { ...resources, ...override, limits: { ...resources?.limits, ...override?.limits } };
  const requests: ResourceAmounts = {
    cpuMillis: parseCpuMillis(merged.cpu ?? defaults.cpu)!,
    memoryMiB: parseMemoryMiB(merged.memory ?? defaults.memory)!,
  };
  const memoryMiB = merged.limits.memory !== undefined ? parseMemoryMiB(merged.limits.memory)! : requests.memoryMiB;
  return {
    requests,
    limits:
      merged.limits.cpu !== undefined ? { memoryMiB, cpuMillis: parseCpuMillis(merged.limits.cpu)! } : { memoryMiB },
  };
}

/** Why a limit below its request is refused, for messages. */
export const LIMIT_BELOW_REQUEST = "Kubernetes refuses a pod whose limit is below its request";

/** A resource whose limit is below its request, both rendered as Kubernetes quantities. */
export interface LimitBelowRequest {
  readonly kind: "cpu" | "memory";
  readonly request: string;
  readonly limit: string;
}

/** The resources whose limit is below the request (Kubernetes refuses such a pod). */
export function limitsBelowRequests(resources: ServiceSpec["resources"]): LimitBelowRequest[] {
  const requests = kubernetesQuantities(resources.requests);
  const limits = kubernetesQuantities(resources.limits);
  const below: LimitBelowRequest[] = [];
  if (resources.limits.cpuMillis < resources.requests.cpuMillis)
    below.push({ kind: "cpu", request: requests.cpu, limit: limits.cpu });
  if (resources.limits.memoryMiB < resources.requests.memoryMiB)
    below.push({ kind: "memory", request: requests.memory, limit: limits.memory });
  return below;
}

/** The tag of an image reference, or its digest. */
export function imageVersion(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1);
  return image.slice(image.lastIndexOf(":") + 1);
}

/** Kubernetes renderings of the resolved amounts, shared by every target. */
export function kubernetesQuantities(amounts: ResourceAmounts): { cpu: string; memory: string } {
  return { cpu: formatCpu(amounts.cpuMillis), memory: formatMemory(amounts.memoryMiB) };
}

/** The environment variable through which a service finds a dependency (`CATALOG_URL`). */
export function dependencyUrlVariable(dependency: string): string {
  return `${dependencyVariablePrefix(dependency)}_URL`;
}

/** The prefix of a dependency's variables: `orders-db` -> `ORDERS_DB`. */
export function dependencyVariablePrefix(dependency: string): string {
  return dependency.toUpperCase().replace(/-/g, "_");
}

/** The suffixes of the variables that carry a dependency's resilience settings, as the runtime reads them (config.ts). */
export const RESILIENCE_VARIABLE_SUFFIXES = [
  "TIMEOUT_MS",
  "RETRY_ATTEMPTS",
  "RETRY_METHODS",
  "BREAKER_FAILURES",
  "BREAKER_HALF_OPEN_MS",
] as const;

/**
 * The variables that carry how a service calls a dependency (`CATALOG_TIMEOUT_MS`,
 * `CATALOG_RETRY_ATTEMPTS`, `CATALOG_RETRY_METHODS`, `CATALOG_BREAKER_FAILURES`,
 * `CATALOG_BREAKER_HALF_OPEN_MS`).
 */
export function dependencyResilienceVariables(
  dependency: string,
  settings: DependencyCallSettings,
): Record<string, string> {
  const prefix = dependencyVariablePrefix(dependency);
  const values: Record<(typeof RESILIENCE_VARIABLE_SUFFIXES)[number], string> = {
    TIMEOUT_MS: String(settings.timeoutMs),
    RETRY_ATTEMPTS: String(settings.retryAttempts),
    RETRY_METHODS: settings.retryMethods.join(","),
    BREAKER_FAILURES: String(settings.breakerFailures),
    BREAKER_HALF_OPEN_MS: String(settings.breakerHalfOpenAfterMs),
  };
  return Object.fromEntries(RESILIENCE_VARIABLE_SUFFIXES.map((suffix) => [`${prefix}_${suffix}`, values[suffix]]));
}

/** A caller's settings for `dependency` as its runtime applies them: without what the mesh retries. */
function runtimeRetries(
  settings: DependencyCallSettings,
  dependency: string,
  retries: RetryLayer | MeshRetriedMethods,
): DependencyCallSettings {
  if (retries === "runtime") return settings;
  if (retries === "mesh") return { ...settings, retryAttempts: 0 };
  const byMesh = retries(dependency);
  if (byMesh.length === 0) return settings;
  const left = settings.retryMethods.filter((method) => !byMesh.includes(method));
  return left.length === 0 ? { ...settings, retryAttempts: 0 } : { ...settings, retryMethods: left };
}

/** The variables the platform sets for every service, whatever it depends on. */
export const PLATFORM_VARIABLES = [
  RUNTIME_VARIABLES.serviceName,
  RUNTIME_VARIABLES.port,
  RUNTIME_VARIABLES.environment,
] as const;

/**
 * The OpenTelemetry variables the platform sets per environment where tracing is on
 * (infra/targets/tracing-environment.ts): a service's env or secrets may not take them,
 * or a service would trace past its environment's collector and sampling ratio.
 */
export const TRACING_VARIABLES = [
  "OTEL_SERVICE_NAME",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG",
  "OTEL_PROPAGATORS",
] as const;

/**
 * The variables a service's env or secrets may not take: those the platform sets
 * ({@link TRACING_VARIABLES}), and the per-signal ones the SDK prefers to them, with
 * which a service could export its traces elsewhere or turn tracing on where its
 * environment leaves it off.
 */
export const RESERVED_TRACING_VARIABLES = [
  ...TRACING_VARIABLES,
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  "OTEL_TRACES_EXPORTER",
] as const;

/**
 * The runtime's default timeout of a call to a dependency, used only where no
 * `<DEPENDENCY>_TIMEOUT_MS` is set. The platform sets one for every dependency (from
 * `resilience.<dependency>.timeoutMs` or its default), so a service's own value would
 * never apply: it is refused, pointing to `resilience`.
 */
export const DEFAULT_DEPENDENCY_TIMEOUT_VARIABLE = RUNTIME_VARIABLES.dependencyTimeoutMs;

/**
 * The variable names a service's `env` and `secrets` may not take: the platform sets
 * them ({@link platformEnvironment}), and a second value would win on one target and
 * not the other, or point `PORT` away from the port the probes check.
 */
export function reservedVariableNames(
  dependsOn: readonly string[],
  /** @default true - with each dependency's resilience variables; false: its URL variable only */
  withResilience = true,
): readonly string[] {
  return [
    ...PLATFORM_VARIABLES,
    ...[...new Set(dependsOn)].flatMap((dependency) => [
      dependencyUrlVariable(dependency),
      ...(withResilience
        ? RESILIENCE_VARIABLE_SUFFIXES.map((suffix) => `${dependencyVariablePrefix(dependency)}_${suffix}`)
        : []),
    ]),
  ];
}

/**
 * The variables the platform sets for every service, identical on every target: its
 * name, port, environment, and per dependency its URL (the dependency's name is its
 * DNS name on both targets: a Kubernetes Service in the same namespace, a Docker
 * network alias) and how it is called ({@link dependencyResilienceVariables}).
 * @param retries the layer that retries the calls (`retryLayer` of the environment's mesh):
 * with `mesh`, each dependency's `<DEPENDENCY>_RETRY_ATTEMPTS` is 0; or, where the mesh retries
 * only some methods of a dependency's calls, those methods per dependency: the runtime keeps
 * retrying the others (`<DEPENDENCY>_RETRY_METHODS` without them), and retries nothing when none is left
 * @default retries "runtime"
 */
export function platformEnvironment(
  spec: ServiceSpec,
  environment: string,
  portOf: (service: string) => number,
  retries: RetryLayer | MeshRetriedMethods = "runtime",
): Record<string, string> {
  const variables: Record<(typeof PLATFORM_VARIABLES)[number], string> & Record<string, string> = {
    SERVICE_NAME: spec.name,
    PORT: String(spec.port),
    PLATFORM_ENVIRONMENT: environment,
  };
  for (const dependency of spec.dependsOn) {
    variables[dependencyUrlVariable(dependency)] = `http://${dependency}:${portOf(dependency)}`;
    const settings = spec.resilience[dependency];
    // Retried in one place only: where the mesh retries, the runtime does not.
    if (settings)
      Object.assign(
        variables,
        dependencyResilienceVariables(dependency, runtimeRetries(settings, dependency, retries)),
      );
  }
  return { ...variables, ...spec.env };
}
