import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isPlatformError } from "./platform-error.js";
import { SERVICE_SPEC_FILE, SERVICES_DIR } from "./repository-layout.js";
import { ServiceFileError, type ServiceFileThrow } from "./service-file-error.js";
import { listServiceFolders } from "./service-folders.js";
import { SpecError, formatValue, parseServiceDefinition, type DiscoveredService } from "./spec/model.js";
import { thrownLocation, thrownLocationInRepository } from "./thrown-location.js";

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
 * file it came from; a service file whose own code throws (or a module it imports, its own
 * or shared) is reported with the file and line that threw ({@link ServiceFileError}).
 * @param folders the service folders to load
 * @default folders every folder of `services/` that holds a `service.ts` (`listServiceFolders`)
 */
export async function discoverServices(
  root: string,
  loadService: ServiceModuleLoader = importServiceModule,
  folders: readonly string[] = listServiceFolders(root).services,
): Promise<DiscoveredService[]> {
  const problems: SpecError[] = [];
  const throws: ServiceFileThrow[] = [];
  const loaded = await Promise.all(
    folders.map(async (folder): Promise<DiscoveredService | undefined> => {
      const file = `${SERVICES_DIR}/${folder}/${SERVICE_SPEC_FILE}`;
      let module: ServiceModule;
      try {
        module = await loadService(file, root);
      } catch (error) {
        if (error instanceof SpecError) {
          problems.push(error.inFile(file));
          return undefined;
        }
        const thrown = thrownByServiceCode(error, root, folder);
        if (thrown === undefined) throw error;
        throws.push({ file, ...thrown });
        return undefined;
      }
      try {
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
  // A file that threw has no spec to check: said first, and alone.
  if (throws.length > 0) throw new ServiceFileError(throws.sort((a, b) => (a.file < b.file ? -1 : 1)));
  if (problems.length > 0)
    throw new SpecError(
      problems.flatMap((p) => p.problems.map((problem) => ({ ...problem, file: problem.file ?? p.file }))),
    );
  return loaded.filter((s): s is DiscoveredService => s !== undefined);
}

/**
 * What a failed load is, as the service file's (its `service.ts`, or its contract `src/api.ts`, which the
 * synth loads for the OpenAPI documents): everything its loading threw but what
 * failed around the code, which is rethrown as it is: the platform's own errors (a folder
 * that changed while it was read) and a module the loader cannot find (a compiled file
 * that another synth's clean-up removed: tools/run-app.mjs compiles again on
 * `ERR_MODULE_NOT_FOUND`). Located at the first frame of its stack in the service's folder
 * (where it threw), else at the deepest frame in the repository's own files (a shared
 * module it imports, such as `lib/config.ts`), else nowhere (a thrown value that is no
 * Error, or no frame of its stack in the repository).
 */
export function thrownByServiceCode(
  error: unknown,
  root: string,
  folder: string,
): Pick<ServiceFileThrow, "thrown" | "location"> | undefined {
  if (isPlatformError(error)) return undefined;
  if (!(error instanceof Error)) return { thrown: error };
  const location = thrownLocation(error, root, `${SERVICES_DIR}/${folder}`);
  if (location !== undefined) return { thrown: error, location };
  if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
  return { thrown: error, location: thrownLocationInRepository(error, root) };
}

/**
 * What a version may look like: it becomes the tag of the service's image (on both
 * targets) and a label, so it is an image tag's characters: letters, digits, '_', '.'
 * and '-', starting with a letter, digit or '_', at most 128 characters.
 */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

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
