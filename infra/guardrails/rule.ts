import type { SynthesizedResource, SynthesizedStack } from "./synthesized-stack.js";
import { show } from "./values.js";

/** `error` fails synth; `warning` is reported and does not. */
export type GuardrailLevel = "error" | "warning";

/** The environment a stack deploys, as the rules see it. */
export interface RuleEnvironment {
  readonly name: string;
  readonly target: "kubernetes" | "docker";
  /** Kubernetes namespace, or the name prefix of Docker resources. */
  readonly namespace: string;
  /** Production rules apply (K8S-15: at least two replicas). */
  readonly production: boolean;
  /** Several people deploy it, so its state must be locked (TF-01). */
  readonly shared: boolean;
  /** Services published outside the environment (`expose: { public }`), DKR-10. */
  readonly publicServices: ReadonlySet<string>;
}

/** What a rule sees besides the resource: the environment and the whole stack. */
export interface RuleContext {
  readonly environment: RuleEnvironment;
  readonly stack: SynthesizedStack;
}

/** One thing wrong: what, and how to fix it. */
export interface Problem {
  readonly message: string;
  readonly fix: string;
  /**
   * The rule cannot decide at synth: a value it needs is computed by Terraform at plan
   * time, or is a fact synth cannot see (what a pulled image contains). Reported as a
   * warning whatever the rule's level, never passed silently.
   */
  readonly unverifiable?: boolean;
}

/** The result of one rule on one resource (or on the stack). */
export type RuleOutcome =
  | { readonly status: "compliant" }
  | { readonly status: "not-applicable" }
  | { readonly status: "non-compliant"; readonly problems: readonly Problem[] };

/** The rule checks this resource and finds nothing wrong. */
export const COMPLIANT: RuleOutcome = { status: "compliant" };
/** The rule does not apply to this resource (for example K8S-15 outside production). */
export const NOT_APPLICABLE: RuleOutcome = { status: "not-applicable" };

interface RuleBase {
  /** Like `K8S-04`; the id a suppression names. */
  readonly id: string;
  readonly level: GuardrailLevel;
  /** What it checks, in one line (the README's rule table). */
  readonly checks: string;
  /** Who defines the same check (GUARDRAILS.md's "anchor" column). */
  readonly anchor: string;
  /** What the provider cannot express, so the rule cannot check it (the README lists these). */
  readonly gap?: string;
}

/** A rule over each resource of some types; it may look at the rest of the stack. */
export interface ResourceRule extends RuleBase {
  readonly scope: "resource";
  /** Whether it inspects resources of this Terraform type; others are never passed to `check`. */
  appliesTo(type: string): boolean;
  check(resource: SynthesizedResource, context: RuleContext): RuleOutcome;
}

/** A rule over the stack's `terraform` block (backend, required providers). */
export interface StackRule extends RuleBase {
  readonly scope: "stack";
  check(context: RuleContext): RuleOutcome;
}

/** A guardrail rule. */
export type GuardrailRule = ResourceRule | StackRule;

/**
 * Collects a rule's problems while it walks a resource, and turns them into an outcome:
 * compliant when there are none.
 */
export class Problems {
  private readonly found: Problem[] = [];

  /** Records something wrong. */
  add(message: string, fix: string): this {
    this.found.push({ message, fix });
    return this;
  }

  /** Records a value the rule needs that Terraform only knows at plan time. */
  unresolved(field: string, value: unknown, fix: string): this {
    return this.unverifiable(`${field} is computed by Terraform (${show(value)}) and cannot be checked at synth`, fix);
  }

  /** Records something the rule cannot decide at synth (reported as a warning). */
  unverifiable(message: string, fix: string): this {
    this.found.push({ message, fix, unverifiable: true });
    return this;
  }

  get size(): number {
    return this.found.length;
  }

  outcome(): RuleOutcome {
    return this.found.length === 0 ? COMPLIANT : { status: "non-compliant", problems: [...this.found] };
  }
}

/** An `appliesTo` for a fixed list of resource types. */
export function ofTypes(...lists: ReadonlyArray<readonly string[]>): (type: string) => boolean {
  const types = new Set(lists.flat());
  return (type) => types.has(type);
}

/**
 * `value` and every object and list it holds, frozen (functions are code, not data, and
 * stay as they are): a rule pack is fixed once it is made.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
