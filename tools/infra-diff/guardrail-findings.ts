import { addonsStackName } from "../../infra/addons/addon-names.js";
import { loadEnvironments, type Environment } from "../../infra/environments.js";
import { evaluateStack, type Finding } from "../../infra/guardrails/evaluate.js";
import { ruleEnvironmentWith } from "../../infra/guardrails/rule-environment.js";
import type { GuardrailRule } from "../../infra/guardrails/rule.js";
import { GUARDRAIL_RULES } from "../../infra/guardrails/rules/index.js";
import type { SynthesizedStack } from "../../infra/guardrails/synthesized-stack.js";
import type { StackSnapshot } from "./stack-snapshot.js";

/**
 * The platform's guardrail rules run on each side's synthesized stacks, the same rules
 * on both sides (this checkout's), before suppressions: a finding the head has and the
 * base had not, on the same resource, is a security relaxation, whatever the rule checks
 * (see analysis/risks/security-relaxation.ts). Findings of the team's own packs come from
 * the guardrail reports the synths wrote (guardrail-exceptions.ts).
 */

/** The ids of the rules the diff runs itself. */
export const DIFF_GUARDRAIL_RULE_IDS: ReadonlySet<string> = new Set(GUARDRAIL_RULES.map((rule) => rule.id));

/**
 * Each stack with its guardrail findings, for the environments this checkout defines (a
 * stack of another environment, which the rules cannot read, keeps none).
 */
export function withGuardrailFindings(
  stacks: ReadonlyMap<string, StackSnapshot>,
  rules: readonly GuardrailRule[] = GUARDRAIL_RULES,
  environments: readonly Environment[] = loadEnvironments(),
): Map<string, StackSnapshot> {
  const byName = new Map(environments.map((e) => [e.name, e]));
  // An add-ons stack is checked as its environment, under its own name, as synth checks it.
  const byAddonsStack = new Map(environments.map((e) => [addonsStackName(e.name), e]));
  const checked = new Map<string, StackSnapshot>();
  for (const [name, stack] of stacks) {
    const environment = byName.get(name);
    const addonsOf = environment ? undefined : byAddonsStack.get(name);
    const findings = !stack.synthesized
      ? undefined
      : environment
        ? evaluateStack(
            stack.synthesized,
            ruleEnvironmentWith(environment, publishingServices(stack.synthesized)),
            rules,
          )
        : addonsOf
          ? evaluateStack(stack.synthesized, { ...ruleEnvironmentWith(addonsOf, new Set()), name }, rules)
          : undefined;
    checked.set(name, findings ? { ...stack, findings } : stack);
  }
  return checked;
}

/**
 * The services that publish a port on Docker. The diff does not read the specs, so it
 * takes a published port as meant (guardrail DKR-10 then checks only how it is published);
 * a port that is new shows as a new public endpoint among the network risks.
 */
function publishingServices(stack: SynthesizedStack): Set<string> {
  const services = new Set<string>();
  for (const container of stack.ofType("docker_container"))
    if (container.service !== undefined && container.values.ports !== undefined) services.add(container.service);
  return services;
}

export type { Finding };
