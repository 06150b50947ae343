import { canonicalJson } from "./openapi.js";

/**
 * The keywords of a JSON Schema that narrow the values of its type (zod's `.min()`,
 * `.max()`, `.length()`, `.int()`, `.uuid()`, `.email()`, `.regex()`...), and how a change of
 * one is read: a bound that rises (a lower bound) or falls (an upper bound), or a format
 * or pattern that appears, accepts fewer values; the reverse accepts more.
 */

/** Lower bounds: a higher value accepts fewer values. */
const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
/** Upper bounds: a lower value accepts fewer values. */
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;
/** Constraints that are there or not: one added accepts fewer values; replaced by another, it cannot be ordered. */
const CONSTRAINTS = ["format", "pattern"] as const;

/** Every keyword this file reads. */
export const BOUND_KEYWORDS: ReadonlySet<string> = new Set([...LOWER_BOUNDS, ...UPPER_BOUNDS, ...CONSTRAINTS]);

/** How the values a schema's bounds accept changed. */
export interface BoundChanges {
  /** Keywords whose change accepts fewer values, described (`minimum 1 -> 5`). */
  readonly narrowed: readonly string[];
  /** Keywords whose change accepts more values. */
  readonly widened: readonly string[];
  /** Keywords whose change cannot be ordered (a format replaced by another). */
  readonly unordered: readonly string[];
}

/**
 * The bounds of `before` and `after` compared keyword by keyword. The safe-integer range
 * zod writes for `.int()` (`minimum: -(2^53-1)`, `maximum: 2^53-1`) is read as no bound:
 * an integer type says it already, and a number made `.int()` is then only a narrowed type.
 */
export function compareBounds(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): BoundChanges {
  const narrowed: string[] = [];
  const widened: string[] = [];
  const unordered: string[] = [];
  const ordered = (keyword: string, higherIsNarrower: boolean) => {
    const [a, b] = [boundOf(keyword, before[keyword]), boundOf(keyword, after[keyword])];
    if (a === b) return;
    const text = describe(keyword, a, b);
    if (a === undefined) narrowed.push(text);
    else if (b === undefined) widened.push(text);
    else if (typeof a !== "number" || typeof b !== "number") unordered.push(text);
    else (b > a === higherIsNarrower ? narrowed : widened).push(text);
  };
  for (const keyword of LOWER_BOUNDS) ordered(keyword, true);
  for (const keyword of UPPER_BOUNDS) ordered(keyword, false);
  for (const keyword of CONSTRAINTS) {
    const [a, b] = [before[keyword], after[keyword]];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    const text = describe(keyword, a, b);
    if (a === undefined) narrowed.push(text);
    else if (b === undefined) widened.push(text);
    else unordered.push(text);
  }
  return { narrowed, widened, unordered };
}

/** A bound's value, or undefined when there is none (zod's safe-integer range included). */
function boundOf(keyword: string, value: unknown): unknown {
  if (keyword === "minimum" && value === -Number.MAX_SAFE_INTEGER) return undefined;
  if (keyword === "maximum" && value === Number.MAX_SAFE_INTEGER) return undefined;
  return value;
}

/** `minimum 1 -> 5`, `format none -> "uuid"`; a pattern by its name alone (it can be long). */
function describe(keyword: string, before: unknown, after: unknown): string {
  if (keyword === "pattern") return "pattern";
  const show = (value: unknown) => (value === undefined ? "none" : canonicalJson(value));
  return `${keyword} ${show(before)} -> ${show(after)}`;
}
