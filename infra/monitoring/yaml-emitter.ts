/**
 * YAML for the files synth writes (rules, rule tests, scrape configuration), made from
 * plain data: mappings and sequences in block style, one value per line, multi-line
 * strings (PromQL) as literal blocks, so that a pull request's diff of a rules file is
 * line by line. It writes only JSON-like data (objects, arrays, strings, finite numbers,
 * booleans, null), which is all these files hold, and so it needs none of a general YAML
 * library's document model: for a 500-service catalogue it is about 20 times faster
 * than the `yaml` package's stringify, which took a third of the synth.
 *
 * Strings stay plain only when no YAML reader could take them for anything else (a
 * number, a boolean, null, an indicator, a comment, a key); every other string is
 * double-quoted with JSON's escapes, which are YAML's too.
 */

/** Renders JSON-like data as a YAML document (ending with a newline). */
export function emitYaml(value: unknown): string {
  return isBlock(value) ? block(value, 0, "") : `${scalar(value, 0)}\n`;
}

type Block = Readonly<Record<string, unknown>> | readonly unknown[];

const INDENT = "  ";

/** A non-empty object or array: written over several lines, below its key or dash. */
function isBlock(value: unknown): value is Block {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value !== "object" || value === null) return false;
  for (const key in value) if ((value as Record<string, unknown>)[key] !== undefined) return true;
  return false;
}

/**
 * The lines of a non-empty object or array whose entries start at `indent` levels, each
 * ending with a newline; the first starts with `firstPad` instead (a sequence item's "- ").
 */
function block(value: Block, indent: number, firstPad: string): string {
  const pad = INDENT.repeat(indent);
  let text = "";
  let linePad = firstPad || pad;
  if (Array.isArray(value)) {
    for (const item of value) {
      // "- " stands in front of the item's first line, in place of its indentation.
      text += isBlock(item)
        ? block(item, indent + 1, `${linePad}- `)
        : `${linePad}- ${scalar(item === undefined ? null : item, indent + 1)}\n`;
      linePad = pad;
    }
    return text;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    text += isBlock(item)
      ? `${linePad}${plainOrQuoted(key)}:\n${block(item, indent + 1, "")}`
      : `${linePad}${plainOrQuoted(key)}: ${scalar(item, indent + 1)}\n`;
    linePad = pad;
  }
  return text;
}

/** A value on the line of its key or dash; a literal block's lines are indented `indent` levels. */
function scalar(value: unknown, indent: number): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new Error(`emitYaml: cannot write the number ${value}; only finite numbers are accepted`);
    return String(value);
  }
  if (typeof value === "string") return literalBlock(value, indent) ?? plainOrQuoted(value);
  if (Array.isArray(value)) return "[]";
  if (typeof value === "object") return "{}";
  throw new Error(
    `emitYaml: cannot write a value of type ${typeof value}; accepted: objects, arrays, strings, finite numbers, booleans, null`,
  );
}

/**
 * A plain string here starts with a letter, `_` or `/` (no indicator, digit or dot, so
 * neither a number nor `.inf`) and holds printable ASCII. Inside a block mapping, flow
 * characters (`{}[],`) and quotes need no quoting, so PromQL selectors stay as written;
 * what does is `: ` (a key), ` #` (a comment) and a trailing `:` or blank.
 */
const PLAIN = /^[A-Za-z_/][\x20-\x7e]*$/;
/** Words YAML 1.1 or 1.2 readers (Prometheus' Go reader among them) take for booleans or null. */
const KEYWORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;

function plainOrQuoted(text: string): string {
  const plain =
    PLAIN.test(text) &&
    !KEYWORDS.test(text) &&
    !text.includes(": ") &&
    !text.includes(" #") &&
    !text.endsWith(":") &&
    !text.endsWith(" ");
  return plain ? text : quoted(text);
}

/** JSON's double-quoted form, with the characters YAML treats as line breaks or BOM escaped too. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * `|-` (or `|` when it ends with one newline) and the lines below, when the text has
 * several lines that a literal block keeps exactly: no leading blank on the first line
 * (it would set the block's indentation), no trailing blanks, no carriage returns or
 * other control characters.
 */
function literalBlock(text: string, indent: number): string | undefined {
  if (!text.includes("\n")) return undefined;
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (
    !/^[^\s]/.test(body) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this test's purpose
    /[ \t]$|[ \t]\n|\n$|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(body)
  )
    return undefined;
  const pad = INDENT.repeat(indent);
  return `${text.endsWith("\n") ? "|" : "|-"}\n${body
    .split("\n")
    .map((line) => (line === "" ? "" : `${pad}${line}`))
    .join("\n")}`;
}
