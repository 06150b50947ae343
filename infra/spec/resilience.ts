import { z } from "zod";
import { acceptedNames } from "./closest-name.js";
import { IDEMPOTENT_METHODS, RUNTIME_DEFAULTS } from "./runtime-defaults.js";

/**
 * `resilience` in service.ts: how the service calls each of its dependencies, by the
 * dependency's name (a `dependsOn` entry). Every field has a safe default
 * (`RUNTIME_DEFAULTS.dependency`, which the runtime reads too); the platform passes the
 * resolved settings as `<DEPENDENCY>_*` variables (`dependencyResilienceVariables` in resolve.ts).
 */

/** The longest timeout the runtime accepts (its `<DEPENDENCY>_TIMEOUT_MS` range). */
export const MAX_DEPENDENCY_TIMEOUT_MS = 60_000;
/** The most retries after a first attempt. */
export const MAX_RETRY_ATTEMPTS = 10;
/** The most attempts in a row without an answer that a breaker waits for. */
export const MAX_BREAKER_FAILURES = 1_000;
/** The longest an open breaker waits before a trial call. */
export const MAX_HALF_OPEN_AFTER_MS = 600_000;

const IDEMPOTENT_LISTED = IDEMPOTENT_METHODS.join(", ");

const wholeNumber = (min: number, max: number, unit: string) => {
  const accepted = `must be a whole number of ${unit} from ${min} to ${max}`;
  return z.number({ error: accepted }).int(accepted).min(min, accepted).max(max, accepted);
};

const retryMethod = z.string({ error: `must be an HTTP method: ${IDEMPOTENT_LISTED}` }).superRefine((method, ctx) => {
  if ((IDEMPOTENT_METHODS as readonly string[]).includes(method)) return;
  ctx.addIssue({
    code: "custom",
    input: method,
    message:
      method === "POST" || method === "PATCH"
        ? `is not idempotent: a retried ${method} may do its work twice (an order placed twice); accepted: ${IDEMPOTENT_LISTED}`
        : `must be an idempotent HTTP method, in capitals${acceptedNames(method, IDEMPOTENT_METHODS)}`,
  });
});

/** The settings of the calls to one dependency. */
export const dependencyResilienceSchema = z.strictObject({
  /**
   * The whole call, retries included, in milliseconds.
   * @default 2000
   */
  timeoutMs: wholeNumber(1, MAX_DEPENDENCY_TIMEOUT_MS, "milliseconds").optional(),
  /** Retries of a call that got no answer. @default 2 attempts more, for the idempotent methods */
  retries: z
    .strictObject({
      /** Attempts after the first; 0 retries nothing. @default 2 */
      attempts: wholeNumber(0, MAX_RETRY_ATTEMPTS, "retries").optional(),
      /** The methods retried, idempotent ones only. @default GET, HEAD, PUT, DELETE, OPTIONS */
      methods: z.array(retryMethod, { error: `must list HTTP methods, like ["GET"]` }).optional(),
    })
    .optional(),
  /** The circuit breaker. @default opens after 5 attempts in a row without an answer, tries again after 10 s */
  breaker: z
    .strictObject({
      consecutiveFailures: wholeNumber(1, MAX_BREAKER_FAILURES, "attempts").optional(),
      halfOpenAfterMs: wholeNumber(1, MAX_HALF_OPEN_AFTER_MS, "milliseconds").optional(),
    })
    .optional(),
});

/** What a spec gives as `resilience`. */
export type ResilienceInput = z.output<typeof dependencyResilienceSchema>;

/** The fields of a spec that `checkResilience` reads. */
interface WithResilience {
  readonly dependsOn?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly environments?: Readonly<Record<string, { readonly env?: Readonly<Record<string, string>> }>>;
  readonly resilience?: Readonly<Record<string, ResilienceInput>>;
}

/**
 * Each dependency in `resilience` is one the spec `dependsOn`, and each timeout leaves
 * the service's shutdown time to spare: a call that outlives `SHUTDOWN_TIMEOUT_MS` (the
 * runtime's default, or the spec's `env`, in any environment) is cut at shutdown.
 */
export function checkResilience(spec: WithResilience, ctx: z.RefinementCtx): void {
  const dependencies = [...new Set(spec.dependsOn ?? [])];
  for (const [dependency, settings] of Object.entries(spec.resilience ?? {})) {
    if (!dependencies.includes(dependency)) {
      ctx.addIssue({
        code: "custom",
        path: ["resilience", dependency],
        input: dependency,
        message: `is not in dependsOn${acceptedNames(dependency, dependencies, "dependsOn")}`,
      });
      continue;
    }
    if (settings.timeoutMs === undefined) continue;
    const budget = shutdownBudget(spec);
    if (settings.timeoutMs >= budget.ms)
      ctx.addIssue({
        code: "custom",
        path: ["resilience", dependency, "timeoutMs"],
        input: settings.timeoutMs,
        message: `must be below the service's shutdown budget, ${budget.ms} ms (${budget.from}): a call that outlives it is cut at shutdown; accepted: 1 to ${budget.ms - 1}`,
      });
  }
}

/** The shortest SHUTDOWN_TIMEOUT_MS the service runs with, and where it comes from. */
function shutdownBudget(spec: WithResilience): { ms: number; from: string } {
  let budget: { ms: number; from: string } = {
    ms: RUNTIME_DEFAULTS.shutdownTimeoutMs,
    from: "the runtime's SHUTDOWN_TIMEOUT_MS default",
  };
  const consider = (env: Readonly<Record<string, string>> | undefined, from: string) => {
    const raw = env?.SHUTDOWN_TIMEOUT_MS;
    if (raw === undefined || !/^\d+$/.test(raw)) return;
    if (Number(raw) < budget.ms) budget = { ms: Number(raw), from };
  };
  consider(spec.env, "env.SHUTDOWN_TIMEOUT_MS");
  for (const [name, override] of Object.entries(spec.environments ?? {}))
    consider(override.env, `environments.${name}.env.SHUTDOWN_TIMEOUT_MS`);
  return budget;
}
