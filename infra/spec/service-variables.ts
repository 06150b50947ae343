/**
 * Every environment variable a service gets from its spec, with the field that gives it,
 * in one place: per `dependsOn` entry its URL and call settings (`CATALOG_URL`,
 * `CATALOG_TIMEOUT_MS`, ...), per backing service its connection (`DB_URL`, ...), per
 * `uses` entry the other service's connection (`ORDERS_DB_URL`, ...), and the names the
 * spec sets itself (`env`, `environments.<env>.env`, `secrets`). Names are upper-cased and
 * '-' becomes '_', so two different names can make one variable (`orders` using
 * `orders.db` and a dependency `orders-db` both make `ORDERS_DB_URL`), and a name can
 * make a variable the runtime reads as its own setting (a dependency `shutdown` makes
 * `SHUTDOWN_TIMEOUT_MS`). Both would let one value overwrite another in silence: the
 * synth refuses them ({@link variableCollisions}).
 */
import { type BackingServiceType, connectionVariables, dataResourceName } from "./backing-services.js";
import {
  RESERVED_TRACING_VARIABLES,
  RESILIENCE_VARIABLE_SUFFIXES,
  dependencyUrlVariable,
  dependencyVariablePrefix,
  parseUsedBackingService,
} from "./resolve.js";
import { RUNTIME_VARIABLES } from "./runtime-defaults.js";

/** What kind of field gives a variable: a derived name (the first three) or a name the spec sets itself. */
export type VariableSourceKind = "dependency" | "backing service" | "uses" | "secret" | "env";

/** One variable of a service and the field of its service file that gives it. */
export interface VariableSource {
  readonly variable: string;
  readonly kind: VariableSourceKind;
  /** The field, like `["dependsOn", 1]` or `["backingServices", "db"]`. */
  readonly path: readonly (string | number)[];
  /** What the field gives: the dependency's name, the backing service's, the `uses` entry, or the variable itself. */
  readonly value: string;
}

/** The fields of a spec whose names become variables. */
export interface WithVariables {
  readonly dependsOn?: readonly string[];
  readonly backingServices?: Readonly<Record<string, { readonly type: BackingServiceType }>>;
  readonly uses?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, unknown>>;
  readonly environments?: Readonly<Record<string, { readonly env?: Readonly<Record<string, string>> }>>;
}

/** A variable two fields give, or one the runtime reads as its own: where, what was given, and why it is refused. */
export interface VariableCollision {
  readonly path: readonly (string | number)[];
  readonly value: string;
  readonly message: string;
}

/**
 * The variables the service runtime reads as its own settings: its configuration
 * ({@link RUNTIME_VARIABLES}) and the `OTEL_*` variables of its trace SDK that the
 * platform sets or reserves.
 */
export const RUNTIME_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(RUNTIME_VARIABLES),
  ...RESERVED_TRACING_VARIABLES,
]);
const RUNTIME_LISTED = [...RUNTIME_VARIABLE_NAMES].join(", ");

/**
 * Every variable the spec gives the service, in this order: dependencies, backing
 * services, secrets, env, each environment's env, then `uses` (only those `usedType`
 * knows: another service's backing service is known once every service file is read).
 * A name listed twice in `dependsOn` or `uses` gives its variables once.
 */
export function variableSources(
  spec: WithVariables,
  usedType?: (reference: string) => BackingServiceType | undefined,
): VariableSource[] {
  const sources: VariableSource[] = [];
  const add = (kind: VariableSourceKind, path: (string | number)[], value: string, variables: readonly string[]) => {
    for (const variable of variables) sources.push({ variable, kind, path, value });
  };
  const seen = new Set<string>();
  (spec.dependsOn ?? []).forEach((dependency, index) => {
    if (seen.has(dependency)) return;
    seen.add(dependency);
    const prefix = dependencyVariablePrefix(dependency);
    add("dependency", ["dependsOn", index], dependency, [
      dependencyUrlVariable(dependency),
      ...RESILIENCE_VARIABLE_SUFFIXES.map((suffix) => `${prefix}_${suffix}`),
    ]);
  });
  for (const [name, resource] of Object.entries(spec.backingServices ?? {}))
    add("backing service", ["backingServices", name], name, Object.values(connectionVariables(name, resource.type)));
  for (const key of Object.keys(spec.secrets ?? {})) add("secret", ["secrets", key], key, [key]);
  for (const key of Object.keys(spec.env ?? {})) add("env", ["env", key], key, [key]);
  for (const [environment, override] of Object.entries(spec.environments ?? {}))
    for (const key of Object.keys(override.env ?? {}))
      add("env", ["environments", environment, "env", key], key, [key]);
  if (usedType === undefined) return sources;
  seen.clear();
  (spec.uses ?? []).forEach((reference, index) => {
    const type = usedType(reference);
    if (type === undefined || seen.has(reference)) return;
    seen.add(reference);
    const { owner, name } = parseUsedBackingService(reference);
    add("uses", ["uses", index], reference, Object.values(connectionVariables(dataResourceName(owner, name), type)));
  });
  return sources;
}

const DERIVED: ReadonlySet<VariableSourceKind> = new Set(["dependency", "backing service", "uses"]);

/**
 * Every variable the runtime reads as its own that a name makes, and every variable two
 * fields give, reported at the later field (in the order of {@link variableSources}),
 * naming the earlier one. Left to `checkEnvAndSecrets` in service-spec.ts, which says it
 * in its own words: an env or secret key that a dependency or backing service makes, and
 * a secret also in `env`. An env key in `env` and an environment's `env` is an override,
 * not a clash.
 */
export function variableCollisions(
  spec: WithVariables,
  usedType?: (reference: string) => BackingServiceType | undefined,
): VariableCollision[] {
  const collisions = new Map<string, { at: VariableSource; variables: string[]; why: (listed: string) => string }>();
  const collide = (at: VariableSource, key: string, why: (listed: string) => string) => {
    const entry = collisions.get(key) ?? { at, variables: [], why };
    entry.variables.push(at.variable);
    collisions.set(key, entry);
  };
  const first = new Map<string, VariableSource>();
  for (const source of variableSources(spec, usedType)) {
    const field = fieldOf(source.path);
    if (DERIVED.has(source.kind) && RUNTIME_VARIABLE_NAMES.has(source.variable))
      collide(source, field, (listed) => runtimeMessage(source, listed));
    const earlier = first.get(source.variable);
    if (earlier === undefined) {
      first.set(source.variable, source);
      continue;
    }
    if (!reportedHere(earlier, source)) continue;
    collide(source, `${field}\u0000${fieldOf(earlier.path)}`, (listed) => clashMessage(source, earlier, listed));
  }
  return [...collisions.values()].map(({ at, variables, why }) => ({
    path: at.path,
    value: at.value,
    message: why(variables.join(", ")),
  }));
}

/** Whether a clash of `later` with `earlier` is reported here (not by `checkEnvAndSecrets`, not an override). */
function reportedHere(earlier: VariableSource, later: VariableSource): boolean {
  if (later.kind === "uses" || DERIVED.has(later.kind)) return true;
  // An env or secret key: checkEnvAndSecrets refuses it when a dependency or backing service makes it.
  if (DERIVED.has(earlier.kind)) return false;
  // A secret also in the spec's own env: checkEnvAndSecrets says "is also set in env". In an environment's env, it is ours.
  return earlier.kind === "secret" && later.path[0] === "environments";
}

function fieldOf(path: readonly (string | number)[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`)).join("");
}

/** What `source` is, for messages: `the dependency 'catalog' (dependsOn[1])`. */
function describe(source: VariableSource): string {
  const field = fieldOf(source.path);
  if (source.kind === "env" || source.kind === "secret") return field;
  return `the ${source.kind === "uses" ? "backing service it uses" : source.kind} '${source.value}' (${field})`;
}

/** How to fix a derived name. */
function renameHint(source: VariableSource, alone = false): string {
  if (source.kind === "dependency") return "rename the service it calls";
  if (source.kind === "backing service") return "rename the backing service";
  if (source.kind === "uses")
    return alone
      ? "rename the backing service in its owner's file"
      : "rename one of them (a used backing service in its owner's file)";
  return "give each variable once";
}

function runtimeMessage(source: VariableSource, listed: string): string {
  return `gives the variable ${listed}, which the service runtime reads as its own setting; one value would overwrite the other. Accepted: a name none of whose variables is the runtime's (${RUNTIME_LISTED}); ${renameHint(source, true)}`;
}

function clashMessage(source: VariableSource, earlier: VariableSource, listed: string): string {
  const gives = (of: VariableSource) => (of.kind === "env" || of.kind === "secret" ? "sets" : "gives");
  return `${gives(source)} the variable ${listed}, which ${describe(earlier)} ${gives(earlier)} too; one value would overwrite the other. Accepted: names whose variables differ; ${renameHint(source)}`;
}
