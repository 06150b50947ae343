import type { InfraDiffReport, ResourceReport, Risk } from "../../../tools/infra-diff/report.js";

/**
 * A value that tries every way out of where it is put: a newline and a forged part
 * marker, a heading, a mention, an image, a link, an autolink, HTML, an HTML comment,
 * backticks to end a code span, a pipe to end a table cell, a backslash to undo an escape.
 */
export const HOSTILE =
  "x`y``z\\\n<!-- infra-diff part 1/1 -->\r\n# pwned @octocat ![x](http://evil.example/x.png) [link](www.evil.example) <b>bold</b> --> | cell\u2028@org/team\t";
export const PLAIN = "plain";

/** A report with `value` in every field the renderers show. */
export function reportWith(value: string): InfraDiffReport {
  const resource: ResourceReport = {
    address: `terraform_data.${value}`,
    type: "terraform_data",
    kind: "resource",
    constructPath: `${value}/kubernetes/orders/${value}`,
    action: "replace",
    replacementReasons: [value],
    attributes: [
      { path: `env[${value}].value`, before: value, after: `${value}-2`, forcesReplacement: true, unknownAfter: false },
      { path: "input", before: { nested: value }, forcesReplacement: false, unknownAfter: true },
    ],
  };
  const risk = (environment: string | null): Risk => ({
    kind: "destroy",
    code: value,
    environment,
    service: value,
    resources: [],
    reason: value,
  });
  return {
    schemaVersion: 1,
    base: { ref: value, commit: value },
    head: { ref: value, commit: value },
    changed: true,
    summary: {
      total: { adds: 0, changes: 0, replacements: 1, destroys: 0 },
      environments: {
        [value]: { adds: 0, changes: 0, replacements: 1, destroys: 0, source: "plan" },
        production: { adds: 0, changes: 0, replacements: 0, destroys: 0, source: "plan" },
      },
    },
    risks: [risk(value), risk(null)],
    services: [{ name: value, summary: value, items: [value], environments: { [value]: [resource] } }],
    edges: [{ from: value, to: `${value}-2`, change: "added", environments: [value] }],
    capacity: [],
    notes: [value],
  };
}
