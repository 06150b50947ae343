import { PlatformError } from "../platform-error.js";

/** One thing wrong with a spec: where, what was given, and what is accepted. */
export interface SpecProblem {
  /** The service file this problem is in, when it is not the error's own file. */
  readonly file?: string;
  /** The field path, like `scaling.min` or `dependsOn[0]`. */
  readonly field: string;
  /** What was given, rendered for a message; secrets are never rendered. */
  readonly value: string;
  /** What is wrong and what is accepted. */
  readonly message: string;
}

/**
 * A spec that cannot be used. The message lists every problem, one per line, each
 * naming the file (once known), the field, the bad value and what is accepted.
 */
export class SpecError extends PlatformError {
  constructor(
    readonly problems: readonly SpecProblem[],
    /** The service file, relative to the repository root, once the loader knows it. */
    readonly file?: string,
  ) {
    super("SPEC_INVALID", SpecError.render(problems, file));
  }

  /** The same problems, attributed to a file. */
  inFile(file: string): SpecError {
    return new SpecError(this.problems, file);
  }

  private static render(problems: readonly SpecProblem[], file?: string): string {
    const where = file ?? "service spec";
    return problems.map((p) => `${p.file ?? where}: ${p.field}: ${p.message} (got ${p.value})`).join("\n");
  }
}

/** Renders a field path like `environments.production.scaling.min` or `dependsOn[1]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      "",
    ) || "(spec)"
  );
}

/** Renders a given value for a message: short, and never a secret. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  // JSON leaves invisible characters (zero-width spaces, bidi controls) as they are; a
  // message that shows them would look as if nothing was wrong, so they are escaped.
  const text = json.replace(/(?! )[\p{C}\p{Z}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
