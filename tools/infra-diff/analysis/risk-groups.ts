import type { Risk } from "../report.js";

/** A risk as shown to people: the same finding in several environments is listed once. */
export interface RiskGroup {
  readonly risk: Risk;
  /** The environments, or ["every environment"] for a spec-wide finding. */
  readonly environments: readonly string[];
}

/** Groups risks that differ only in their environment, keeping their order. */
export function groupRisks(risks: readonly Risk[]): RiskGroup[] {
  const groups = new Map<string, { risk: Risk; environments: string[] }>();
  for (const risk of risks) {
    const key = [risk.kind, risk.code, risk.service ?? "", risk.reason].join("|");
    const group = groups.get(key);
    const environment = risk.environment ?? "every environment";
    if (group) group.environments.push(environment);
    else groups.set(key, { risk, environments: [environment] });
  }
  return [...groups.values()];
}

/**
 * How many risks a reviewer reads (the groups), and how many the JSON lists (one per
 * environment); every renderer says both when they differ.
 */
export function riskTotals(risks: readonly Risk[]): { readonly shown: number; readonly listed: number } {
  return { shown: groupRisks(risks).length, listed: risks.length };
}

/** `12 risks (15 across environments)`, `1 risk`. */
export function describeRiskTotals(risks: readonly Risk[]): string {
  const { shown, listed } = riskTotals(risks);
  const counted = shown === 1 ? "1 risk" : `${shown} risks`;
  return shown === listed ? counted : `${counted} (${listed} across environments)`;
}
