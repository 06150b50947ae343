import { isAddonsStackName } from "../../infra/stack-names.js";
import { capacityCells, groupRisks, riskTotals, type RiskGroup } from "./analysis/index.js";
import { deploymentImageChange } from "./image-change.js";
import { escapeMarkdown } from "./markdown-escape.js";
import type {
  AttributeReport,
  CapacityReport,
  InfraDiffReport,
  ResourceReport,
  RiskKind,
  ServiceReport,
} from "./report.js";
import { PLATFORM_OWNER } from "./stack-snapshot.js";

/** GitHub refuses a comment longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Each part stays this far below the limit, for the part header. */
const PART_BUDGET = GITHUB_COMMENT_LIMIT - 1_000;
/** Attribute lines shown per resource before the rest is summed up. */
const ATTRIBUTES_PER_RESOURCE = 40;
/** Characters of a value shown before it is cut. */
const VALUE_WIDTH = 160;

/** The first line of every part: a workflow finds its comments by it. */
export const PART_MARKER = /^<!-- infra-diff part (\d+)\/(\d+) -->$/m;

/** What the environments' own resources (no service's) are called: they are listed apart from the services. */
const PLATFORM_WIDE = "platform-wide";
const PLATFORM_TITLE = "Platform-wide resources";

const ACTION_SYMBOL = { create: "+", update: "~", replace: "-/+", delete: "-" } as const;
const ACTION_WORDS = {
  create: "created",
  update: "updated in place",
  replace: "replaced",
  delete: "destroyed",
} as const;

interface Block {
  /** The section a block belongs to, to repeat its heading when a part starts in the middle of it. */
  readonly section: string;
  readonly text: string;
}

/**
 * The report as pull request comments: a summary table per environment, the risks,
 * the capacity, a Mermaid graph of the service-to-service edges that change, then one
 * collapsible section per service. Cut into parts that each stay under GitHub's
 * 65,536-character limit; every part starts with `<!-- infra-diff part i/n -->`.
 */
export function renderPullRequestComment(report: InfraDiffReport): string[] {
  const blocks: Block[] = [{ section: "", text: header(report) }];
  if (!report.changed) return finishParts([[blocks[0]!]]);

  blocks.push({ section: "", text: summaryTable(report) });
  if (report.risks.length > 0) {
    const groups = groupRisks(report.risks);
    blocks.push({ section: "Risks", text: `### Risks (${riskTotals(groups).brief})\n\n` });
    const tables: Block[] = [];
    const changeRows = new Map<RiskKind, RiskGroup[]>();
    for (const group of groups) {
      const capacity = group.risk.kind === "capacity" ? capacityOf(report, group.risk.environment) : undefined;
      if (capacity) tables.push({ section: "Risks", text: capacityTable(group, capacity) });
      else if (group.risk.change && TABLE_KINDS.has(group.risk.kind))
        changeRows.set(group.risk.kind, [...(changeRows.get(group.risk.kind) ?? []), group]);
      else blocks.push({ section: "Risks", text: riskLine(group) });
    }
    for (const [kind, rows] of changeRows) blocks.push({ section: "Risks", text: changeTable(kind, rows) });
    blocks.push(...tables);
  } else {
    blocks.push({
      section: "",
      text: "### Risks\n\nNone found: no data loss, breaking API change, destroy, replacement, security relaxation, network widening or capacity change.\n",
    });
  }
  if (report.edges.length > 0) blocks.push({ section: "", text: `\n${edgeGraph(report)}` });
  const services = report.services.filter((s) => s.name !== PLATFORM_OWNER);
  const platform = report.services.find((s) => s.name === PLATFORM_OWNER);
  if (services.length > 0) blocks.push({ section: "Services", text: "\n### Changes by service\n\n" });
  for (const service of services) blocks.push({ section: "Services", text: serviceDetails(service, report) });
  if (platform) {
    blocks.push({ section: "Platform", text: `\n### ${PLATFORM_TITLE}\n\n` });
    blocks.push({ section: "Platform", text: serviceDetails(platform, report, `${PLATFORM_WIDE} resources`) });
  }
  if (report.notes.length > 0)
    blocks.push({ section: "", text: `\n### Notes\n\n${report.notes.map((n) => `- ${prose(n)}`).join("\n")}\n` });
  return finishParts(pack(blocks));
}

function header(report: InfraDiffReport): string {
  const base = `${report.base.ref ? code(report.base.ref) : "base"}${report.base.commit ? ` (${prose(report.base.commit.slice(0, 12))})` : ""}`;
  const head = report.head.ref
    ? `${code(report.head.ref)}${report.head.commit ? ` (${prose(report.head.commit.slice(0, 12))})` : ""}`
    : "the working tree";
  const envs = Object.keys(report.summary.environments).map(prose);
  const compared = report.base.ref || report.base.commit ? `${base} → ${head}` : "Terraform plans";
  if (!report.changed)
    return `## Infrastructure diff\n\n${compared}: **no infrastructure change** in ${envs.join(", ") || "any environment"}.\n`;
  const totals = riskTotals(groupRisks(report.risks));
  const counted = `**${totals.counted}**${totals.across}`;
  const services = report.services.filter((s) => s.name !== PLATFORM_OWNER).length;
  const platform = report.services.some((s) => s.name === PLATFORM_OWNER) ? " · platform-wide resources change" : "";
  return `## Infrastructure diff\n\n${compared} · ${counted} · ${services} ${services === 1 ? "service" : "services"} change${platform}\n\n`;
}

function summaryTable(report: InfraDiffReport): string {
  const rows = Object.entries(report.summary.environments).map(
    ([env, c]) =>
      `| ${prose(env)}${c.source === "plan" ? " (plan)" : ""} | ${c.adds} | ${c.changes} | ${c.replacements} | ${c.destroys} |`,
  );
  const t = report.summary.total;
  return [
    "| environment | adds | changes | replacements | destroys |",
    "|---|---:|---:|---:|---:|",
    ...rows,
    `| **total** | ${t.adds} | ${t.changes} | ${t.replacements} | ${t.destroys} |`,
    "",
    "",
  ].join("\n");
}

function riskLine({ risk, environments }: RiskGroup): string {
  return `- ${riskTitle({ risk, environments })}: ${prose(risk.reason)}\n`;
}

/** `**kind** (code) · environments · service`: what every risk line starts with. */
function riskTitle({ risk, environments }: RiskGroup): string {
  const whose = risk.service ? code(risk.service) : risk.kind === "capacity" ? "all services" : PLATFORM_WIDE;
  const where = [environments.map(prose).join(", "), whose].join(" · ");
  return `**${prose(risk.kind)}** (${prose(risk.code)}) · ${where}`;
}

/** The kinds whose risks are a table of what changes, where, before and after. */
const TABLE_KINDS: ReadonlySet<RiskKind> = new Set(["security-relaxation", "network-widening"]);

/** The risks of one kind as a table: what, whose, where, before, after. */
function changeTable(kind: RiskKind, groups: readonly RiskGroup[]): string {
  const cell = (value: string) => prose(formatValue(value));
  return [
    "",
    `**${prose(kind)}** (${riskTotals(groups).brief})`,
    "",
    "| what | service | where | before | after |",
    "|---|---|---|---|---|",
    ...groups.map(({ risk, environments }) => {
      const change = risk.change!;
      const whose = risk.service ? prose(risk.service) : PLATFORM_WIDE;
      return `| ${prose(risk.code)}: ${cell(change.what)} | ${whose} | ${environments.map(prose).join(", ")} | ${cell(change.before)} | ${cell(change.after)} |`;
    }),
    "",
  ].join("\n");
}

function capacityOf(report: InfraDiffReport, environment: string | null): CapacityReport | undefined {
  return report.capacity.find((c) => c.environment === environment);
}

/** A capacity risk as a small table: cpu and memory, at min and max replicas, before -> after. */
function capacityTable(group: RiskGroup, capacity: CapacityReport): string {
  const cells = capacityCells(capacity);
  const what = capacity.basis === "request" ? "requested" : "limits (Docker has no requests)";
  return [
    "",
    `${riskTitle(group)}: ${what}`,
    "",
    "| | at min replicas | at max replicas |",
    "|---|---:|---:|",
    `| cpu | ${cells.cpu[0]} | ${cells.cpu[1]} |`,
    `| memory | ${cells.memory[0]} | ${cells.memory[1]} |`,
    "",
  ].join("\n");
}

function edgeGraph(report: InfraDiffReport): string {
  const ids = new Map<string, string>();
  const id = (name: string) => {
    if (!ids.has(name)) ids.set(name, `s${ids.size + 1}`);
    return ids.get(name)!;
  };
  // An edge is between services, which no add-ons stack holds.
  const allEnvs = Object.keys(report.summary.environments).filter((name) => !isAddonsStackName(name)).length;
  const lines = report.edges.map((edge) => {
    const label = `${edge.change}${edge.environments.length === allEnvs ? "" : ` in ${edge.environments.join(", ")}`}`;
    const arrow = edge.change === "added" ? "-->" : "-.->";
    return `  ${id(edge.from)} ${arrow}|${escapeMarkdown(label, "mermaid")}| ${id(edge.to)}`;
  });
  const nodes = [...ids].map(([name, nodeId]) => `  ${nodeId}["${escapeMarkdown(name, "mermaid")}"]`);
  return [
    "### Service-to-service edges that change",
    "",
    "```mermaid",
    "flowchart LR",
    ...nodes,
    ...lines,
    "```",
    "",
  ].join("\n");
}

function serviceDetails(service: ServiceReport, report: InfraDiffReport, title = service.name): string {
  const lines = [
    `<details><summary><b>${escapeMarkdown(title, "html")}</b>: ${escapeMarkdown(service.summary, "html")}</summary>`,
    "",
  ];
  const suppressions = report.risks.filter(
    (r) =>
      r.service === service.name &&
      r.environment === null &&
      r.kind !== "breaking-api-change" &&
      r.kind !== "deploy-order",
  );
  for (const risk of suppressions) lines.push(`- ${prose(risk.reason)} (every environment)`);
  if (suppressions.length > 0) lines.push("");
  if (service.apiChanges && service.apiChanges.length > 0) {
    lines.push("**API contract**", "");
    for (const change of service.apiChanges) lines.push(`- ${change.severity}: ${prose(change.description)}`);
    lines.push("");
  }
  for (const [env, resources] of Object.entries(service.environments)) {
    lines.push(`**${prose(env)}**`, "");
    for (const resource of resources) lines.push(...resourceLines(resource));
    lines.push("");
  }
  lines.push("</details>", "");
  return lines.join("\n");
}

function resourceLines(resource: ResourceReport): string[] {
  const name = resource.constructPath
    ? ` ${resource.constructPath.split("/").slice(3).join("/") || resource.constructPath}`
    : "";
  const lines = [
    `- \`${ACTION_SYMBOL[resource.action]}\` ${code(resource.address)}${prose(name)}: ${ACTION_WORDS[resource.action]}`,
  ];
  for (const reason of resource.replacementReasons) lines.push(`  - replaced because ${prose(reason)}`);
  const shown = resource.attributes.slice(0, ATTRIBUTES_PER_RESOURCE);
  for (const attribute of shown)
    lines.push(
      `  - ${resource.action === "create" ? createdAttributeLine(attribute) : attributeLine(attribute, resource.type)}`,
    );
  if (resource.attributes.length > shown.length)
    lines.push(`  - … ${resource.attributes.length - shown.length} more attributes (see \`--format json\`)`);
  return lines;
}

/**
 * A changed attribute: its value before and after. A Deployment's image whose digest
 * changes reads as versions with short digests, its repository named once:
 * `1.0.0 (no digest)` → `1.0.0 (sha256:0123456789ab)` (`registry.example.com/platform/orders`).
 */
function attributeLine(attribute: AttributeReport, resourceType: string): string {
  const image = attribute.unknownAfter ? undefined : deploymentImageChange(resourceType, attribute);
  if (image)
    return `${code(attribute.path)}: ${code(image.before)} → ${code(image.after)} (${code(image.repository)})${attribute.forcesReplacement ? " **forces replacement**" : ""}`;
  const after = attribute.unknownAfter
    ? "(known after apply)"
    : "after" in attribute
      ? code(formatValue(attribute.after))
      : "(removed)";
  const before = "before" in attribute ? code(formatValue(attribute.before)) : "(added)";
  return `${code(attribute.path)}: ${before} → ${after}${attribute.forcesReplacement ? " **forces replacement**" : ""}`;
}

/** An attribute of a created resource: its value, which is all there is to compare. */
function createdAttributeLine(attribute: AttributeReport): string {
  return `${code(attribute.path)}: ${"after" in attribute ? code(formatValue(attribute.after)) : "(known after apply)"}`;
}

/** A value as a reviewer reads it: strings bare, the rest as JSON, long ones cut. */
export function formatValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 1)}…` : text;
}

/** Blocks into parts under the budget; a part that starts inside a section repeats its heading. */
function pack(blocks: readonly Block[]): Block[][] {
  const parts: Block[][] = [[]];
  let size = 0;
  for (const original of blocks) {
    const block = original.text.length > PART_BUDGET ? { ...original, text: cut(original.text) } : original;
    const current = parts.at(-1)!;
    if (current.length > 0 && size + block.text.length > PART_BUDGET) {
      const continued =
        block.section && !block.text.trimStart().startsWith("###")
          ? [{ section: block.section, text: `### ${sectionTitle(block.section)} (continued)\n\n` }]
          : [];
      parts.push([...continued, block]);
      size = continued.reduce((n, b) => n + b.text.length, 0) + block.text.length;
    } else {
      current.push(block);
      size += block.text.length;
    }
  }
  return parts;
}

function sectionTitle(section: string): string {
  return section === "Services" ? "Changes by service" : section === "Platform" ? PLATFORM_TITLE : section;
}

/** A block too long for any comment: cut at a line, closing an open `<details>`. */
function cut(text: string): string {
  const keep = text.slice(0, PART_BUDGET - 500);
  const atLine = keep.slice(0, keep.lastIndexOf("\n"));
  const closing = atLine.includes("<details>") ? "\n\n</details>\n" : "\n";
  return `${atLine}\n- … cut here: ${text.length - atLine.length} more characters; see \`--format json\` or the job log for the rest${closing}`;
}

function finishParts(parts: Block[][]): string[] {
  const count = parts.length;
  return parts.map((blocks, index) => {
    const note =
      count > 1
        ? `_Part ${index + 1} of ${count}: this diff is longer than one GitHub comment (${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")} characters), so it is split into ${count} comments._\n\n`
        : "";
    const texts = blocks.map((b) => b.text);
    if (index === 0) texts.splice(1, 0, note);
    else texts.unshift(note);
    return `<!-- infra-diff part ${index + 1}/${count} -->\n${texts.join("")}`;
  });
}

/** A value as inline code. */
function code(value: string): string {
  return escapeMarkdown(value, "code");
}

/** A value as prose in a Markdown line. */
function prose(value: string): string {
  return escapeMarkdown(value, "text");
}
