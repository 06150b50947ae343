import { describe, expect, it } from "vitest";
import {
  GITHUB_COMMENT_LIMIT,
  PART_MARKER,
  renderPullRequestComment,
} from "../../../tools/infra-diff/render-markdown.js";
import type { InfraDiffReport, ResourceReport, Risk, ServiceReport } from "../../../tools/infra-diff/report.js";
import { HOSTILE, PLAIN, reportWith } from "./hostile-report.js";

/** A report with `services` services, each changing `attributes` attributes of `resources` Deployments per environment. */
function largeReport(services: number, attributes: number, resources = 1): InfraDiffReport {
  const environments = ["staging", "production"];
  const resource = (name: string, index: number): ResourceReport => ({
    address: `kubernetes_deployment_v1.kubernetes_${name}_workload_deployment-${index}_0123ABCD`,
    type: "kubernetes_deployment_v1",
    kind: "resource",
    constructPath: `staging/kubernetes/${name}/workload/deployment`,
    action: "update",
    replacementReasons: [],
    attributes: Array.from({ length: attributes }, (_, i) => ({
      path: `spec.template.spec.container.env[VARIABLE_${i}].value`,
      before: `old-value-${i}`,
      after: `new-value-${i}`,
      forcesReplacement: false,
      unknownAfter: false,
    })),
  });
  const list: ServiceReport[] = Array.from({ length: services }, (_, i) => {
    const name = `service-${String(i).padStart(3, "0")}`;
    return {
      name,
      summary: `image 1.0.${i} -> 1.1.${i}`,
      items: [`image 1.0.${i} -> 1.1.${i}`],
      environments: Object.fromEntries(
        environments.map((e) => [e, Array.from({ length: resources }, (_, r) => resource(name, r))]),
      ),
    };
  });
  const risks: Risk[] = list.map((s) => ({
    kind: "network-widening",
    code: "new-edge",
    environment: "staging",
    service: s.name,
    resources: [],
    reason: `${s.name} may now call payments`,
  }));
  return {
    schemaVersion: 1,
    base: { ref: "main", commit: "0123456789abcdef0123456789abcdef01234567" },
    head: { ref: null, commit: null },
    changed: true,
    summary: {
      total: { adds: 0, changes: services * 2, replacements: 0, destroys: 0 },
      environments: Object.fromEntries(
        environments.map((e) => [
          e,
          { adds: 0, changes: services, replacements: 0, destroys: 0, source: "synth" as const },
        ]),
      ),
    },
    risks,
    services: list,
    edges: [],
    capacity: [],
    notes: [],
  };
}

describe("renderPullRequestComment", () => {
  it("GIVEN a diff longer than one GitHub comment WHEN rendered THEN it is cut into numbered parts that each fit, and says so", () => {
    const report = largeReport(300, 12);
    const parts = renderPullRequestComment(report);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((part, index) => {
      expect(part.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
      expect(part.startsWith(`<!-- infra-diff part ${index + 1}/${parts.length} -->\n`)).toBe(true);
      expect(PART_MARKER.exec(part)?.slice(1)).toEqual([String(index + 1), String(parts.length)]);
      expect(part).toContain(
        `_Part ${index + 1} of ${parts.length}: this diff is longer than one GitHub comment (65,536 characters), so it is split into ${parts.length} comments._`,
      );
    });
    const all = parts.join("\n");
    for (const service of report.services)
      expect(all.split(`<details><summary><b>${service.name}</b>:`)).toHaveLength(2);
    expect(parts[0]).toContain("### Risks (300)");
    expect(parts.slice(1).some((p) => p.includes("### Changes by service (continued)"))).toBe(true);
  });

  it("GIVEN one service whose details alone exceed a comment WHEN rendered THEN its section is cut, closed, and points to the full output", () => {
    const parts = renderPullRequestComment(largeReport(1, 50, 100));
    for (const part of parts) expect(part.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const details = parts.join("\n");
    expect(details).toContain("  - … 10 more attributes (see `--format json`)");
    expect(details).toMatch(
      /- … cut here: \d+ more characters; see `--format json` or the job log for the rest\n\n<\/details>\n/,
    );
    expect(details.split("<details>")).toHaveLength(details.split("</details>").length);
  });

  it("GIVEN an edge added in every environment, compared beside the add-ons stacks WHEN rendered THEN its arrow says added, without a list (no service is in an add-ons stack); in some of them THEN it names them", () => {
    const stacks = ["local", "addons-staging", "staging", "addons-production", "production"];
    const base = largeReport(1, 0);
    const report = (environments: string[]): InfraDiffReport => ({
      ...base,
      summary: {
        ...base.summary,
        environments: Object.fromEntries(
          stacks.map((e) => [e, { adds: 0, changes: 0, replacements: 0, destroys: 0, source: "synth" as const }]),
        ),
      },
      edges: [{ from: "orders", to: "payments", change: "added", environments }],
    });
    expect(renderPullRequestComment(report(["local", "staging", "production"])).join("")).toContain("s1 -->|added| s2");
    expect(renderPullRequestComment(report(["staging", "production"])).join("")).toContain(
      "s1 -->|added in staging, production| s2",
    );
  });

  it("GIVEN no change WHEN rendered THEN one part says so", () => {
    const report = { ...largeReport(0, 0), changed: false, risks: [] };
    expect(renderPullRequestComment(report)).toEqual([
      "<!-- infra-diff part 1/1 -->\n## Infrastructure diff\n\n`main` (0123456789ab) → the working tree: **no infrastructure change** in staging, production.\n",
    ]);
  });
});

const EDGE = { what: "calls orders", before: "not allowed", after: "allowed" };

/** A report of two services and the platform's own resources, with one risk in two environments and a capacity change. */
function reviewReport(): InfraDiffReport {
  const risk = (environment: string, kind: Risk["kind"], code: string, service: string | null, reason: string) => ({
    kind,
    code,
    environment,
    service,
    resources: [],
    reason,
  });
  const service = (name: string, summary: string): ServiceReport => ({ name, summary, items: [], environments: {} });
  const totals = (cpuMillis: number, memoryMiB: number) => ({
    atMin: { cpuMillis, memoryMiB },
    atMax: { cpuMillis: cpuMillis * 4, memoryMiB: memoryMiB * 4 },
  });
  return {
    ...largeReport(0, 0),
    risks: [
      risk(
        "local",
        "replacement",
        "replacement",
        null,
        "monitoring/image (docker_image) is destroyed and created again",
      ),
      { ...risk("staging", "network-widening", "new-edge", "catalog", "catalog may now call orders"), change: EDGE },
      { ...risk("production", "network-widening", "new-edge", "catalog", "catalog may now call orders"), change: EDGE },
      risk("staging", "capacity", "capacity-increase", null, "requested cpu at min replicas ..."),
    ],
    services: [
      service("catalog", "every environment: new egress to orders"),
      service("orders", "every environment: new ingress from catalog"),
      service("platform", "local: image f08378915169 -> f4022b0612be"),
    ],
    capacity: [{ environment: "staging", basis: "request", before: totals(1200, 1536), after: totals(1400, 1792) }],
  };
}

describe("renderPullRequestComment of a diff a reviewer reads", () => {
  const [markdown] = renderPullRequestComment(reviewReport());

  it("GIVEN a risk in two environments WHEN rendered THEN the header and the heading count risks as shown, and say how many the JSON lists", () => {
    expect(markdown).toContain("· **3 risks** (4 across environments) ·");
    expect(markdown).toContain("### Risks (3; 4 across environments)\n");
  });

  it("GIVEN a network widening WHEN rendered THEN its kind is a table: what, whose, where, before and after", () => {
    expect(markdown).toContain(
      [
        "**network-widening** (1; 2 across environments)",
        "",
        "| what | service | where | before | after |",
        "|---|---|---|---|---|",
        "| new-edge: calls orders | catalog | staging, production | not allowed | allowed |",
      ].join("\n"),
    );
    expect(markdown).not.toContain("catalog may now call orders");
  });

  it("GIVEN the platform's own resources change WHEN rendered THEN only services are counted as services, and the platform's are listed apart", () => {
    expect(markdown).toContain("· 2 services change · platform-wide resources change\n");
    expect(markdown).toContain("- **replacement** (replacement) · local · platform-wide: monitoring/image");
    const services = markdown.slice(markdown.indexOf("### Changes by service"), markdown.indexOf("### Platform-wide"));
    expect(services).toContain("<b>orders</b>");
    expect(services).not.toContain("<b>platform");
    expect(markdown).toContain(
      "### Platform-wide resources\n\n<details><summary><b>platform-wide resources</b>: local: image f08378915169 -> f4022b0612be</summary>",
    );
  });

  it("GIVEN a capacity change WHEN rendered THEN it is a table of cpu and memory at min and max replicas, before -> after, instead of a line", () => {
    expect(markdown).toContain(
      [
        "**capacity** (capacity-increase) · staging · all services: requested",
        "",
        "| | at min replicas | at max replicas |",
        "|---|---:|---:|",
        "| cpu | 1.20 -> 1.40 cores (+0.20) | 4.80 -> 5.60 cores (+0.80) |",
        "| memory | 1536Mi -> 1792Mi (+256Mi) | 6Gi -> 7Gi (+1Gi) |",
      ].join("\n"),
    );
    expect(markdown).not.toContain("requested cpu at min replicas ...");
  });
});

/**
 * The characters of a Markdown line that GitHub reads as markup: what is left once the
 * code spans (a run of n backticks to the next run of exactly n) and the characters
 * escaped with a backslash are taken out, as CommonMark reads them.
 */
function liveMarkup(line: string): string {
  let live = "";
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\" && i + 1 < line.length) {
      i++;
      continue;
    }
    if (line[i] === "`") {
      const run = /^`+/.exec(line.slice(i))![0];
      const close = new RegExp(`(?<!\`)${run}(?!\`)`).exec(line.slice(i + run.length));
      if (close) {
        i += run.length + close.index + run.length - 1;
        continue;
      }
    }
    live += line[i];
  }
  return live;
}

describe("renderPullRequestComment with hostile values", () => {
  const [part, ...more] = renderPullRequestComment(reportWith(HOSTILE));
  const lines = part!.split("\n");
  const plainLines = renderPullRequestComment(reportWith(PLAIN))[0]!.split("\n");
  const [graphStart, graphEnd] = [lines.indexOf("```mermaid"), lines.indexOf("```", lines.indexOf("```mermaid"))];
  const mermaid = lines.slice(graphStart + 2, graphEnd);

  it("GIVEN a value with line breaks in every rendered field WHEN rendered THEN it starts no line: each line starts as with a plain value, and the part marker is the first line only", () => {
    expect(more).toEqual([]);
    expect(lines).toHaveLength(plainLines.length);
    lines.forEach((line, i) => {
      expect([i, line[0]]).toEqual([i, plainLines[i]![0]]);
    });
    expect([...part!.matchAll(new RegExp(PART_MARKER.source, "gm"))].map((m) => m.index)).toEqual([0]);
    expect(lines.filter((line) => line.startsWith("#"))).toEqual([
      "## Infrastructure diff",
      "### Risks (1; 2 across environments)",
      "### Service-to-service edges that change",
      "### Changes by service",
      "### Notes",
    ]);
  });

  it("THEN outside code spans it opens no HTML, comment, image, link or autolink, mentions no one and splits no table cell", () => {
    const markdownLines = lines.filter(
      (line, i) => i > 0 && (i < graphStart || i > graphEnd) && !line.startsWith("<details>") && line !== "</details>",
    );
    expect(markdownLines.length).toBeGreaterThan(10);
    for (const line of markdownLines) {
      const live = liveMarkup(line).replace(/<code>@[\w-]+<\/code>/g, "");
      expect(live).not.toMatch(/[<[\]`]|:\/\/|www\.|(^|\W)@\w/);
      if (line.startsWith("| ") && !line.startsWith("|---")) expect(live.split("|")).toHaveLength(7);
    }
  });

  it("THEN the <details> line, HTML where Markdown is not read, holds no tag but its own and no mention", () => {
    const summary = lines.find((line) => line.startsWith("<details>"))!;
    const own = summary
      .replace(/^<details><summary><b>/, "")
      .replace(/<\/summary>$/, "")
      .replace("</b>", "")
      .replace(/<code>@[\w-]+<\/code>/g, "");
    expect(own).not.toMatch(/<|:\/\/|www\.|(^|\W)@\w/);
  });

  it("THEN the Mermaid graph has only node and edge lines, each value inside its quotes", () => {
    expect(mermaid).toHaveLength(3);
    expect(mermaid.slice(0, 2)).toEqual(mermaid.slice(0, 2).filter((line) => /^ {2}s\d\["[^"|`<>]*"\]$/.test(line)));
    expect(mermaid[2]).toMatch(/^ {2}s1 -->\|added in [^|"`<>]*\| s2$/);
  });

  it("THEN a value in code shows its line breaks as \\n and stays whole, in a fence longer than its backticks", () => {
    const shown = HOSTILE.replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t")
      .replace(/\u2028/g, "\\u2028");
    expect(part).toContain(
      `  - \`\`\` env[${shown}].value \`\`\`: \`\`\` ${shown} \`\`\` → \`\`\` ${shown}-2 \`\`\` **forces replacement**`,
    );
  });
});
