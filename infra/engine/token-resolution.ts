import type { IConstruct } from "constructs";
import { Token, resolveTokens } from "./cdk.js";

/**
 * Strings that may hold an encoded cdktf token: the string, list and map token markers
 * (`${TfToken[`, `#{TfToken[`, `&{TfToken[`), Terraform expressions and escapes (`${`),
 * and anything cdktf's number-token pattern could match (a digit, sign, `.` or `|`
 * before an `e`). A string without any of these resolves to itself.
 */
const MAY_HOLD_TOKEN = /\$\{|#\{|&\{|TfToken|[-|\d.+]e/;

/**
 * cdktf encodes number tokens as doubles with all of the top exponent bits set (about
 * ±1e289 and beyond); a finite number well below that is a plain number.
 */
const LARGEST_PLAIN_NUMBER = 1e200;

function stringMayHoldToken(value: string): boolean {
  return MAY_HOLD_TOKEN.test(value) || value === Token.STRING_MAP_TOKEN_VALUE || value === Token.ANY_MAP_TOKEN_VALUE;
}

function numberMayBeToken(value: number): boolean {
  return !(Math.abs(value) < LARGEST_PLAIN_NUMBER) || value === Token.NUMBER_MAP_TOKEN_VALUE;
}

/** A plain object (not an array, a token, a construct or another class's instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return (
    (prototype === Object.prototype || prototype === null) &&
    typeof (value as { resolve?: unknown }).resolve !== "function"
  );
}

/**
 * Resolves the tokens in `value` exactly as cdktf's `resolve` does, in a fraction of
 * the time. cdktf walks every value of a resource's configuration with a fresh
 * resolution context per key, although most values are plain strings, numbers and
 * objects without any token. This walk copies those directly (dropping `undefined`
 * the way cdktf does) and hands everything else to cdktf: a string or number that may
 * be a token, an array holding one, an object that is not a plain object (a token, a
 * construct, a class instance) or whose keys may hold one. When in doubt it hands over,
 * so the output is the same (a test compares both on every environment's stack); only
 * the path in cdktf's message for a value that cannot be resolved starts at that value.
 */
export function resolveStackValue(scope: IConstruct, value: unknown): unknown {
  switch (typeof value) {
    case "undefined":
    case "boolean":
      return value;
    case "string":
      return stringMayHoldToken(value) ? resolveTokens(scope, value) : value;
    case "number":
      return numberMayBeToken(value) ? resolveTokens(scope, value) : value;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return resolveTokens(scope, value);
        const listTokenPossible = value.some(
          (item) =>
            (typeof item === "string" && stringMayHoldToken(item)) ||
            (typeof item === "number" && numberMayBeToken(item)),
        );
        if (listTokenPossible) return resolveTokens(scope, value);
        const items: unknown[] = [];
        for (const item of value) {
          const resolved = resolveStackValue(scope, item);
          if (resolved !== undefined) items.push(resolved);
        }
        return items;
      }
      if (!isPlainObject(value)) return resolveTokens(scope, value);
      const keys = Object.keys(value);
      if (keys.some(stringMayHoldToken)) return resolveTokens(scope, value);
      const result: Record<string, unknown> = {};
      for (const key of keys) {
        const resolved = resolveStackValue(scope, value[key]);
        if (resolved !== undefined) result[key] = resolved;
      }
      return result;
    }
    default:
      // Functions, symbols and bigints: cdktf says what is wrong with them.
      return resolveTokens(scope, value);
  }
}
