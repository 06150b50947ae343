import type { z } from "zod";
import { acceptedNames, closestName } from "./closest-name.js";
import { describeAccepted, fieldsOf, schemaAt, unionAt, unionOptionFor, valuesOf } from "./schema-at-path.js";
import { SECRET_LIKE_ENV_NAME } from "./secret-like-names.js";
import { formatFieldPath, formatValue, type SpecProblem } from "./spec-error.js";

/**
 * The one place where zod's issues become spec problems. Every field and every nested
 * object is worded from the schema itself: an unknown field lists the fields accepted
 * there and the closest one; a value of the wrong type says the type accepted, with an
 * example where the schema gives one (`.meta({ examples })`); a near miss of an accepted
 * value (`"tcp"`, `"postgress"`) is named. A schema's own message (`must be a whole
 * number from 1024 to 65535 ...`) is kept: only zod's generic English is replaced.
 */

/** Keys whose values a message never shows: the secret-like names, and connection strings. */
const SENSITIVE_KEY = new RegExp(`${SECRET_LIKE_ENV_NAME.source}|^(url|uri|dsn|password)$|_(URL|URI|DSN)$`, "i");
/** What a message shows instead of a value it must not show. */
const HIDDEN = "(not shown)";
/** zod's own English messages, which name zod's types ("expected string, received number"), not the spec's. */
const ZOD_GENERIC_MESSAGE =
  /^(Invalid input|Invalid option|Unrecognized keys?|Too (small|big)|Invalid (string|key|element|value))\b/;

/**
 * Turns zod's issues into spec problems, worded from `schema` (what was parsed) and
 * `input` (what the service file gave), which picks the option of a union it was meant for.
 */
export function problemsFromZod(error: z.ZodError, schema: z.ZodType, input: unknown): SpecProblem[] {
  return error.issues.flatMap((issue) => problemsOf(issue as Issue, [], schema, input));
}

/** The fields of zod 4's issues this module reads. */
type Issue = z.core.$ZodIssue & {
  readonly input?: unknown;
  readonly discriminator?: string;
  readonly errors?: Issue[][];
  readonly keys?: string[];
  readonly values?: unknown[];
  readonly issues?: Issue[];
};

function problemsOf(issue: Issue, prefix: readonly PropertyKey[], schema: z.ZodType, input: unknown): SpecProblem[] {
  const path = [...prefix, ...issue.path];
  const at = schemaAt(schema, path, input);
  // An unknown key: its name is what is wrong; the object's values (a literal password
  // next to it) are not shown.
  if (issue.code === "unrecognized_keys") {
    const fields = at === undefined ? [] : fieldsOf(at);
    const where = path.length === 0 ? "the spec" : formatFieldPath(path);
    return (issue.keys ?? []).map((key) => ({
      field: formatFieldPath([...path, key]),
      value: `key ${JSON.stringify(key)}`,
      message: `is not a field of ${where}${acceptedNames(key, fields, "accepted fields")}`,
    }));
  }
  // A union whose value was plainly meant for one of its options (an object where the
  // other options are words): that option's own problems say more than "none matched".
  const union = issue.code === "invalid_union" ? unionAt(schema, path, input) : undefined;
  if (union !== undefined && issue.errors !== undefined) {
    const option = unionOptionFor(union, issue.input);
    const nested = option === undefined ? undefined : issue.errors[option];
    if (nested !== undefined && nested.length > 0)
      return nested.flatMap((inner) => problemsOf(inner, path, schema, input));
  }
  // A discriminated union (a backing service's `type`) refuses the whole object under the
  // discriminator's path: what was given is the discriminator's value, not the object.
  const given =
    issue.discriminator !== undefined && typeof issue.input === "object" && issue.input !== null
      ? (issue.input as Record<string, unknown>)[issue.discriminator]
      : issue.input;
  // A refused record key: zod says "Invalid key in record" and keeps what the key's own
  // schema said (what is accepted) in the nested issues.
  const own = issue.code === "invalid_key" && issue.issues?.[0] !== undefined ? issue.issues[0].message : issue.message;
  const message = ZOD_GENERIC_MESSAGE.test(own) ? plainMessage(issue, at, given) : own;
  const accepted = at === undefined ? [] : valuesOf(at).filter((value): value is string => typeof value === "string");
  const closest = typeof given === "string" && !/did you mean/.test(message) ? closestName(given, accepted) : undefined;
  const isSecretLike = /literal value/.test(message);
  return [
    {
      field: formatFieldPath(path),
      value: isSecretLike ? "a literal value" : formatValue(redacted(given, path.at(-1))),
      message: closest === undefined ? message : `${message}; did you mean ${JSON.stringify(closest)}?`,
    },
  ];
}

/** What a field accepts, in the spec's words, for an issue zod worded in its own. */
function plainMessage(issue: Issue, at: z.ZodType | undefined, given: unknown): string {
  if (issue.code === "invalid_value" && issue.values !== undefined && issue.values.length > 0) {
    const shown = issue.values.map((value) => JSON.stringify(value));
    return `must be ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`}`;
  }
  if (at === undefined) return issue.message;
  if (issue.code === "invalid_type" || issue.code === "invalid_union")
    return given === undefined ? `is required: ${describeAccepted(at)}` : `must be ${describeAccepted(at)}`;
  return `${issue.message}; accepted: ${describeAccepted(at)}`;
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
