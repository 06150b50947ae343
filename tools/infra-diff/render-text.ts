import { deploymentImageChange } from "./image-change.js";
import { capacityCells, groupRisks, riskTotals } from "./analysis/index.js";
import { showControlCharacters } from "./markdown-escape.js";
import { formatValue } from "./render-markdown.js";
import type { CapacityReport, InfraDiffReport, ServiceReport } from "./report.js";
import { PLATFORM_OWNER } from "./stack-snapshot.js";

const ACTION_SYMBOL = { create: "+", update: "~", replace: "-/+", delete: "-" } as const;

/**
 * The report as plain text for a terminal: the same sections as the Markdown, without
 * markup. Each line is one line whatever a value holds: a line break or an escape
 * sequence in a value (an env value, a reason) is shown, not acted on, so it can neither
 * forge a line in a CI log nor rewrite the terminal.
 */
export function renderText(report: InfraDiffReport): string {
  const base = report.base.ref
    ? `${report.base.ref}${report.base.commit ? ` (${report.base.commit.slice(0, 12)})` : ""}`
    : "plans";
  const head = report.head.ref
    ? `${report.head.ref}${report.head.commit ? ` (${report.head.commit.slice(0, 12)})` : ""}`
    : "working tree";
  const lines = [
    report.base.ref || report.base.commit
      ? `Infrastructure diff: ${base} -> ${head}`
      : "Infrastructure diff from Terraform plans",
  ];
  if (!report.changed) {
    lines.push(
      `No infrastructure change in ${Object.keys(report.summary.environments).join(", ") || "any environment"}.`,
    );
    return `${lines.map(showControlCharacters).join("\n")}\n`;
  }
  lines.push("");
  for (const [env, c] of Object.entries(report.summary.environments)) {
    lines.push(
      `${env}${c.source === "plan" ? " (plan)" : ""}: ${c.adds} to add, ${c.changes} to change, ${c.replacements} to replace, ${c.destroys} to destroy`,
    );
  }
  const groups = groupRisks(report.risks);
  lines.push("", groups.length > 0 ? `Risks (${riskTotals(groups).brief}):` : "Risks: none found.");
  for (const { risk, environments } of groups) {
    const whose = risk.service ?? (risk.kind === "capacity" ? "all services" : "platform-wide");
    const title = `  [${risk.kind}] ${environments.join(", ")} · ${whose}`;
    const capacity =
      risk.kind === "capacity" ? report.capacity.find((c) => c.environment === risk.environment) : undefined;
    if (capacity)
      lines.push(`${title}: ${capacity.basis === "request" ? "requested" : "limits"}`, ...capacityRows(capacity));
    else lines.push(`${title}: ${risk.reason}`);
  }
  if (report.edges.length > 0) {
    lines.push("", "Service-to-service edges:");
    for (const e of report.edges)
      lines.push(`  ${e.change === "added" ? "+" : "-"} ${e.from} -> ${e.to} (${e.environments.join(", ")})`);
  }
  const services = report.services.filter((s) => s.name !== PLATFORM_OWNER);
  const platform = report.services.filter((s) => s.name === PLATFORM_OWNER);
  for (const [heading, list] of [
    ["Services:", services],
    ["Platform-wide resources:", platform],
  ] as const) {
    if (list.length > 0) lines.push("", heading);
    for (const service of list) serviceLines(service, lines);
  }
  if (report.notes.length > 0) lines.push("", "Notes:", ...report.notes.map((n) => `  ${n}`));
  return `${lines.map(showControlCharacters).join("\n")}\n`;
}

/** A capacity risk as three aligned rows: the header, cpu and memory, at min and max replicas. */
function capacityRows(capacity: CapacityReport): string[] {
  const cells = capacityCells(capacity);
  const rows = [
    ["", "at min replicas", "at max replicas"],
    ["cpu", ...cells.cpu],
    ["memory", ...cells.memory],
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `      ${row.map((cell, column) => cell.padEnd(widths[column]!)).join("   ")}`.trimEnd());
}

function serviceLines(service: ServiceReport, lines: string[]): void {
  lines.push(`  ${service.name === PLATFORM_OWNER ? "platform-wide resources" : service.name}: ${service.summary}`);
  if (service.apiChanges && service.apiChanges.length > 0) {
    lines.push("    API contract:");
    for (const change of service.apiChanges) lines.push(`      ${change.severity}: ${change.description}`);
  }
  for (const [env, resources] of Object.entries(service.environments)) {
    lines.push(`    ${env}:`);
    for (const r of resources) {
      lines.push(`      ${ACTION_SYMBOL[r.action]} ${r.address}`);
      for (const reason of r.replacementReasons) lines.push(`          replaced because ${reason}`);
      for (const a of r.attributes) {
        if (r.action === "create") {
          lines.push(`          ${a.path}: ${"after" in a ? formatValue(a.after) : "(known after apply)"}`);
          continue;
        }
        const image = a.unknownAfter ? undefined : deploymentImageChange(r.type, a);
        if (image) {
          lines.push(
            `          ${a.path}: ${image.before} -> ${image.after} (${image.repository})${a.forcesReplacement ? "  [forces replacement]" : ""}`,
          );
          continue;
        }
        const before = "before" in a ? formatValue(a.before) : "(added)";
        const after = a.unknownAfter ? "(known after apply)" : "after" in a ? formatValue(a.after) : "(removed)";
        lines.push(`          ${a.path}: ${before} -> ${after}${a.forcesReplacement ? "  [forces replacement]" : ""}`);
      }
    }
  }
}
