import { isBlocking, type Finding } from "./evaluate.js";

/** How a finding's service is shown when it belongs to the environment itself. */
const PLATFORM_LABEL = "(platform)";

/**
 * One finding on one line: rule id, level, environment, service, resource address,
 * what is wrong and the fix. The format of synth's output and of the annotations.
 */
export function formatFinding(finding: Finding): string {
  return `${finding.rule} ${finding.level} ${finding.environment} ${finding.service ?? PLATFORM_LABEL} ${finding.resource}: ${finding.message}; fix: ${finding.fix}`;
}

/** Counts of one environment's findings. */
export interface FindingCounts {
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
}

/** Errors and warnings that count (not suppressed), and the suppressed ones. */
export function countFindings(findings: readonly Finding[]): FindingCounts {
  return {
    errors: findings.filter(isBlocking).length,
    warnings: findings.filter((f) => f.level === "warning" && !f.suppressed).length,
    suppressed: findings.filter((f) => f.suppressed).length,
  };
}

/**
 * The summary table printed at the end of synth: one row per environment (its own
 * findings) and, when there are any, one for the suppression problems.
 */
export function renderSummary(
  rows: ReadonlyArray<{ readonly label: string; readonly findings: readonly Finding[] }>,
  ruleCount: number,
): string {
  const header = [`guardrails (${ruleCount} rules)`, "errors", "warnings", "suppressed"];
  const lines = rows.map(({ label, findings }) => {
    const counts = countFindings(findings);
    return [label, String(counts.errors), String(counts.warnings), String(counts.suppressed)];
  });
  const widths = header.map((cell, column) => Math.max(cell.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join("  ");
  return [render(header), ...lines.map(render)].join("\n");
}

/** The JSON report of one environment (`cdktf.out/guardrails/<env>.json`). */
export function renderReport(environment: string, findings: readonly Finding[], ruleCount: number): string {
  const report = {
    environment,
    rules: ruleCount,
    ...countFindings(findings),
    findings: findings.map((f) => ({
      rule: f.rule,
      level: f.level,
      environment: f.environment,
      service: f.service ?? null,
      resource: f.resource,
      message: f.message,
      fix: f.fix,
      suppressed: f.suppressed,
      reason: f.reason ?? null,
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
