import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";
import { SERVICE_SPEC_FILE, SERVICES_DIR } from "./repository-layout.js";
import { editsBetween } from "./spec/closest-name.js";

/** A folder of `services/` that holds no `service.ts`, so is no service. */
export interface NotAServiceFolder {
  /** The folder's name, such as `billing`. */
  readonly folder: string;
  /** Files in it named almost `service.ts` (`Service.ts`, `service.js`, `servcie.ts`), sorted. */
  readonly nearMisses: readonly string[];
}

/** The folders of `services/`: the services, and the folders that are not. */
export interface ServiceFolders {
  /** The folders holding a `service.ts`, sorted: one service each. */
  readonly services: readonly string[];
  /** The other folders, sorted: each is left out of every environment, and said so. */
  readonly notServices: readonly NotAServiceFolder[];
}

/** How many edits (closest-name.ts) a file name may be from `service.ts`, ignoring case, to be taken for a mistyped one. */
const NEAR_MISS_DISTANCE = 2;

/**
 * Lists the folders of `<root>/services/`. A folder is a service when it holds a file
 * named exactly `service.ts` (on a file system that ignores case too: `Service.ts` is no
 * service on Linux, so it is none anywhere). A folder whose name starts with a dot is
 * neither: it is new:service's staging folder (maybe half-written, or left by a killed run).
 */
export function listServiceFolders(root: string): ServiceFolders {
  const services: string[] = [];
  const notServices: NotAServiceFolder[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(root, SERVICES_DIR), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { services, notServices };
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    let files: string[];
    try {
      files = readdirSync(path.join(root, SERVICES_DIR, entry.name));
    } catch (error) {
      // Removed since the listing (another command changing services/): not there.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    if (files.includes(SERVICE_SPEC_FILE)) services.push(entry.name);
    else
      notServices.push({
        folder: entry.name,
        nearMisses: files
          .filter((file) => editsBetween(file.toLowerCase(), SERVICE_SPEC_FILE) <= NEAR_MISS_DISTANCE)
          .sort(),
      });
  }
  return { services: services.sort(), notServices: notServices.sort((a, b) => (a.folder < b.folder ? -1 : 1)) };
}

/**
 * Why a folder is not a service, and what to do: rename a near miss, or add a
 * `service.ts` (or remove the folder).
 */
export function describeNotAService({ folder, nearMisses }: NotAServiceFolder): string {
  const where = `${SERVICES_DIR}/${folder}`;
  return nearMisses.length > 0
    ? `${where} has no ${SERVICE_SPEC_FILE}, so it is not a service; it has ${nearMisses.join(", ")}: a service's spec file is named ${SERVICE_SPEC_FILE}, exactly (rename it)`
    : `${where} has no ${SERVICE_SPEC_FILE}, so it is not a service: add one (README.md, "Adding a service by hand"), or remove the folder`;
}
