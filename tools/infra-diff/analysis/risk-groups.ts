import type { Risk } from "../report.js";
import { EVERY_ENVIRONMENT } from "./summary.js";

/** A risk as shown to people: the same finding in several environments is listed once. */
export interface RiskGroup {
  readonly risk: Risk;
  /** The environments, or [EVERY_ENVIRONMENT] for a spec-wide finding. */
  readonly environments: readonly string[];
}

/** Groups risks that differ only in their environment, keeping their order. */
export function groupRisks(risks: readonly Risk[]): RiskGroup[] {
  const groups = new Map<string, { risk: Risk; environments: string[] }>();
  for (const risk of risks) {
    const key = [risk.kind, risk.code, risk.service ?? "", risk.reason].join("|");
    const group = groups.get(key);
    const environment = risk.environment ?? EVERY_ENVIRONMENT;
    if (group) group.environments.push(environment);
    else groups.set(key, { risk, environments: [environment] });
  }
  return [...groups.values()];
}

/**
 * How many risks a reviewer reads (the groups) and how many the JSON lists (one per
 * environment), in the words every renderer uses: both when they differ.
 */
export interface RiskTotals {
  /** `12 risks`, `1 risk`. */
  readonly counted: string;
  /** What follows `counted`: ` (15 across environments)`, or "" when the counts are the same. */
  readonly across: string;
  /** A heading's count: `12; 15 across environments`, or `12`. */
  readonly brief: string;
}

/** The totals of risk groups (all of a report's, or one kind's). */
export function riskTotals(groups: readonly RiskGroup[]): RiskTotals {
  const shown = groups.length;
  const listed = groups.reduce((n, group) => n + group.environments.length, 0);
  const acrossEnvironments = shown === listed ? "" : `${listed} across environments`;
  return {
    counted: shown === 1 ? "1 risk" : `${shown} risks`,
    across: acrossEnvironments === "" ? "" : ` (${acrossEnvironments})`,
    brief: acrossEnvironments === "" ? `${shown}` : `${shown}; ${acrossEnvironments}`,
  };
}
