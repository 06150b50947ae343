import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SERVICES_DIR } from "./repository-layout.js";
import { SpecError, formatValue, parseServiceDefinition, type DiscoveredService } from "./spec/model.js";

/** The folder, under the repository root, that holds one folder per service (defined in `repository-layout.ts`). */
export { SERVICES_DIR };

/** A spec module: `export default defineService({...})`; its default export is checked by discovery, whatever it is. */
export interface ServiceModule {
  readonly default?: unknown;
}

/**
 * Loads the spec module at `file`, a path below the repository root such as
 * `services/orders/service.ts`: imported from source (tsx) or from a compiled bundle.
 */
export type ServiceModuleLoader = (file: string, root: string) => Promise<ServiceModule>;

/** The default loader: a dynamic import of the TypeScript file (needs a loader such as tsx). */
export const importServiceModule: ServiceModuleLoader = (file, root) =>
  import(pathToFileURL(path.join(root, file)).href) as Promise<ServiceModule>;

/**
 * Finds every `services/<name>/service.ts` below `root` and loads its default export
 * with `loadService`.
 * Adding a folder is all it takes to add a service. A spec error is reported with the
 * file it came from.
 */
export async function discoverServices(
  root: string,
  loadService: ServiceModuleLoader = importServiceModule,
): Promise<DiscoveredService[]> {
  const servicesDir = path.join(root, SERVICES_DIR);
  if (!existsSync(servicesDir)) return [];
  const folders = readdirSync(servicesDir, { withFileTypes: true })
    // A dot-folder is never a service (a service's name starts with a letter): it is
    // new:service's staging folder, possibly half-written or left by a killed run.
    .filter(
      (entry) =>
        entry.isDirectory() &&
        !entry.name.startsWith(".") &&
        existsSync(path.join(servicesDir, entry.name, "service.ts")),
    )
    .map((entry) => entry.name)
    .sort();
  const problems: SpecError[] = [];
  const loaded = await Promise.all(
    folders.map(async (folder): Promise<DiscoveredService | undefined> => {
      const file = `${SERVICES_DIR}/${folder}/service.ts`;
      try {
        const module = await loadService(file, root);
        if (module.default === undefined) {
          throw new SpecError([
            { field: "(default export)", value: "nothing", message: "must be `export default defineService({...})`" },
          ]);
        }
        const definition = parseServiceDefinition(module.default);
        return { file, folder, definition, version: readVersion(root, folder) };
      } catch (error) {
        if (error instanceof SpecError) {
          problems.push(error.inFile(file));
          return undefined;
        }
        throw error;
      }
    }),
  );
  if (problems.length > 0)
    throw new SpecError(
      problems.flatMap((p) => p.problems.map((problem) => ({ ...problem, file: problem.file ?? p.file }))),
    );
  return loaded.filter((s): s is DiscoveredService => s !== undefined);
}

/**
 * What a version may look like: it becomes the tag of the service's image (on both
 * targets) and a label, so it is an image tag's characters: letters, digits, '_', '.'
 * and '-', starting with a letter, digit or '_', at most 128 characters.
 */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * A service's version: the `version` of its package.json, "0.0.0" without one. The file
 * is the service's own, so its version is checked like a field of the spec.
 */
function readVersion(root: string, folder: string): string {
  const file = `${SERVICES_DIR}/${folder}/package.json`;
  const manifest = path.join(root, file);
  if (!existsSync(manifest)) return "0.0.0";
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(manifest, "utf8")) as { version?: unknown } | null)?.version;
  } catch (error) {
    throw new SpecError([
      {
        file,
        field: "(file)",
        value: "not JSON",
        message: `must be a JSON package manifest (${(error as Error).message})`,
      },
    ]);
  }
  if (version === undefined) return "0.0.0";
  if (typeof version !== "string" || !IMAGE_TAG.test(version)) {
    throw new SpecError([
      {
        file,
        field: "version",
        value: formatValue(version),
        message:
          "must be a version that can tag an image, like 1.4.2: letters, digits, '_', '.' and '-', at most 128 characters",
      },
    ]);
  }
  return version;
}
