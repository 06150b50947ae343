import type { Risk, RiskKind } from "../../report.js";
import type { EnvironmentAnalysis } from "../environment.js";

/**
 * One kind of risk, found in one environment's diff: one file per kind, listed in
 * `index.ts` in the order the report lists the kinds (the shape of the guardrail rules
 * in infra/guardrails/rules/).
 */
export interface RiskCheck {
  /** The kind of risk it finds. */
  readonly kind: RiskKind;
  /** What it looks for, in one line. */
  readonly checks: string;
  /** The risks of one environment. */
  check(environment: EnvironmentAnalysis): Risk[];
}
