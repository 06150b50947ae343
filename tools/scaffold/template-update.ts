import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SERVICES_DIR } from "../../infra/discover-services.js";
import { PlatformError } from "../../infra/platform-error.js";
import { listServiceFolders } from "../../infra/service-folders.js";
import { closestName } from "../../infra/spec/closest-name.js";
import {
  TEMPLATE_RECORD_FILE,
  editHash,
  parseTemplateRecord,
  serializeTemplateRecord,
  type TemplateRecord,
} from "./answers.js";
import { formattedByBiome } from "./biome-format.js";
import { readDependencyContracts } from "./dependency-clients.js";
import { renderServiceFiles } from "./service-files.js";
import { TEMPLATES_DIR, TemplateError, isManaged, loadTemplate, type ServiceTemplate } from "./service-template.js";
import { loadTemplateAtCommit } from "./template-at-commit.js";
import { templateCommit } from "./template-commit.js";
import { completeAnswers, recordedAnswerProblems } from "./template-drift.js";
import { hasConflictMarkers, mergeThreeWays } from "./three-way-merge.js";

/**
 * template:update cannot update a service as the repository is (code
 * TEMPLATE_UPDATE_REFUSED): an unknown service, one without a record or whose record names
 * no commit, uncommitted changes, no git repository. The message names which and what to do.
 */
export class TemplateUpdateRefused extends PlatformError {
  constructor(message: string) {
    super("TEMPLATE_UPDATE_REFUSED", message);
  }
}

/** What an update does to one file of a service (paths relative to the service folder). */
export type FileUpdate =
  /** The service had not edited it: it becomes the template's new version. */
  | { readonly file: string; readonly action: "updated"; readonly before: string; readonly after: string }
  /** Both changed it, in different places: the template's change is merged into the service's. */
  | { readonly file: string; readonly action: "merged"; readonly before: string; readonly after: string }
  /** Both changed the same lines: `after` holds conflict markers, `conflicts` of them. */
  | {
      readonly file: string;
      readonly action: "conflict";
      readonly before: string;
      readonly after: string;
      readonly conflicts: number;
    }
  /** The new version of the template makes it, and the service has none. */
  | { readonly file: string; readonly action: "created"; readonly after: string }
  /** The new version no longer makes it, and the service had not edited it. */
  | { readonly file: string; readonly action: "removed"; readonly before: string }
  /** Left as it is (a file the service edited or removed), for the reason given. */
  | { readonly file: string; readonly action: "kept"; readonly reason: string };

/** One service's update from the template version it records to the current one. */
export type ServiceUpdate =
  | { readonly service: string; readonly status: "current"; readonly template: string; readonly version: string }
  | { readonly service: string; readonly status: "untracked" }
  | {
      readonly service: string;
      readonly status: "update";
      readonly template: string;
      readonly fromVersion: string;
      readonly toVersion: string;
      /** The files that change or are reported, sorted by path. */
      readonly files: readonly FileUpdate[];
      /** `.template.json` before and after: the new version, its commit and the answers. */
      readonly record: { readonly before: string; readonly after: string };
      /** The platform files whose content with the service's edits the new record accepts (its `edits`), sorted. */
      readonly accepted: readonly string[];
    };

/**
 * Plans the update of `services` (every service when none is named) from the template
 * version each records to the current one, as copier's update does: renders the template
 * as the recorded commit holds it and as it is now, both with the recorded answers and
 * the same renderer new:service uses, and merges the difference into each file of the
 * service (base: the old rendering, ours: the service's file, theirs: the new one).
 * Writes nothing. Throws a TemplateUpdateRefused naming every service it cannot update,
 * before any is planned; `clean` (not for a dry run) also refuses uncommitted changes in a
 * service folder or a template, so that an update can be reviewed and undone with git.
 */
export async function planTemplateUpdates(
  root: string,
  services: readonly string[],
  options: { readonly requireClean: boolean },
): Promise<ServiceUpdate[]> {
  if (git(root, "rev-parse", "--is-inside-work-tree") !== "true")
    throw new TemplateUpdateRefused(
      `${root} is not a git repository: template:update renders the template version a service was made from out of the git commit its ${TEMPLATE_RECORD_FILE} records`,
    );
  const known = listServiceFolders(root).services;
  const unknown = services.filter((service) => !known.includes(service));
  if (unknown.length > 0)
    throw new TemplateUpdateRefused(
      unknown
        .map((service) => {
          const near = closestName(service, known);
          return `${service}: no such service (no ${SERVICES_DIR}/${service}/service.ts)${near ? `; did you mean ${near}?` : ""}; services: ${known.join(", ") || "none"}`;
        })
        .join("\n"),
    );
  const named = services.length > 0;
  const chosen = named ? [...new Set(services)].sort() : known;
  const problems: string[] = [];
  const updates: ServiceUpdate[] = [];
  for (const service of chosen) {
    try {
      const update = await planServiceUpdate(root, service, named, options.requireClean);
      if (update) updates.push(update);
    } catch (error) {
      if (!(error instanceof TemplateUpdateRefused)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new TemplateUpdateRefused(problems.join("\n"));
  return updates;
}

async function planServiceUpdate(
  root: string,
  service: string,
  named: boolean,
  requireClean: boolean,
): Promise<ServiceUpdate | undefined> {
  const folder = `${SERVICES_DIR}/${service}`;
  const recordFile = `${folder}/${TEMPLATE_RECORD_FILE}`;
  const dir = path.join(root, folder);
  if (!existsSync(path.join(dir, TEMPLATE_RECORD_FILE))) {
    if (named)
      throw new TemplateUpdateRefused(
        `${service}: was not made from a template (no ${recordFile}), so there is no template to update it from`,
      );
    return { service, status: "untracked" };
  }
  const recordText = readFileSync(path.join(dir, TEMPLATE_RECORD_FILE), "utf8");
  let record: TemplateRecord;
  let template: ServiceTemplate;
  try {
    record = parseTemplateRecord(recordText, recordFile);
    template = loadTemplate(root, record.template);
  } catch (error) {
    throw new TemplateUpdateRefused(`${service}: ${(error as Error).message}`);
  }
  if (record.version === template.version)
    return { service, status: "current", template: template.name, version: template.version };
  if (record.commit === null)
    throw new TemplateUpdateRefused(
      `${service}: ${recordFile}: commit: is null, so the ${record.template} template version ${record.version} it was made from is in no commit and cannot be rendered again; bring the service up with npm run template:check -- --write (which replaces the platform's files) instead`,
    );

  if (requireClean) {
    const layers = template.layers.map((layer) => `${TEMPLATES_DIR}/${layer}/`);
    const changed = git(root, "status", "--porcelain", "--untracked-files=all", "--", `${folder}/`, ...layers);
    if (changed === undefined || changed !== "")
      throw new TemplateUpdateRefused(
        `${service}: uncommitted changes in ${[`${folder}/`, ...layers].join(", ")}${changed ? `:\n${changed.replace(/^/gm, "  ")}` : ""}\n  commit them first (an update merges into the committed files, so that git shows and can undo what it did), or look with --dry-run`,
      );
  }

  let previous: ServiceTemplate;
  try {
    previous = loadTemplateAtCommit(root, record.template, record.commit);
  } catch (error) {
    throw new TemplateUpdateRefused(
      `${service}: ${recordFile}: the ${record.template} template as commit ${record.commit} holds it cannot be read: ${(error as Error).message}`,
    );
  }
  // A merge from another base than the one the service was made from would undo or
  // repeat changes without a word: the recorded commit must hold the recorded version.
  if (previous.version !== record.version)
    throw new TemplateUpdateRefused(
      `${service}: ${recordFile}: commit: ${record.commit} holds version ${previous.version} of the ${record.template} template, not the recorded ${record.version}; correct the record (git log -- ${TEMPLATES_DIR}/ finds the commit), or bring the service up with npm run template:check -- --write (which replaces the platform's files)`,
    );
  const answersThen = completeAnswers(previous, record.answers);
  const answersNow = completeAnswers(template, record.answers);
  const refused = [
    ...(typeof answersThen === "string" ? [answersThen] : []),
    ...(typeof answersNow === "string" ? [answersNow] : recordedAnswerProblems(template, answersNow)),
  ];
  if (refused.length > 0 || typeof answersThen === "string" || typeof answersNow === "string")
    throw new TemplateUpdateRefused(refused.map((problem) => `${service}: ${recordFile}: ${problem}`).join("\n"));

  const contracts = await readDependencyContracts(root, answersNow.dependsOn);
  let then: Map<string, string>;
  let now: Map<string, string>;
  try {
    then = renderServiceFiles(root, previous, answersThen, contracts);
    now = renderServiceFiles(root, template, answersNow, contracts);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new TemplateUpdateRefused(`${service}: ${error.message}`);
  }
  const labels = {
    ours: (file: string) => `${folder}/${file} (this service)`,
    base: `${record.template} ${record.version} (the template it was made from)`,
    theirs: `${template.name} ${template.version} (the template now)`,
  };
  const files: FileUpdate[] = [];
  for (const file of [...new Set([...then.keys(), ...now.keys()])].sort()) {
    const update = fileUpdate(file, then.get(file), now.get(file), readIfExists(path.join(dir, file)), {
      managed: isManaged(template, file),
      labels,
    });
    if (update) files.push(update);
  }
  const after: TemplateRecord = {
    template: template.name,
    version: template.version,
    commit: templateCommit(root, template),
    answers: answersNow,
    edits: acceptedEdits(dir, template, now, files),
  };
  return {
    service,
    status: "update",
    template: template.name,
    fromVersion: record.version,
    toVersion: template.version,
    files,
    record: { before: recordText, after: formattedByBiome(root, recordFile, serializeTemplateRecord(after)) },
    accepted: Object.keys(after.edits ?? {}).sort(),
  };
}

/**
 * The edits of the service's own that the update keeps in platform-owned files: for each
 * managed file whose content after the update differs from the template's new rendering,
 * the hash of that content, for template:check to take it (and only it) as the service's
 * own. A file left with conflict markers is not accepted: template:check reports it until
 * it is resolved and accepted (`--accept`).
 */
function acceptedEdits(
  dir: string,
  template: ServiceTemplate,
  now: ReadonlyMap<string, string>,
  files: readonly FileUpdate[],
): Record<string, string> {
  const edits: Record<string, string> = {};
  for (const [file, rendered] of now) {
    if (!isManaged(template, file)) continue;
    const change = files.find((f) => f.file === file);
    const after = change && "after" in change ? change.after : readIfExists(path.join(dir, file));
    if (after !== undefined && after !== rendered && !hasConflictMarkers(after)) edits[file] = editHash(after);
  }
  return edits;
}

/**
 * What an update does to one file, from the template's rendering then (`base`) and now
 * (`theirs`) and the service's file (`ours`); undefined when nothing changes.
 */
function fileUpdate(
  file: string,
  base: string | undefined,
  theirs: string | undefined,
  ours: string | undefined,
  context: {
    readonly managed: boolean;
    readonly labels: { readonly ours: (file: string) => string; readonly base: string; readonly theirs: string };
  },
): FileUpdate | undefined {
  if (base === theirs) return undefined;
  if (theirs === undefined) {
    if (ours === undefined) return undefined;
    if (ours === base) return { file, action: "removed", before: ours };
    return {
      file,
      action: "kept",
      reason: "the template no longer makes it, and the service changed it: remove it if nothing needs it",
    };
  }
  if (ours === undefined) {
    // A platform file the service lacks is restored; a file of the service's own that it removed stays removed.
    if (base === undefined || context.managed) return { file, action: "created", after: theirs };
    return { file, action: "kept", reason: "the service removed it; the template changed it since (not re-created)" };
  }
  if (ours === theirs) return undefined;
  if (ours === base) return { file, action: "updated", before: ours, after: theirs };
  const merged = mergeThreeWays(
    { text: ours, label: context.labels.ours(file) },
    // A file both added: no common version, so each of its differences is a conflict.
    { text: base ?? "", label: base === undefined ? `${context.labels.base}: no such file` : context.labels.base },
    { text: theirs, label: context.labels.theirs },
  );
  if (merged.conflicts > 0)
    return { file, action: "conflict", before: ours, after: merged.text, conflicts: merged.conflicts };
  return merged.text === ours ? undefined : { file, action: "merged", before: ours, after: merged.text };
}

/**
 * Writes a planned update: each file to a temporary file beside it, then renamed over it;
 * removed files are removed; the record last. The record names the new version even when
 * a file has conflicts, as copier does: the conflicts are the update's, left in the files
 * to resolve, and a second run does not merge the same change again.
 */
export function applyTemplateUpdate(root: string, update: ServiceUpdate): void {
  if (update.status !== "update") return;
  const dir = path.join(root, SERVICES_DIR, update.service);
  for (const change of update.files) {
    const target = path.join(dir, change.file);
    if (change.action === "removed") rmSync(target, { force: true });
    else if (change.action !== "kept") writeAtomically(target, change.after);
  }
  writeAtomically(path.join(dir, TEMPLATE_RECORD_FILE), update.record.after);
}

/**
 * The update as a unified diff (`git diff --no-index`), paths from the repository root:
 * what `--dry-run` prints. Empty when nothing would change.
 */
export function updateDiff(update: ServiceUpdate): string {
  if (update.status !== "update") return "";
  const folder = `${SERVICES_DIR}/${update.service}`;
  const sides: Array<{ file: string; before?: string; after?: string }> = [
    ...update.files.map((change) => ({
      file: change.file,
      before: "before" in change ? change.before : undefined,
      after: "after" in change ? change.after : undefined,
    })),
    { file: TEMPLATE_RECORD_FILE, before: update.record.before, after: update.record.after },
  ];
  // In the system's temporary folder: never inside the repository, whose files are compared.
  const scratch = mkdtempSync(path.join(os.tmpdir(), "platform-template-diff-"));
  try {
    for (const { file, before, after } of sides) {
      if (before !== undefined) writeFile(path.join(scratch, "a", folder, file), before);
      if (after !== undefined) writeFile(path.join(scratch, "b", folder, file), after);
    }
    mkdirSync(path.join(scratch, "a"), { recursive: true });
    mkdirSync(path.join(scratch, "b"), { recursive: true });
    const diff = spawnSync(
      "git",
      ["diff", "--no-index", "--no-color", "--no-ext-diff", "--src-prefix=", "--dst-prefix=", "--", "a", "b"],
      { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 },
    );
    // 1: the sides differ; 0: they do not.
    if (diff.status !== 0 && diff.status !== 1) throw new Error(`git diff --no-index failed: ${diff.stderr.trim()}`);
    return diff.stdout;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function writeFile(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function writeAtomically(target: string, text: string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

/** Runs git in `root`: its trimmed output, or undefined when it fails. */
function git(root: string, ...args: string[]): string | undefined {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
