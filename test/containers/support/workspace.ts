import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";

/**
 * A copy of the repository the container tests work in: the files git knows (tracked or
 * not ignored), `node_modules` linked from the original. New services are generated
 * into the copy with the project's own tool, never into the repository.
 */

/** A service generated from a template, or the reason it could not be. */
export interface GeneratedService {
  readonly template: string;
  readonly service: string;
  /** Why `npm run new:service` failed; undefined when it succeeded. */
  readonly error?: string;
}

/** Copies the repository at `root` into `destination`. */
export function copyRepository(root: string, destination: string): void {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString("utf8")
    .split("\0")
    .filter((file) => file !== "" && existsSync(path.join(root, file)));
  for (const file of listed) {
    mkdirSync(path.dirname(path.join(destination, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(destination, file));
  }
  symlinkSync(path.join(root, "node_modules"), path.join(destination, "node_modules"), "dir");
}

/**
 * The templates of a repository, as `new:service` lists them: folders of `templates/` with a template.json, but the
 * shared `_` ones.
 */
export function templatesOf(root: string): string[] {
  const folder = path.join(root, "templates");
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        !entry.name.startsWith("_") &&
        existsSync(path.join(folder, entry.name, "template.json")),
    )
    .map((entry) => entry.name)
    .sort();
}

/** Whether the repository has the `new:service` script. */
export function hasNewServiceTool(root: string): boolean {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  return Boolean(manifest.scripts?.["new:service"]);
}

/** The name the tests give the service generated from a template (a DNS-1035 label). */
export function generatedServiceName(template: string): string {
  return `gen-${template.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * Generates one service per template in the workspace, as a user would:
 * `npm run new:service -- <name> --template <template> --depends-on <first service> --no-install`
 * (a worker takes its jobs from its first dependency, and an edge to an example service
 * puts the generated service into the network rule tests), then, as its help
 * asks before `npm ci`, brings the lock file up to date (`npm install --package-lock-only`:
 * the workspace shares the repository's node_modules, which must stay as they are).
 */
export function generateServices(workspace: string, timeoutMs = 180_000): GeneratedService[] {
  if (!hasNewServiceTool(workspace)) return [];
  const servicesDir = path.join(workspace, "services");
  const [dependency] = existsSync(servicesDir)
    ? readdirSync(servicesDir)
        .filter((f) => existsSync(path.join(servicesDir, f, "service.ts")))
        .sort()
    : [];
  const generated = templatesOf(workspace).map((template): GeneratedService => {
    const service = generatedServiceName(template);
    const command = [
      "run",
      "--silent",
      "new:service",
      "--",
      service,
      "--template",
      template,
      ...(dependency ? ["--depends-on", dependency] : []),
      "--no-install",
    ];
    const error = runNpm(workspace, command, timeoutMs);
    return error ? { template, service, error } : { template, service };
  });
  if (generated.some((g) => !g.error)) {
    const error = runNpm(
      workspace,
      ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"],
      timeoutMs,
    );
    if (error) return generated.map((g) => (g.error ? g : { ...g, error }));
  }
  return generated;
}

/** Runs npm in the workspace; the failure, or undefined. */
function runNpm(workspace: string, args: readonly string[], timeoutMs: number): string | undefined {
  const result = spawnSync("npm", args, { cwd: workspace, encoding: "utf8", timeout: timeoutMs });
  if (result.status === 0) return undefined;
  const reason = result.error
    ? result.error.message
    : `exit ${result.status}: ${(result.stdout + result.stderr).trim().split("\n").slice(-20).join("\n")}`;
  return `npm ${args.join(" ")} failed (${reason})`;
}
