import { IDEMPOTENT_METHODS, RUNTIME_DEFAULTS, RUNTIME_VARIABLES } from "../../../infra/spec/runtime-defaults.js";
import type { DependencySettings } from "./dependency-resilience.js";
import { type BackingServiceKind, connectedResources, type ServiceManifest } from "./service-manifest.js";

/**
 * The configuration of a running service, read once at start from the environment
 * variables the platform sets (see `platformEnvironment()` in infra/spec/resolve.ts):
 * SERVICE_NAME, PORT, PLATFORM_ENVIRONMENT, `<DEPENDENCY>_URL` per dependency and
 * `<PREFIX>_URL` per backing service, plus the spec's `env` and `secrets`. A missing or bad value stops the service before it
 * listens, with every problem named at once.
 */
export interface ServiceConfig {
  readonly serviceName: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** `local`, `staging`, `production`, or `development` outside the platform. */
  readonly environment: string;
  readonly logLevel: LogLevel;
  /** Base URL of each dependency, by service name. */
  readonly dependencyUrls: Readonly<Record<string, URL>>;
  /** How long a call to a dependency may take before it is abandoned, unless `<DEPENDENCY>_TIMEOUT_MS` says. */
  readonly dependencyTimeoutMs: number;
  /** How each dependency is called (timeout, retries, breaker), by service name. */
  readonly dependencies: Readonly<Record<string, DependencySettings>>;
  /** When the service sheds load: answers 503 with `Retry-After` and reports not ready. */
  readonly loadShedding: LoadSheddingSettings;
  /** Connection URL of each backing service, by resource name; it holds the password, never log it. */
  readonly backingServiceUrls: Readonly<Record<string, URL>>;
  /** How long one check of a backing service (readiness) may take before it counts as down. */
  readonly backingServiceCheckTimeoutMs: number;
  /** How long readiness reports "draining" before the server stops accepting connections. */
  readonly drainMs: number;
  /** The whole shutdown, from SIGTERM to exit; below the platform's 30 s grace period. */
  readonly shutdownTimeoutMs: number;
}

/** When the service is overloaded (`LOAD_SHEDDING_*` variables); 0 turns a check off. */
export interface LoadSheddingSettings {
  /** The mean event-loop delay, over a sample, above which requests are shed. */
  readonly maxEventLoopDelayMs: number;
  /** The event loop's utilization (0 to 1), over a sample, above which requests are shed. */
  readonly maxEventLoopUtilization: number;
  /** How often the event loop is sampled. */
  readonly sampleIntervalMs: number;
}

/**
 * The defaults of load shedding: a mean event-loop delay of 200 ms over a second is a
 * loop that queues without bound (a busy service at full throughput waits a few ms);
 * utilization is off, because a service at full throughput is near 1 and still answers.
 */
export const LOAD_SHEDDING_DEFAULTS: LoadSheddingSettings = {
  maxEventLoopDelayMs: 200,
  maxEventLoopUtilization: 0,
  sampleIntervalMs: 1_000,
};

/** The prefix of a dependency's variables: `orders-db` -> `ORDERS_DB` (`ORDERS_DB_URL`, `ORDERS_DB_TIMEOUT_MS`). */
export function dependencyVariablePrefix(dependency: string): string {
  return dependency.toUpperCase().replace(/-/g, "_");
}

/** Log levels, from the loudest. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Seconds the platform waits between SIGTERM and SIGKILL (infra/targets/hardening.ts). */
export const PLATFORM_GRACE_MS = 30_000;

/** Configuration the service cannot run with; `problems` has one line per variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The variable that carries a dependency's URL: `orders-db` -> `ORDERS_DB_URL`. */
export function dependencyUrlVariable(dependency: string): string {
  return `${dependencyVariablePrefix(dependency)}_URL`;
}

/**
 * The variable that carries a backing service's connection URL: `db` -> `DB_URL`,
 * `order-store` -> `ORDER_STORE_URL`, another service's `orders.db` -> `ORDERS_DB_URL`
 * (the prefixes of infra/spec/backing-services.ts).
 */
export function backingServiceUrlVariable(resource: string): string {
  return `${resource.toUpperCase().replace(/[-.]/g, "_")}_URL`;
}

/** The URL schemes each type of backing service accepts, the first being the usual one. */
export const BACKING_SERVICE_SCHEMES: Readonly<Record<BackingServiceKind, readonly string[]>> = {
  postgres: ["postgresql:", "postgres:"],
  redis: ["redis:", "rediss:"],
  queue: ["amqp:", "amqps:"],
};

const EXAMPLE_URLS: Readonly<Record<BackingServiceKind, string>> = {
  postgres: "postgresql://user:password@host:5432/database",
  redis: "redis://:password@host:6379",
  queue: "amqp://user:password@host:5672",
};

/** Variables read by many modules: values are strings, absent is undefined. */
export type Variables = Readonly<Record<string, string | undefined>>;

/**
 * Reads a whole number from `variables[name]`, or `fallback` when it is unset; records a
 * problem (and returns the fallback) when it is not a whole number in [min, max].
 */
export function readInteger(
  variables: Variables,
  name: string,
  fallback: number,
  range: { min: number; max: number },
  problems: string[],
): number {
  const raw = variables[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < range.min || value > range.max) {
    problems.push(`${name}: must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return value;
}

/** Reads and checks the configuration; throws a `ConfigError` listing every problem. */
export function loadConfig(manifest: ServiceManifest, variables: Variables): ServiceConfig {
  const problems: string[] = [];

  const serviceName = variables[RUNTIME_VARIABLES.serviceName] || manifest.name;
  if (serviceName !== manifest.name) {
    problems.push(
      `SERVICE_NAME: must be ${JSON.stringify(manifest.name)}, the name in service.ts (got ${JSON.stringify(serviceName)})`,
    );
  }
  const port = readInteger(variables, RUNTIME_VARIABLES.port, manifest.port, { min: 0, max: 65535 }, problems);
  const environment = variables[RUNTIME_VARIABLES.environment] || "development";

  const logLevel = (variables[RUNTIME_VARIABLES.logLevel] || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(variables.LOG_LEVEL)})`);
  }

  const dependencyUrls: Record<string, URL> = {};
  for (const dependency of manifest.dependencies) {
    const name = dependencyUrlVariable(dependency);
    const raw = variables[name];
    if (!raw) {
      problems.push(
        `${name}: missing; the URL of the dependency "${dependency}", like http://${dependency}:8080 (the platform sets it from dependsOn in service.ts)`,
      );
      continue;
    }
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      problems.push(
        `${name}: must be an http:// or https:// URL, like http://${dependency}:8080 (got ${JSON.stringify(raw)})`,
      );
      continue;
    }
    dependencyUrls[dependency] = url;
  }

  const backingServiceUrls: Record<string, URL> = {};
  for (const { name: resource, declaration, owned } of connectedResources(manifest)) {
    const name = backingServiceUrlVariable(resource);
    const raw = variables[name];
    const example = EXAMPLE_URLS[declaration.type];
    if (!raw) {
      problems.push(
        `${name}: missing; the connection URL of the ${declaration.type} backing service "${resource}", like ${example} (the platform sets it from ${owned ? "backingServices" : "uses"} in service.ts)`,
      );
      continue;
    }
    // The value holds a password: a message names its scheme at most, never the value.
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    const schemes = BACKING_SERVICE_SCHEMES[declaration.type];
    if (!url || !schemes.includes(url.protocol)) {
      problems.push(
        `${name}: must be a ${schemes.map((s) => `${s}//`).join(" or ")} URL, like ${example} (got ${url ? `a ${url.protocol}// URL` : "a value that is not a URL"})`,
      );
      continue;
    }
    backingServiceUrls[resource] = url;
  }

  const dependencyTimeoutMs = readInteger(
    variables,
    RUNTIME_VARIABLES.dependencyTimeoutMs,
    RUNTIME_DEFAULTS.dependency.timeoutMs,
    { min: 1, max: 60_000 },
    problems,
  );
  const dependencies = Object.fromEntries(
    manifest.dependencies.map((d) => [d, readDependencySettings(variables, d, dependencyTimeoutMs, problems)]),
  );
  const loadShedding: LoadSheddingSettings = {
    maxEventLoopDelayMs: readInteger(
      variables,
      RUNTIME_VARIABLES.loadSheddingMaxEventLoopDelayMs,
      LOAD_SHEDDING_DEFAULTS.maxEventLoopDelayMs,
      { min: 0, max: 60_000 },
      problems,
    ),
    maxEventLoopUtilization: readRatio(
      variables,
      RUNTIME_VARIABLES.loadSheddingMaxEventLoopUtilization,
      LOAD_SHEDDING_DEFAULTS.maxEventLoopUtilization,
      problems,
    ),
    sampleIntervalMs: readInteger(
      variables,
      RUNTIME_VARIABLES.loadSheddingSampleIntervalMs,
      LOAD_SHEDDING_DEFAULTS.sampleIntervalMs,
      { min: 10, max: 60_000 },
      problems,
    ),
  };
  const drainMs = readInteger(
    variables,
    RUNTIME_VARIABLES.drainMs,
    5_000,
    { min: 0, max: PLATFORM_GRACE_MS },
    problems,
  );
  const shutdownTimeoutMs = readInteger(
    variables,
    RUNTIME_VARIABLES.shutdownTimeoutMs,
    RUNTIME_DEFAULTS.shutdownTimeoutMs,
    { min: 1, max: PLATFORM_GRACE_MS - 1 },
    problems,
  );
  const backingServiceCheckTimeoutMs = readInteger(
    variables,
    RUNTIME_VARIABLES.backingServiceCheckTimeoutMs,
    1_000,
    // Below the platform's probe timeout (3 s), so that a probe gets an answer, not a timeout.
    { min: 1, max: 2_500 },
    problems,
  );
  if (drainMs >= shutdownTimeoutMs) {
    problems.push(
      `SHUTDOWN_DRAIN_MS: must be below SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}), so that requests can finish after the drain (got ${drainMs})`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    serviceName,
    port,
    environment,
    logLevel,
    dependencyUrls,
    dependencyTimeoutMs,
    dependencies,
    loadShedding,
    backingServiceUrls,
    backingServiceCheckTimeoutMs,
    drainMs,
    shutdownTimeoutMs,
  };
}

/**
 * How one dependency is called: `<PREFIX>_TIMEOUT_MS` (else DEPENDENCY_TIMEOUT_MS),
 * `<PREFIX>_RETRY_ATTEMPTS`, `<PREFIX>_RETRY_METHODS` (idempotent methods, comma-separated),
 * `<PREFIX>_BREAKER_FAILURES`, `<PREFIX>_BREAKER_HALF_OPEN_MS`; the platform sets them from
 * `resilience` in service.ts.
 */
function readDependencySettings(
  variables: Variables,
  dependency: string,
  timeoutMs: number,
  problems: string[],
): DependencySettings {
  const prefix = dependencyVariablePrefix(dependency);
  const defaults = RUNTIME_DEFAULTS.dependency;
  /** `<PREFIX>_<suffix>`, a whole number in `range`, else `fallback` (with a problem when set). */
  const setting = (suffix: string, fallback: number, range: { min: number; max: number }) =>
    readInteger(variables, `${prefix}_${suffix}`, fallback, range, problems);
  return {
    timeoutMs: setting("TIMEOUT_MS", timeoutMs, { min: 1, max: 60_000 }),
    retryAttempts: setting("RETRY_ATTEMPTS", defaults.retryAttempts, { min: 0, max: 10 }),
    retryMethods: readRetryMethods(variables, `${prefix}_RETRY_METHODS`, problems),
    breakerFailures: setting("BREAKER_FAILURES", defaults.breakerFailures, { min: 1, max: 1_000 }),
    breakerHalfOpenAfterMs: setting("BREAKER_HALF_OPEN_MS", defaults.breakerHalfOpenAfterMs, { min: 1, max: 600_000 }),
  };
}

/**
 * A comma-separated list of idempotent methods; a POST or PATCH is refused (a retried
 * order may be placed twice). Unset gives the defaults; set but empty retries no method
 * (what the platform sets for `retries.methods: []`).
 */
function readRetryMethods(variables: Variables, name: string, problems: string[]): readonly string[] {
  const raw = variables[name];
  if (raw === undefined) return RUNTIME_DEFAULTS.dependency.retryMethods;
  if (raw.trim() === "") return [];
  const methods = raw.split(",").map((m) => m.trim().toUpperCase());
  const refused = methods.filter((m) => !(IDEMPOTENT_METHODS as readonly string[]).includes(m));
  if (refused.length > 0)
    problems.push(
      `${name}: ${refused.join(", ")} cannot be retried, only idempotent methods: ${IDEMPOTENT_METHODS.join(", ")} (got ${JSON.stringify(raw)})`,
    );
  return methods.filter((m) => !refused.includes(m));
}

/** A number from 0 to 1 in `variables[name]`, or `fallback` when unset. */
function readRatio(variables: Variables, name: string, fallback: number, problems: string[]): number {
  const raw = variables[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\s*(0(\.\d+)?|1(\.0+)?)\s*$/.test(raw) || value < 0 || value > 1) {
    problems.push(
      `${name}: must be a number from 0 to 1, like 0.98; 0 turns the check off (got ${JSON.stringify(raw)})`,
    );
    return fallback;
  }
  return value;
}
