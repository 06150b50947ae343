import { PlatformError } from "../platform-error.js";
import { deepFreeze, type GuardrailLevel, type GuardrailRule } from "./rule.js";
import { PACK_ID, RULE_ID } from "./rule-id.js";

/**
 * A rule pack: rules that run at every synth, with the platform's, reported and
 * suppressible the same way. The platform's own rules are one pack; a platform team adds
 * its rules as a pack of its own in `extensions/guardrails/<name>.ts`
 * (`export default definePack({...})`), without editing `infra/`.
 */
export interface GuardrailPack {
  /** The pack's id, which prefixes each of its rules' ids: `ACME` for `ACME-01`. */
  readonly id: string;
  /** What the pack checks, in one line. */
  readonly description: string;
  readonly rules: readonly GuardrailRule[];
  /**
   * The level of some of the pack's own rules, by rule id: the pack, not the rule, decides
   * whether a finding fails the synth (`error`) or is reported (`warning`).
   * @default - each rule's own level
   */
  readonly levels?: Readonly<Record<string, GuardrailLevel>>;
}

/** The platform's own rules, as a pack (K8S, DKR, TF, DATA, NET and MESH rules; its id is no prefix). */
export const PLATFORM_PACK_ID = "platform";

/** The prefixes of the platform's own rules, which no other pack may take. */
export const PLATFORM_RULE_PREFIXES: readonly string[] = ["K8S", "DKR", "TF", "DATA", "NET", "MESH"];

/** A pack that cannot be used: what is wrong with it, one line per problem. */
export class GuardrailPackError extends PlatformError {
  constructor(readonly problems: readonly string[]) {
    super("GUARDRAIL_PACK_INVALID", problems.join("\n"));
  }
}

/**
 * Declares a team's rule pack, checked at once: its id, its rules' ids (`<id>-NN`, each
 * once) and its levels (only for its own rules). Returns it frozen.
 */
export function definePack(pack: GuardrailPack): GuardrailPack {
  const problems = packProblems(pack);
  if (problems.length > 0) throw new GuardrailPackError(problems);
  return deepFreeze(pack);
}

/**
 * The rules of every pack, in the packs' order, each at the level its pack gives it,
 * frozen. Throws a {@link GuardrailPackError} when two packs share an id or a rule id,
 * naming the files of both when `sources` knows them.
 */
export function rulesOfPacks(
  packs: readonly GuardrailPack[],
  sources: ReadonlyMap<GuardrailPack, string> = new Map(),
): readonly GuardrailRule[] {
  const problems: string[] = [];
  const named = (pack: GuardrailPack) => {
    const source = sources.get(pack);
    return source === undefined ? `pack ${pack.id}` : `pack ${pack.id} (${source})`;
  };
  const packsById = new Map<string, GuardrailPack>();
  const ruleOwners = new Map<string, GuardrailPack>();
  for (const pack of packs) {
    const first = packsById.get(pack.id);
    if (first !== undefined)
      problems.push(`${named(pack)}: another pack has the same id${sources.has(first) ? `: ${named(first)}` : ""}`);
    else packsById.set(pack.id, pack);
    for (const rule of pack.rules) {
      const owner = ruleOwners.get(rule.id);
      if (owner !== undefined) problems.push(`${named(pack)}: rule ${rule.id} is already a rule of ${named(owner)}`);
      ruleOwners.set(rule.id, pack);
    }
  }
  if (problems.length > 0) throw new GuardrailPackError(problems);
  return deepFreeze(
    packs.flatMap((pack) =>
      pack.rules.map((rule) => {
        const level = pack.levels?.[rule.id];
        if (level === undefined || level === rule.level) return rule;
        // The rule itself, seen through an object of its own that gives the pack's level
        // (its fields, methods and getters stay the rule's).
        return Object.create(rule, { level: { value: level, enumerable: true } }) as GuardrailRule;
      }),
    ),
  );
}

function packProblems(pack: GuardrailPack): string[] {
  const problems: string[] = [];
  const id = typeof pack?.id === "string" ? pack.id : undefined;
  const name = `pack ${id ?? JSON.stringify(pack?.id)}`;
  if (id === undefined || !PACK_ID.test(id))
    problems.push(`${name}: id must be 2 to 10 upper-case letters and digits, starting with a letter, like ACME`);
  else if (PLATFORM_RULE_PREFIXES.includes(id))
    problems.push(`${name}: id ${id} is the platform's own; choose another, like ACME`);
  if (typeof pack?.description !== "string" || pack.description.trim().length === 0)
    problems.push(`${name}: description must say in one line what the pack checks`);
  if (!Array.isArray(pack?.rules) || pack.rules.length === 0) {
    problems.push(`${name}: rules must list at least one rule`);
    return problems;
  }
  const seen = new Set<string>();
  pack.rules.forEach((rule, index) => {
    const ruleId = rule?.id;
    if (typeof ruleId !== "string" || !RULE_ID.test(ruleId) || ruleId.slice(0, ruleId.lastIndexOf("-")) !== id) {
      problems.push(
        `${name}: rules[${index}].id must be ${id ?? "<id>"}-NN (two digits), like ${id ?? "ACME"}-01 (got ${JSON.stringify(ruleId)})`,
      );
    } else if (seen.has(ruleId)) problems.push(`${name}: rules[${index}].id ${ruleId} is given twice`);
    seen.add(ruleId);
    if (rule?.level !== "error" && rule?.level !== "warning")
      problems.push(`${name}: rules[${index}].level must be "error" or "warning" (got ${JSON.stringify(rule?.level)})`);
    if (rule?.scope !== "resource" && rule?.scope !== "stack")
      problems.push(
        `${name}: rules[${index}].scope must be "resource" or "stack" (got ${JSON.stringify(rule?.scope)})`,
      );
    if (typeof rule?.check !== "function") problems.push(`${name}: rules[${index}].check must be a function`);
    if (rule?.scope === "resource" && typeof rule.appliesTo !== "function")
      problems.push(`${name}: rules[${index}].appliesTo must be a function (type) => boolean`);
    if (typeof rule?.checks !== "string" || rule.checks.length === 0)
      problems.push(`${name}: rules[${index}].checks must say in one line what the rule checks`);
  });
  for (const [ruleId, level] of Object.entries(pack.levels ?? {})) {
    if (!seen.has(ruleId))
      problems.push(`${name}: levels.${ruleId} names no rule of this pack; a pack sets the level of its own rules`);
    else if (level !== "error" && level !== "warning")
      problems.push(`${name}: levels.${ruleId} must be "error" or "warning" (got ${JSON.stringify(level)})`);
  }
  return problems;
}
