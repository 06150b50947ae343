/** The guardrail rule pack: security and reliability checks run at every synth. */
export { GuardrailsCheck, type GuardrailsCheckProps } from "./guardrails-check.js";
export { GuardrailsRun, ALL_ENVIRONMENTS, SUPPRESSION_FINDING_RULE, type StackCheck } from "./guardrails-run.js";
export {
  applySuppressions,
  checkStackJson,
  evaluateStack,
  isBlocking,
  TERRAFORM_BLOCK_ADDRESS,
  type Finding,
} from "./evaluate.js";
export { countFindings, formatFinding, renderReport, renderSummary, type FindingCounts } from "./report.js";
export { ruleEnvironmentOf, ruleEnvironmentWith, suppressionsOf } from "./rule-environment.js";
export { SynthesizedStack, type StackJson, type SynthesizedResource } from "./synthesized-stack.js";
export { GUARDRAIL_RULES, PLATFORM_PACK } from "./rules/index.js";
export { definePack, rulesOfPacks, GuardrailPackError, type GuardrailPack } from "./pack.js";
export { COMPLIANT, NOT_APPLICABLE, Problems, ofTypes } from "./rule.js";
export { block, blockAt, blocks, isUnresolved, show } from "./values.js";
export type {
  GuardrailLevel,
  GuardrailRule,
  Problem,
  ResourceRule,
  RuleContext,
  RuleEnvironment,
  RuleOutcome,
  StackRule,
} from "./rule.js";
