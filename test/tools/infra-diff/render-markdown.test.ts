import { describe, expect, it } from "vitest";
import { GITHUB_COMMENT_LIMIT, PART_MARKER, renderPullRequestComment } from "../../../tools/infra-diff/render-markdown.js";
import type { InfraDiffReport, ResourceReport, Risk, ServiceReport } from "../../../tools/infra-diff/report.js";

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
    return { name, summary: `image 1.0.${i} -> 1.1.${i}`, items: [`image 1.0.${i} -> 1.1.${i}`], environments: Object.fromEntries(environments.map((e) => [e, Array.from({ length: resources }, (_, r) => resource(name, r))])) };
  });
  const risks: Risk[] = list.map((s) => ({ kind: "network-widening", code: "new-edge", environment: "staging", service: s.name, resources: [], reason: `${s.name} may now call payments` }));
  return {
    schemaVersion: 1,
    base: { ref: "main", commit: "0123456789abcdef0123456789abcdef01234567" },
    head: { ref: null, commit: null },
    changed: true,
    summary: {
      total: { adds: 0, changes: services * 2, replacements: 0, destroys: 0 },
      environments: Object.fromEntries(environments.map((e) => [e, { adds: 0, changes: services, replacements: 0, destroys: 0, source: "synth" as const }])),
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
      expect(part).toContain(`_Part ${index + 1} of ${parts.length}: this diff is longer than one GitHub comment (65,536 characters), so it is split into ${parts.length} comments._`);
    });
    const all = parts.join("\n");
    for (const service of report.services) expect(all.split(`<details><summary><b>${service.name}</b>:`)).toHaveLength(2);
    expect(parts[0]).toContain("### Risks (300)");
    expect(parts.slice(1).some((p) => p.includes("### Changes by service (continued)"))).toBe(true);
  });

  it("GIVEN one service whose details alone exceed a comment WHEN rendered THEN its section is cut, closed, and points to the full output", () => {
    const parts = renderPullRequestComment(largeReport(1, 50, 100));
    for (const part of parts) expect(part.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const details = parts.join("\n");
    expect(details).toContain("  - … 10 more attributes (see `--format json`)");
    expect(details).toMatch(/- … cut here: \d+ more characters; see `--format json` or the job log for the rest\n\n<\/details>\n/);
    expect(details.split("<details>")).toHaveLength(details.split("</details>").length);
  });

  it("GIVEN no change WHEN rendered THEN one part says so", () => {
    const report = { ...largeReport(0, 0), changed: false, risks: [] };
    expect(renderPullRequestComment(report)).toEqual([
      "<!-- infra-diff part 1/1 -->\n## Infrastructure diff\n\n`main` (0123456789ab) → the working tree: **no infrastructure change** in staging, production.\n",
    ]);
  });
});
