import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SERVICES_DIR } from "../../infra/discover-services.js";
import { TEMPLATE_RECORD_FILE, editHash, serializeTemplateRecord } from "./answers.js";
import { formattedByBiome } from "./biome-format.js";
import { checkTemplateDrift, renderingOf } from "./template-drift.js";
import { TemplateUpdateRefused } from "./template-update.js";

/**
 * `template:update --accept <service>`: records in the service's `.template.json` the
 * content of each platform-owned file that differs from the template's current rendering
 * (its {@link editHash}), so that `template:check` takes those edits as the service's own,
 * as it takes those a clean template:update merged. For a service whose update left
 * conflicts, once they are resolved. Refuses (TemplateUpdateRefused, nothing written) a
 * service not at its template's current version, one with a file still holding conflict
 * markers or missing, or one not made from a template. Returns the files accepted, by
 * service; the accepted edits show in the record's diff, for review.
 */
export function acceptEdits(root: string, services: readonly string[]): Map<string, string[]> {
  const drifts = checkTemplateDrift(root);
  const problems: string[] = [];
  const planned: Array<{ service: string; files: string[]; record: string }> = [];
  for (const service of [...new Set(services)].sort()) {
    const drift = drifts.find((d) => d.service === service);
    const refuse = (why: string) => problems.push(`${service}: ${why}`);
    if (!drift) {
      refuse(`no such service (no ${SERVICES_DIR}/${service}/service.ts)`);
      continue;
    }
    if (drift.status === "untracked") {
      refuse(`was not made from a template (no ${SERVICES_DIR}/${service}/${TEMPLATE_RECORD_FILE})`);
      continue;
    }
    if (drift.status === "broken") {
      refuse(drift.problem);
      continue;
    }
    if (drift.recordedVersion !== drift.currentVersion) {
      refuse(
        `records ${drift.template} ${drift.recordedVersion}, not the template's current ${drift.currentVersion}: run npm run template:update -- ${service} first (edits are accepted at the current version only)`,
      );
      continue;
    }
    const unresolved = drift.status === "drifted" ? drift.files.filter((f) => f.change === "conflict") : [];
    const missing = drift.status === "drifted" ? drift.files.filter((f) => f.change === "missing") : [];
    if (unresolved.length > 0)
      refuse(
        `${unresolved.map((f) => f.file).join(", ")} still hold${unresolved.length === 1 ? "s" : ""} conflict markers (<<<<<<<): resolve them first`,
      );
    if (missing.length > 0)
      refuse(
        `${missing.map((f) => f.file).join(", ")} missing: bring ${missing.length === 1 ? "it" : "them"} back with npm run template:check -- --write`,
      );
    if (unresolved.length > 0 || missing.length > 0) continue;
    const rendering = renderingOf(drift)!;
    const dir = path.join(root, SERVICES_DIR, service);
    const edits: Record<string, string> = {};
    for (const [file, content] of rendering.files) {
      const target = path.join(dir, file);
      const text = existsSync(target) ? readFileSync(target, "utf8") : content;
      if (text !== content) edits[file] = editHash(text);
    }
    const recordFile = path.join(SERVICES_DIR, service, TEMPLATE_RECORD_FILE);
    planned.push({
      service,
      files: Object.keys(edits).sort(),
      record: formattedByBiome(root, recordFile, serializeTemplateRecord({ ...rendering.recorded, edits })),
    });
  }
  if (problems.length > 0) throw new TemplateUpdateRefused(problems.join("\n"));
  const accepted = new Map<string, string[]>();
  for (const { service, files, record } of planned) {
    const target = path.join(root, SERVICES_DIR, service, TEMPLATE_RECORD_FILE);
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, record);
    renameSync(temporary, target);
    accepted.set(service, files);
  }
  return accepted;
}
