import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { escapeRegExp } from "./output-files.js";

/**
 * The name {@link writeStableJson} gives the file it writes first beside `fileName`,
 * `<fileName>.<pid>.tmp` (group 1: the pid): what a synth killed half way leaves, for
 * the next one to remove. Only that name: the folder is also Terraform's.
 */
export function stableJsonLeftovers(fileName: string): RegExp {
  return new RegExp(`^${escapeRegExp(fileName)}\\.(\\d+)\\.tmp$`);
}

/**
 * Pretty-printed JSON with every object's keys sorted, the text cdktf 0.21 writes to
 * `cdk.tf.json` (its `json-stable-stringify` with `{ space: 2 }`), made in a fraction
 * of the time and written to the file in pieces instead of as one string of tens of
 * megabytes.
 *
 * The same text means the same quirks: keys sorted by UTF-16 code units, an empty
 * object or array still broken over two lines (`{` and `}` on the next line at the
 * parent's indentation), `undefined` and functions left out of objects and written as
 * `null` in arrays, `toJSON()` called without arguments, no newline at the end, and a
 * `TypeError` for an object that contains itself.
 */
export function writeStableJson(file: string, value: unknown): void {
  // Written beside the file, then renamed over it: a reader, or a synth that stops half
  // way, never leaves a half-written cdk.tf.json.
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    try {
      const writer = new ChunkWriter((text) => writeSync(fd, text));
      emit(jsonValueOf(value), 0, writer, new Set());
      writer.flush();
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The text {@link writeStableJson} writes, as one string (for tests and small values). */
export function stableJson(value: unknown): string | undefined {
  let text = "";
  const writer = new ChunkWriter((chunk) => (text += chunk));
  const written = emit(jsonValueOf(value), 0, writer, new Set());
  writer.flush();
  return written ? text : undefined;
}

/** Collects small pieces of text and hands them on in chunks of about 64 KiB: few writes, no huge string. */
class ChunkWriter {
  private pending = "";
  constructor(private readonly sink: (text: string) => void) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= 65536) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.sink(this.pending);
    this.pending = "";
  }
}

const SPACE = "  ";
/** "\n" and the indentation of each level, made once. */
const newlines: string[] = [];
function newlineAt(level: number): string {
  newlines[level] ??= `\n${SPACE.repeat(level)}`;
  return newlines[level];
}

/**
 * The value to write in place of `value`: what its `toJSON()` returns, if it has one (called once, without arguments).
 */
function jsonValueOf(value: unknown): unknown {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function")
    return (value as { toJSON: () => unknown }).toJSON();
  return value;
}

/** Whether a value (after `toJSON`) has no JSON text: undefined, a function, a symbol. */
function hasNoJsonText(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** Writes `value` (after `toJSON`) at nesting `level`; false, with nothing written, when it has no JSON text. */
function emit(value: unknown, level: number, out: ChunkWriter, ancestors: Set<object>): boolean {
  if (typeof value !== "object" || value === null) {
    if (hasNoJsonText(value)) return false;
    out.write(JSON.stringify(value));
    return true;
  }
  const closing = newlineAt(level);
  const itemStart = newlineAt(level + 1);
  if (Array.isArray(value)) {
    out.write("[");
    for (let index = 0; index < value.length; index++) {
      out.write(index === 0 ? itemStart : `,${itemStart}`);
      if (!emit(jsonValueOf(value[index]), level + 1, out, ancestors)) out.write("null");
    }
    out.write(`${closing}]`);
    return true;
  }
  if (ancestors.has(value)) throw new TypeError("Converting circular structure to JSON");
  ancestors.add(value);
  out.write("{");
  const record = value as Record<string, unknown>;
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const item = jsonValueOf(record[key]);
    if (hasNoJsonText(item)) continue;
    out.write(`${first ? itemStart : `,${itemStart}`}${JSON.stringify(key)}: `);
    emit(item, level + 1, out, ancestors);
    first = false;
  }
  out.write(`${closing}}`);
  ancestors.delete(value);
  return true;
}
