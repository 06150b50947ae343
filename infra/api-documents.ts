/**
 * Each service's OpenAPI document, from its API contract (`services/<name>/src/api.ts`).
 * The one module of infra/ that reads the service runtime's contract module, and only
 * the two files it needs (the check that a value is a contract, the OpenAPI writer):
 * they import nothing but zod.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { isContract } from "../templates/runtime/src/contract/define-contract.js";
import { toOpenApi } from "../templates/runtime/src/contract/openapi.js";
import { type ServiceModuleLoader, thrownByServiceCode } from "./discover-services.js";
import type { OutputFile } from "./engine/output-files.js";
import { PlatformError } from "./platform-error.js";
import { SERVICES_DIR, SERVICE_API_FILE } from "./repository-layout.js";
import { ServiceFileError, type ServiceFileThrow } from "./service-file-error.js";

/** A service the synth found: its folder and its version (the document's `info.version`). */
export interface ServiceWithVersion {
  readonly folder: string;
  readonly version: string;
}

/**
 * The OpenAPI document of every service that has a `src/api.ts`, as `<name>.openapi.json`
 * (2-space JSON and a final newline; the same contract gives the same bytes). The
 * contract is the file's default export, made by `defineContract`, and its `service` is
 * the folder's name. Every problem of every contract is reported at once, each naming its
 * file, as one `CONTRACT_INVALID` error; a contract file whose code threw while it was
 * loaded is named with the line that threw, as a service file is ({@link ServiceFileError}).
 */
export async function renderApiDocuments(
  root: string,
  services: readonly ServiceWithVersion[],
  loadApi: ServiceModuleLoader,
): Promise<OutputFile[]> {
  const withContract = [...services]
    .filter((s) => existsSync(path.join(root, SERVICES_DIR, s.folder, SERVICE_API_FILE)))
    .sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
  const problems: string[] = [];
  const throws: ServiceFileThrow[] = [];
  const files = await Promise.all(
    withContract.map(async ({ folder, version }): Promise<OutputFile | undefined> => {
      const file = `${SERVICES_DIR}/${folder}/${SERVICE_API_FILE}`;
      let exported: unknown;
      try {
        exported = (await loadApi(file, root)).default;
      } catch (error) {
        // defineContract's own refusal (a ContractError, matched by name: the bundle may hold another copy of the class).
        if (error instanceof Error && error.name === "ContractError") {
          const listed = (error as Error & { problems?: readonly string[] }).problems ?? [error.message];
          problems.push(...listed.map((problem) => `${file}: ${problem}`));
          return undefined;
        }
        const thrown = thrownByServiceCode(error, root, folder);
        if (thrown === undefined) throw error;
        throws.push({ file, ...thrown });
        return undefined;
      }
      if (!isContract(exported)) {
        problems.push(
          `${file}: the default export is not a contract; accepted: export default defineContract({ service: "${folder}", operations: {...} }) from @platform/service-runtime/contract`,
        );
        return undefined;
      }
      if (exported.service !== folder) {
        problems.push(
          `${file}: service: got ${JSON.stringify(exported.service)}; accepted: "${folder}", the name of the service's folder`,
        );
        return undefined;
      }
      try {
        return {
          path: `${folder}.openapi.json`,
          content: `${JSON.stringify(toOpenApi(exported, { version }), null, 2)}\n`,
        };
      } catch (error) {
        problems.push(`${file}: ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  // A file that threw has no contract to check: said first, and alone (as discovery does).
  if (throws.length > 0) throw new ServiceFileError(throws.sort((a, b) => (a.file < b.file ? -1 : 1)));
  if (problems.length > 0) throw new PlatformError("CONTRACT_INVALID", problems.join("\n"));
  return files.filter((f): f is OutputFile => f !== undefined);
}
