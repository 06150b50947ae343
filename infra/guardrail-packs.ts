import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { ServiceModuleLoader } from "./discover-services.js";
import { GuardrailPackError, definePack, rulesOfPacks, type GuardrailPack } from "./guardrails/pack.js";
import { PLATFORM_PACK } from "./guardrails/rules/index.js";
import type { GuardrailRule } from "./guardrails/rule.js";
import { GUARDRAIL_PACKS_DIR } from "./repository-layout.js";

/**
 * The rules of a synth: the platform's pack, then every team pack found in
 * `extensions/guardrails/*.ts` (sorted by file name), each checked like a pack made with
 * `definePack`, whatever the file exports. Throws a {@link GuardrailPackError} naming the
 * file of each pack that cannot be used.
 */
export async function discoverGuardrailRules(root: string, load: ServiceModuleLoader): Promise<readonly GuardrailRule[]> {
  const dir = path.join(root, GUARDRAIL_PACKS_DIR);
  const files = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.startsWith("."))
        .map((entry) => `${GUARDRAIL_PACKS_DIR}/${entry.name}`)
        .sort()
    : [];
  const problems: string[] = [];
  const packs: GuardrailPack[] = [PLATFORM_PACK];
  for (const file of files) {
    try {
      packs.push(definePack((await load(file, root)).default as GuardrailPack));
    } catch (error) {
      if (!(error instanceof GuardrailPackError)) throw error;
      problems.push(...error.problems.map((problem) => `${file}: ${problem}`));
    }
  }
  if (problems.length > 0) throw new GuardrailPackError(problems);
  try {
    return rulesOfPacks(packs);
  } catch (error) {
    if (!(error instanceof GuardrailPackError)) throw error;
    throw new GuardrailPackError(error.problems.map((problem) => `${GUARDRAIL_PACKS_DIR}: ${problem}`));
  }
}
