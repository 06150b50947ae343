import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SpecError, type DiscoveredService, type ServiceDefinition } from "./spec/index.js";

/** The folder, under the repository root, that holds one folder per service. */
export const SERVICES_DIR = "services";

/** A spec module: `export default defineService({...})`. */
export interface ServiceModule {
  readonly default?: ServiceDefinition;
}

/**
 * Loads the spec module at `file`, a path below the repository root such as
 * `services/orders/service.ts`: imported from source (tsx) or from a compiled bundle.
 */
export type ServiceModuleLoader = (file: string, root: string) => Promise<ServiceModule>;

/** The default loader: a dynamic import of the TypeScript file (needs a loader such as tsx). */
export const importServiceModule: ServiceModuleLoader = (file, root) => import(pathToFileURL(path.join(root, file)).href) as Promise<ServiceModule>;

/**
 * Finds every `services/<name>/service.ts` below `root` and loads its default export
 * with `loadService`.
 * Adding a folder is all it takes to add a service. A spec error is reported with the
 * file it came from.
 */
export async function discoverServices(root: string, loadService: ServiceModuleLoader = importServiceModule): Promise<DiscoveredService[]> {
  const servicesDir = path.join(root, SERVICES_DIR);
  if (!existsSync(servicesDir)) return [];
  const folders = readdirSync(servicesDir, { withFileTypes: true })
    // A dot-folder is never a service (a service's name starts with a letter): it is
    // new:service's staging folder, possibly half-written or left by a killed run.
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && existsSync(path.join(servicesDir, entry.name, "service.ts")))
    .map((entry) => entry.name)
    .sort();
  const problems: SpecError[] = [];
  const loaded = await Promise.all(
    folders.map(async (folder): Promise<DiscoveredService | undefined> => {
      const file = `${SERVICES_DIR}/${folder}/service.ts`;
      try {
        const module = await loadService(file, root);
        if (module.default === undefined) {
          throw new SpecError([{ field: "(default export)", value: "nothing", message: "must be `export default defineService({...})`" }]);
        }
        return { file, folder, definition: module.default, version: readVersion(path.join(servicesDir, folder)) };
      } catch (error) {
        if (error instanceof SpecError) {
          problems.push(error.inFile(file));
          return undefined;
        }
        throw error;
      }
    }),
  );
  if (problems.length > 0) throw new SpecError(problems.flatMap((p) => p.problems.map((problem) => ({ ...problem, file: problem.file ?? p.file }))));
  return loaded.filter((s): s is DiscoveredService => s !== undefined);
}

/** A service's version: the `version` of its package.json, "0.0.0" without one. */
function readVersion(folder: string): string {
  const manifest = path.join(folder, "package.json");
  if (!existsSync(manifest)) return "0.0.0";
  const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: unknown }).version;
  return typeof version === "string" ? version : "0.0.0";
}
