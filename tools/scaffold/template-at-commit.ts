import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TEMPLATES_DIR, loadTemplate, type ServiceTemplate } from "./service-template.js";

/**
 * Reads a template as the git commit `commit` holds it: `git archive <commit> templates/`
 * unpacked in a temporary folder (removed afterwards), then read by the same
 * `loadTemplate` that reads the working tree's. Throws when the commit or the template
 * is not in the repository (a shallow clone, a rewritten history): the message says which.
 */
export function loadTemplateAtCommit(root: string, name: string, commit: string): ServiceTemplate {
  const archive = spawnSync("git", ["archive", "--format=tar", commit, "--", TEMPLATES_DIR], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (archive.status !== 0)
    throw new Error(
      `git cannot give ${TEMPLATES_DIR}/ as commit ${commit} holds it (${archive.stderr.toString().trim() || `exit ${archive.status}`}); a shallow clone lacks it: fetch the history (git fetch --unshallow)`,
    );
  const dir = mkdtempSync(path.join(os.tmpdir(), "platform-template-"));
  try {
    const unpack = spawnSync("tar", ["-x", "-f", "-", "-C", dir], {
      input: archive.stdout,
      stdio: ["pipe", "ignore", "pipe"],
    });
    if (unpack.status !== 0)
      throw new Error(`tar cannot unpack ${TEMPLATES_DIR}/ of commit ${commit}: ${unpack.stderr.toString().trim()}`);
    return loadTemplate(dir, name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
