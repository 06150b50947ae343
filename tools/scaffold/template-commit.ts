import { spawnSync } from "node:child_process";
import { TEMPLATES_DIR, type ServiceTemplate } from "./service-template.js";

/**
 * The git commit that holds the template exactly as it is in the working tree: the last
 * commit that changed one of its folders (the template's and its base's), when none of
 * them has a change that is not committed. A later update renders the version a service
 * was made from with `git archive <commit> templates/`. Null when the template has
 * uncommitted changes (the version made from it is in no commit yet) or the repository
 * is not a git repository.
 */
export function templateCommit(root: string, template: Pick<ServiceTemplate, "layers">): string | null {
  const folders = template.layers.map((layer) => `${TEMPLATES_DIR}/${layer}/`);
  const git = (...args: string[]) => {
    const result = spawnSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const changes = git("status", "--porcelain", "--untracked-files=all", "--", ...folders);
  if (changes === undefined || changes !== "") return null;
  const commit = git("log", "-1", "--format=%H", "--", ...folders);
  return commit && /^[0-9a-f]{40}$/.test(commit) ? commit : null;
}
