/**
 * `npm run template:update`: brings services to their template's current version and
 * keeps their own edits, as copier's update does: a three-way merge of the template's
 * change into each file. See USAGE.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SERVICES_DIR } from "../infra/discover-services.js";
import {
  TemplateUpdateRefused,
  applyTemplateUpdate,
  planTemplateUpdates,
  updateDiff,
  type FileUpdate,
  type ServiceUpdate,
} from "./scaffold/template-update.js";
import { acceptEdits } from "./scaffold/template-accept.js";

const USAGE = `Usage: npm run template:update [-- <service>...] [--dry-run]
       npm run template:update -- --accept <service>...

Brings each named service (every service made from a template when none is named) from
the template version its .template.json records to the template's current version, and
keeps the service's own edits. It renders the template as the recorded git commit holds
it and as it is now, both with the recorded answers, and merges the difference into each
file of the service with git merge-file (base: the old rendering; ours: the service's
file; theirs: the new rendering):
  updated   the service had not edited the file: it takes the template's new version
  merged    both changed it, in different places: both changes are kept
  conflict  both changed the same lines: they are left between conflict markers
            (<<<<<<< this service, ||||||| the template it was made from, =======,
            >>>>>>> the template now), never resolved for you
  created   a file the new version adds (or a platform file the service lacks)
  removed   a file the new version no longer makes, which the service had not edited
  kept      a file the service edited or removed is left as it is, and said why
Then .template.json records the new version, its commit and the answers (after a
conflict too, as copier does: resolve the markers, then commit), and under "edits" the
hash of each platform file it left holding the service's own edits: template:check takes
that content, and no other, as the service's own.
--accept records the current content of each named service's platform files that differ
from the template (after resolving conflicts): the service must be at the template's
current version, with no conflict markers left; the record's diff shows what was accepted.
The services and the templates must have no uncommitted changes (review with git diff,
undo with git checkout). --dry-run prints the changes as a unified diff and writes nothing.
Exit codes: 0 updated (or current, or accepted), 1 a file has conflicts, 2 bad input (an unknown
service, one without a record or whose record names no commit, or one that does not
hold the recorded version; uncommitted changes; no git repository; for --accept, no
service named, one not at the current version or with conflict markers or a file missing).`;

const MARKS: Readonly<Record<FileUpdate["action"], string>> = {
  updated: "updated ",
  merged: "merged  ",
  conflict: "conflict",
  created: "created ",
  removed: "removed ",
  kept: "kept    ",
};

function describeFile(change: FileUpdate): string {
  switch (change.action) {
    case "merged":
      return `${change.file} (the template's change and the service's edits)`;
    case "conflict":
      return `${change.file} (${change.conflicts} conflict${change.conflicts === 1 ? "" : "s"} marked)`;
    case "kept":
      return `${change.file}: ${change.reason}`;
    default:
      return change.file;
  }
}

function report(update: ServiceUpdate, dryRun: boolean): string[] {
  switch (update.status) {
    case "untracked":
      return [`${update.service}: not made from a template (no .template.json): left alone`];
    case "current":
      return [`${update.service}: current (${update.template} ${update.version})`];
    case "update":
      return [
        `${update.service}: ${dryRun ? "would update" : "updated"} from ${update.template} ${update.fromVersion} to ${update.toVersion}`,
        ...update.files.map((change) => `  ${MARKS[change.action]}  ${describeFile(change)}`),
        `  recorded  .template.json (${update.template} ${update.toVersion}${update.accepted.length > 0 ? `; accepts the service's edits of ${update.accepted.join(", ")}` : ""})`,
      ];
  }
}

async function main(argv: string[]): Promise<number> {
  let services: string[];
  let dryRun: boolean;
  let accept: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        "dry-run": { type: "boolean" },
        accept: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    services = positionals;
    dryRun = values["dry-run"] === true;
    accept = values.accept === true;
    if (accept && services.length === 0) throw new TypeError("--accept: name the services whose edits to accept");
    if (accept && dryRun) throw new TypeError("--accept and --dry-run: give one of them");
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    console.error(`template:update: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  if (accept) {
    let accepted: Map<string, string[]>;
    try {
      accepted = acceptEdits(root, services);
    } catch (error) {
      if (!(error instanceof TemplateUpdateRefused)) throw error;
      console.error(`template:update: refused (nothing was written):\n${error.message.replace(/^/gm, "  ")}`);
      return 2;
    }
    for (const [service, files] of accepted)
      console.log(
        files.length > 0
          ? `${service}: accepted its edits of ${files.join(", ")}, recorded in .template.json: review the diff (git diff), then commit`
          : `${service}: its platform files are the template's: no edit to accept (.template.json records none)`,
      );
    return 0;
  }

  let updates: ServiceUpdate[];
  try {
    updates = await planTemplateUpdates(root, services, { requireClean: !dryRun });
  } catch (error) {
    if (!(error instanceof TemplateUpdateRefused)) throw error;
    console.error(`template:update: refused (nothing was written):\n${error.message.replace(/^/gm, "  ")}`);
    return 2;
  }

  for (const update of updates) {
    if (!dryRun) applyTemplateUpdate(root, update);
    console.log(report(update, dryRun).join("\n"));
    if (dryRun) process.stdout.write(updateDiff(update));
  }
  const changed = updates.filter((u) => u.status === "update");
  const conflicting = changed.flatMap((u) =>
    u.files.filter((f) => f.action === "conflict").map((f) => `${SERVICES_DIR}/${u.service}/${f.file}`),
  );
  const count = (n: number) => `${n} service${n === 1 ? "" : "s"}`;
  if (changed.length === 0) console.log(`${count(updates.length)} checked: each is at its template's version`);
  else {
    let summary = `${count(changed.length)} ${dryRun ? "would be updated" : "updated"} from ${changed.length === 1 ? "its" : "their"} template`;
    if (conflicting.length > 0)
      summary += `; conflicts left marked (<<<<<<<) in ${conflicting.join(", ")}: resolve them, then commit`;
    else if (!dryRun) summary += ": review the diff (git diff), then commit";
    console.log(summary);
  }
  if (dryRun) console.log("nothing was written (--dry-run)");
  return conflicting.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
