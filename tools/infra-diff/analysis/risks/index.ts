/** The risk checks: one kind per file, listed here in the order the report lists the kinds. */
import { capacityRisks } from "./capacity.js";
import { dataLossRisks } from "./data-loss.js";
import { destroyRisks } from "./destroy.js";
import { networkWidening } from "./network-widening.js";
import { replacementRisks } from "./replacement.js";
import type { RiskCheck } from "./risk-check.js";
import { securityRelaxations } from "./security-relaxation.js";

export type { RiskCheck } from "./risk-check.js";

/** Every risk check, in the order of `RISK_KINDS`. */
export const RISK_CHECKS: readonly RiskCheck[] = Object.freeze([
  dataLossRisks,
  destroyRisks,
  replacementRisks,
  securityRelaxations,
  networkWidening,
  capacityRisks,
]);
