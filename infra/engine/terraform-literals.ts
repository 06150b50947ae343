/**
 * The one boundary between the platform's values and Terraform's expressions.
 *
 * Terraform reads every string of a resource's arguments in its JSON as a template, the
 * property names of an object included: `${` opens an interpolation and `%{` a directive.
 * A value that came from a service file (its description, a path, an env value, the
 * version in its package.json) must reach Terraform as the very text it was, whatever
 * construct carries it. So every plain string of the arguments a construct gives a
 * resource or data source is made a literal here, as the stack is rendered, instead of
 * field by field in the constructs: a field added later is covered without a line of
 * its own (a test walks the spec's schema to show it).
 *
 * An expression the platform means (a reference, a function call) is always a cdktf
 * token: a reference to an attribute, a variable, or {@link terraformExpression} for an
 * expression written out. A token's marker in a string is kept and resolved by cdktf;
 * discovery refuses markers in service files, so every marker is the platform's own.
 * Escape-hatch overrides (`addOverride`) are Terraform's own JSON and stay as written:
 * a value from a service file never goes there.
 */
import { Token } from "./cdk.js";
import { isPlainObject } from "./token-resolution.js";

/** A cdktf string token as encoded in a string (`${TfToken[TOKEN.12]}`). */
const STRING_TOKEN = String.raw`\$\{TfToken\[[\w.]+\]\}`;
/** A string token (kept), or the opening of an interpolation or a directive (doubled). */
const TEMPLATE_SEQUENCE = new RegExp(`(${STRING_TOKEN})|([$%])\\{`, "g");

/**
 * `text` as a string Terraform takes literally: `${` and `%{` doubled (`$${`, `%%{`), which
 * is Terraform's escape, so that the value that comes out of Terraform is `text` (in
 * Unicode's NFC form, to which Terraform brings every string). The markers of cdktf's
 * string tokens in it are left for cdktf to resolve.
 */
export function terraformLiteral(text: string): string {
  if (!text.includes("{")) return text;
  return text.replace(
    TEMPLATE_SEQUENCE,
    (_match, token: string | undefined, sign: string | undefined) => token ?? `${sign}${sign}{`,
  );
}

/**
 * `text` as a quoted string inside an expression the platform writes
 * (`fileset("..", "<text>")`): quotes, backslashes and control characters escaped the
 * way HCL's quoted templates read them, and template sequences doubled.
 */
export function hclStringLiteral(text: string): string {
  // JSON's escapes are HCL's but for \b and \f; an escape is read whole, so that the
  // "\\" of a backslash is never taken for the start of another.
  const quoted = JSON.stringify(text).replace(
    /\\([\s\S])|[\u007f-\u009f\u2028\u2029]/g,
    (match: string, escaped: string | undefined) => {
      if (escaped === "b") return "\\u0008";
      if (escaped === "f") return "\\u000c";
      if (escaped !== undefined) return match;
      return `\\u${match.charCodeAt(0).toString(16).padStart(4, "0")}`;
    },
  );
  return terraformLiteral(quoted);
}

/**
 * An expression the platform writes out (`${sha1(...)}`), as a cdktf token, so that
 * {@link literalArguments} leaves it an expression. The only way to put a written-out
 * expression into a resource's arguments; anything from a service file enters it only
 * through {@link hclStringLiteral}.
 */
export function terraformExpression(expression: string): string {
  return Token.asString({ resolve: () => expression, creationStack: [], toString: () => expression });
}

/**
 * A resource's or data source's arguments as its construct gives them
 * (`synthesizeAttributes()`, before cdktf adds meta-arguments and escape-hatch
 * overrides), with every plain string and property name made a literal
 * ({@link terraformLiteral}). Copies only what changes: arguments without `${` or `%{`
 * are returned as they are.
 */
export function literalArguments<T>(attributes: T): T {
  return literalValue(attributes) as T;
}

function literalValue(value: unknown): unknown {
  if (typeof value === "string") return terraformLiteral(value);
  if (Array.isArray(value)) {
    // A list token (an array of another class) is cdktf's to resolve.
    if (Object.getPrototypeOf(value) !== Array.prototype) return value;
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const literal = literalValue(item);
      if (literal === item) return;
      copy ??= [...value];
      copy[index] = literal;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const literalKey = terraformLiteral(key);
    const item = value[key];
    const literal = literalValue(item);
    if (literalKey === key && literal === item) continue;
    copy ??= { ...value };
    if (literalKey !== key) delete copy[key];
    copy[literalKey] = literal;
  }
  return copy ?? value;
}
