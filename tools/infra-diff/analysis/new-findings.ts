import type { Finding } from "../../../infra/guardrails/evaluate.js";
import type { GuardrailFindingsPair } from "../resource-changes.js";

/** Findings of one rule for one service with one message, new in the head, on one or more resources. */
export interface NewFindings {
  readonly service: string | null;
  readonly rule: string;
  readonly level: Finding["level"];
  readonly message: string;
  readonly resources: readonly string[];
  /** The head's reason when the service suppresses the rule; undefined when nothing suppresses it. */
  readonly suppression?: string;
  /**
   * Every one of the resources failed the rule in the base already, saying something
   * else: the finding changed (better or worse: a rule's message does not say which), it
   * is not a new failure.
   */
  readonly failedBefore: boolean;
}

/**
 * The guardrail findings the head has and the base had not: the same rule, on the same
 * resource, saying the same thing. Whatever the rule checks, a new finding is something
 * made less safe (or a new resource that is not as safe as the rules want); a finding
 * both sides have is old news. Undefined when a side's findings are not known.
 */
export function newGuardrailFindings(
  findings: GuardrailFindingsPair | undefined,
  suppressionOf: (service: string | null, rule: string) => string | undefined,
): NewFindings[] | undefined {
  if (!findings) return undefined;
  const key = (f: Finding) => `${f.rule}\u0000${f.resource}\u0000${f.message}`;
  const ruleOnResource = (f: Finding) => `${f.rule}\u0000${f.resource}`;
  const before = new Set(findings.before.map(key));
  const failing = new Set(findings.before.map(ruleOnResource));
  const groups = new Map<string, { first: Finding; resources: string[]; failedBefore: boolean }>();
  for (const finding of findings.after) {
    if (before.has(key(finding))) continue;
    const failedBefore = failing.has(ruleOnResource(finding));
    const group = `${finding.service ?? ""}\u0000${finding.rule}\u0000${finding.message}\u0000${failedBefore}`;
    const known = groups.get(group);
    if (known) known.resources.push(finding.resource);
    else groups.set(group, { first: finding, resources: [finding.resource], failedBefore });
  }
  return [...groups.values()].map(({ first, resources, failedBefore }) => {
    const service = first.service ?? null;
    return {
      service,
      rule: first.rule,
      level: first.level,
      message: first.message,
      resources,
      suppression: suppressionOf(service, first.rule),
      failedBefore,
    };
  });
}
