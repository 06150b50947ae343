/**
 * `npm run template:check`: lists the services whose platform-owned files differ from
 * what their template makes today, so a platform team sees which services miss a
 * template fix. See USAGE.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkTemplateDrift, updateFromTemplate, type ServiceDrift } from "./scaffold/template-drift.js";

const USAGE = `Usage: npm run template:check [-- --format text|json] [--write]

For every services/<name>/ made from a template (it has a .template.json), renders the
template's current version with the recorded answers and compares the files the
platform owns (the template's "managed" list: the Dockerfile, src/main.ts and
test/service.test.ts). The service's own files are not compared, nor is the runtime:
services use the one @platform/service-runtime package (templates/runtime/). At the
current version, a managed file that differs is the service's own edit only when
.template.json accepts its very content ("edits", written by template:update); any
other difference is EDITED by hand.
--write brings drifted (and edited) services to the template's current version: it rewrites
their managed files and records the version in .template.json (review the diff, then commit).
Exit codes: 0 every service is current (after --write: was brought up to date),
1 a service drifted or a platform file was edited (or its record is broken), 2 bad arguments.`;

function describe(drift: ServiceDrift): string {
  switch (drift.status) {
    case "current": {
      const edited = drift.edited
        ? `, with its own edits of ${drift.edited.join(", ")} (accepted in .template.json)`
        : "";
      return drift.recordedVersion === drift.currentVersion
        ? `current (${drift.template} ${drift.currentVersion})${edited}`
        : `current (${drift.template} ${drift.currentVersion}; recorded ${drift.recordedVersion}, whose changes since touch no file the platform owns here)`;
    }
    case "drifted":
      if (drift.files.every((f) => f.change === "conflict"))
        return `CONFLICTS left by template:update, not resolved: ${drift.files.map((f) => f.file).join(", ")} (resolve the markers, <<<<<<<, then npm run template:update -- --accept ${drift.service})`;
      if (drift.files.every((f) => f.change === "edited"))
        return `EDITED by hand: ${drift.files.map((f) => f.file).join(", ")} (a platform file, not accepted in .template.json: bring the template's back with npm run template:check -- --write, or after resolving a template:update conflict record it with npm run template:update -- --accept ${drift.service})`;
      return `DRIFTED from ${drift.template} ${drift.currentVersion} (made from ${drift.recordedVersion}): ${drift.files.map((f) => `${f.file} (${f.change})`).join(", ")}`;
    case "untracked":
      return "not made from a template (no .template.json)";
    case "broken":
      return `BROKEN: ${drift.problem}`;
  }
}

function main(argv: string[]): number {
  let format: string;
  let write: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        format: { type: "string", default: "text" },
        write: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    format = values.format!;
    write = values.write === true;
    if (format !== "text" && format !== "json")
      throw new TypeError(`--format: must be text or json (got ${JSON.stringify(format)})`);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    console.error(`template:check: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const drifts = checkTemplateDrift(root);
  const failing = drifts.filter((d) => d.status === "drifted" || d.status === "broken");
  if (write) {
    for (const drift of drifts) {
      const written = updateFromTemplate(root, drift);
      if (written.length > 0) console.error(`${drift.service}: wrote ${written.join(", ")}`);
    }
    return drifts.some((d) => d.status === "broken") ? 1 : 0;
  }
  if (format === "json") {
    console.log(JSON.stringify({ services: drifts }, null, 2));
  } else {
    const width = Math.max(0, ...drifts.map((d) => d.service.length));
    for (const drift of drifts) console.log(`${drift.service.padEnd(width)}  ${describe(drift)}`);
    console.log(
      failing.length === 0
        ? `${drifts.length} service${drifts.length === 1 ? "" : "s"} checked: none drifted from its template`
        : `${failing.length} of ${drifts.length} services drifted from their template: bring the template's current version of the files listed into each (they belong to the platform, not to the service)`,
    );
  }
  return failing.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
