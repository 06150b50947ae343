import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { AdjustmentError, defineAdjustment, unknownEnvironments, type Adjustment } from "./adjustments.js";
import type { ServiceModuleLoader } from "./discover-services.js";
import { GuardrailPackError, definePack, rulesOfPacks, type GuardrailPack } from "./guardrails/pack.js";
import { PLATFORM_PACK } from "./guardrails/rules/index.js";
import type { GuardrailRule } from "./guardrails/rule.js";
import { PlatformError } from "./platform-error.js";
import { ADJUSTMENTS_DIR, GUARDRAIL_PACKS_DIR } from "./repository-layout.js";

/** What a platform team adds in `extensions/`, loaded and checked. */
export interface Extensions {
  /** The platform's rules, then every team pack's, each at its pack's level. */
  readonly guardrailRules: readonly GuardrailRule[];
  /** The adjustments, in the order of their file names. */
  readonly adjustments: readonly Adjustment[];
}

/** Extensions that cannot be used: one line per problem, each naming its file. */
export class ExtensionError extends PlatformError {
  constructor(readonly problems: readonly string[]) {
    super("EXTENSION_INVALID", problems.join("\n"));
  }
}

/**
 * The module files of one folder of extensions: every `.ts` file but tests and dot-files,
 * sorted, relative to the root (tools/run-app.mjs lists them by the same rule).
 */
export function extensionFiles(root: string, folder: string): string[] {
  const dir = path.join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.startsWith("."),
    )
    .map((entry) => `${folder}/${entry.name}`)
    .sort();
}

/**
 * Loads the team's extensions: every rule pack of `extensions/guardrails/` and every
 * adjustment of `extensions/adjustments/`, each checked as `definePack` and
 * `defineAdjustment` check, whatever the file exports. Throws an {@link ExtensionError}
 * naming the file of each one that cannot be used.
 */
export async function loadExtensions(
  root: string,
  load: ServiceModuleLoader,
  environments: readonly string[],
): Promise<Extensions> {
  const problems: string[] = [];
  const packs: GuardrailPack[] = [PLATFORM_PACK];
  const packFiles = new Map<GuardrailPack, string>();
  for (const file of extensionFiles(root, GUARDRAIL_PACKS_DIR)) {
    try {
      const pack = definePack((await load(file, root)).default as GuardrailPack);
      packs.push(pack);
      packFiles.set(pack, file);
    } catch (error) {
      if (!(error instanceof GuardrailPackError)) throw error;
      problems.push(...error.problems.map((problem) => `${file}: ${problem}`));
    }
  }
  const adjustments: Array<{ file: string; adjustment: Adjustment }> = [];
  for (const file of extensionFiles(root, ADJUSTMENTS_DIR)) {
    try {
      adjustments.push({ file, adjustment: defineAdjustment((await load(file, root)).default as Adjustment) });
    } catch (error) {
      if (!(error instanceof AdjustmentError)) throw error;
      problems.push(...error.problems.map((problem) => `${file}: ${problem}`));
    }
  }
  problems.push(...unknownEnvironments(adjustments, environments));
  let guardrailRules: readonly GuardrailRule[] = [];
  try {
    guardrailRules = rulesOfPacks(packs, packFiles);
  } catch (error) {
    if (!(error instanceof GuardrailPackError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0) throw new ExtensionError(problems);
  return { guardrailRules, adjustments: adjustments.map((a) => a.adjustment) };
}
