import type { z } from "zod";
import { PlatformError } from "../platform-error.js";
import { SECRET_LIKE_ENV_NAME } from "./secret-like-names.js";

/** Keys whose values a message never shows: the secret-like names, and connection strings. */
const SENSITIVE_KEY = new RegExp(`${SECRET_LIKE_ENV_NAME.source}|^(url|uri|dsn|password)$|_(URL|URI|DSN)$`, "i");
/** What a message shows instead of a value it must not show. */
const HIDDEN = "(not shown)";

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

/**
 * The value as a message may show it: under a sensitive key (a secret-like name, `url`,
 * `uri`, `dsn`, `password`), nothing; inside it, those keys' values replaced; the
 * credentials of a URL (`postgres://user:secret@host`) replaced.
 */
function redacted(value: unknown, key: PropertyKey | undefined): unknown {
  // `secretName` names a Secret, it holds none.
  if (value !== undefined && typeof key === "string" && !key.endsWith("Name") && SENSITIVE_KEY.test(key)) return HIDDEN;
  if (typeof value === "string") return value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1(not shown)@");
  if (Array.isArray(value)) return value.map((item) => redacted(item, undefined));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(v, k)]));
  return value;
}

/** Turns zod's issues into spec problems. */
export function problemsFromZod(error: z.ZodError): SpecProblem[] {
  return error.issues.map((issue) => {
    // An unknown key: its name is what is wrong; the object's values (a literal password
    // next to it) are not shown.
    if (issue.code === "unrecognized_keys")
      return {
        field: formatFieldPath(issue.path),
        value: `${issue.keys.length === 1 ? "key" : "keys"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`,
        message: issue.message,
      };
    // A discriminated union (a backing service's `type`) refuses the whole object under the
    // discriminator's path: what was given is the discriminator's value, not the object.
    const { input: given, discriminator } = issue as { input?: unknown; discriminator?: string };
    const input = redacted(
      discriminator !== undefined && typeof given === "object" && given !== null
        ? (given as Record<string, unknown>)[discriminator]
        : given,
      issue.path.at(-1),
    );
    // A refused record key: zod says "Invalid key in record" and keeps what the key's own
    // schema said (what is accepted) in the nested issues.
    const message =
      issue.code === "invalid_key" && issue.issues[0] !== undefined ? issue.issues[0].message : issue.message;
    const isSecretLike = /literal value/.test(message);
    return {
      field: formatFieldPath(issue.path),
      value: isSecretLike ? "a literal value" : formatValue(input),
      message,
    };
  });
}
