import type { GuardrailExceptions } from "../guardrail-exceptions.js";
import type { EnvironmentDiff, ResourceChange } from "../resource-changes.js";
import { capacityOf, factsOfStack, type ServiceFacts } from "../service-facts.js";
import { PLATFORM_OWNER, type StackSnapshot } from "../stack-snapshot.js";
import { groupBy, setsEqual } from "./collections.js";
import { newGuardrailFindings, type NewFindings } from "./new-findings.js";

/**
 * One environment's diff, read once for every section of the analysis: the facts of
 * each owner (service or platform) on both sides, the changes by owner, and which
 * owners change at all.
 */
export interface EnvironmentAnalysis {
  readonly environment: string;
  readonly diff: EnvironmentDiff;
  readonly factsBefore: ReadonlyMap<string, ServiceFacts>;
  readonly factsAfter: ReadonlyMap<string, ServiceFacts>;
  /** Owners with a changed resource or changed facts. */
  readonly owners: ReadonlySet<string>;
  /** The changes of one owner ([] when none). */
  changesOf(owner: string): readonly ResourceChange[];
  /** Whether the owner had a resource before (the platform always has). */
  existed(owner: string): boolean;
  /** Whether the owner has a resource after (the platform always has). */
  exists(owner: string): boolean;
  /**
   * The reason the head gives for suppressing a rule for a service in this environment
   * (its guardrail report, else its spec); undefined when it does not suppress it.
   */
  suppressionOf(service: string | null, rule: string): string | undefined;
  /** The guardrail findings new in the head; undefined when a side's findings are not known. */
  readonly newFindings: readonly NewFindings[] | undefined;
}

/** Reads one environment's diff for the analysis, with the head's guardrail exceptions when known. */
export function analyseEnvironment(diff: EnvironmentDiff, head?: GuardrailExceptions): EnvironmentAnalysis {
  const factsBefore = factsOfStack(diff.before);
  const factsAfter = factsOfStack(diff.after);
  const changesByOwner = groupBy(diff.changes, (c) => c.owner);
  const ownersBefore = resourceOwners(diff.before);
  const ownersAfter = resourceOwners(diff.after);
  const owners = new Set(changesByOwner.keys());
  for (const owner of new Set([...factsBefore.keys(), ...factsAfter.keys()])) {
    if (factsDiffer(factsBefore.get(owner), factsAfter.get(owner))) owners.add(owner);
  }
  const suppressionOf = (service: string | null, rule: string): string | undefined => {
    if (service === null || head === undefined) return undefined;
    const reported = head.findings
      .get(diff.environment)
      ?.find((f) => f.suppressed && f.rule === rule && f.service === service);
    if (reported) return reported.reason ?? "no reason given";
    return head.suppressions.get(service)?.get(rule);
  };
  return {
    environment: diff.environment,
    diff,
    factsBefore,
    factsAfter,
    owners,
    changesOf: (owner) => changesByOwner.get(owner) ?? [],
    existed: (owner) => owner === PLATFORM_OWNER || ownersBefore.has(owner),
    exists: (owner) => owner === PLATFORM_OWNER || ownersAfter.has(owner),
    suppressionOf,
    newFindings: newGuardrailFindings(diff.guardrailFindings, suppressionOf),
  };
}

/** The service a risk of this owner is about: null for the platform's own resources. */
export function serviceOfOwner(owner: string): string | null {
  return owner === PLATFORM_OWNER ? null : owner;
}

/** The owners of at least one resource of a stack. */
function resourceOwners(stack: StackSnapshot): Set<string> {
  const owners = new Set<string>();
  for (const block of stack.blocks.values()) if (block.kind === "resource") owners.add(block.owner);
  return owners;
}

function factsDiffer(a: ServiceFacts | undefined, b: ServiceFacts | undefined): boolean {
  if (!a || !b) return a !== b;
  const capacityKey = (f: ServiceFacts) => JSON.stringify(capacityOf(f) ?? null);
  return (
    !setsEqual(a.images, b.images) ||
    !setsEqual(a.calls, b.calls) ||
    !setsEqual(a.calledBy, b.calledBy) ||
    !setsEqual(a.inbound, b.inbound) ||
    !setsEqual(a.endpoints, b.endpoints) ||
    JSON.stringify([...a.egress].map(([d, p]) => [d, [...p]])) !==
      JSON.stringify([...b.egress].map(([d, p]) => [d, [...p]])) ||
    capacityKey(a) !== capacityKey(b)
  );
}
