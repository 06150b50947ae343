/**
 * A question a template asks when a service is made from it, as data: the platform's
 * own questions (platform-questions.ts) and each template's (its template.json) have
 * the same form, are parsed and checked by the same code, and give new:service its
 * options, its prompts and its --help.
 */
import type { PlatformCheckName } from "./platform-checks.js";

/** What kind of answer a question takes. */
export const QUESTION_TYPES = ["string", "integer", "boolean", "list-of-services"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** One choice, a `when` value. */
export type Scalar = string | number | boolean;
/** An answer, once parsed: a string, a whole number, a boolean or a list of service names. */
export type AnswerValue = string | number | boolean | readonly string[];
/** An answer as typed or chosen, before parsing: a list may hold comma-separated names in each entry. */
export type RawValue = string | boolean | readonly string[];

/** A default taken from another, earlier answer (a list's first item for a single value). */
export interface AnswerReference {
  readonly answer: string;
}

/** Whether a default is another answer's, not a value. */
export function isAnswerReference(value: Question["default"]): value is AnswerReference {
  return typeof value === "object" && !Array.isArray(value);
}

/** A question, as the platform or a template.json declares it. */
export interface Question {
  /** camelCase; the answer's key in `.template.json` and, in kebab-case, its option (`jobSource` -> `--job-source`). */
  readonly name: string;
  readonly type: QuestionType;
  /** One line on what the answer is; --help and the prompt show it. */
  readonly help: string;
  /**
   * The answer when none is given: a value, or another answer's. In a string, `{{name}}`
   * and `{{template}}` stand for the service's name and its template.
   * @default none - the question must be answered wherever it applies
   */
  readonly default?: AnswerValue | AnswerReference;
  /** @default any value of the type */
  readonly choices?: readonly Scalar[];
  /** A regular expression the whole of a string answer must match (it is anchored at both ends). @default any string */
  readonly pattern?: string;
  /** An integer's lowest value, or the fewest services of a list. @default no bound */
  readonly min?: number;
  /** An integer's highest value, or the most services of a list. @default no bound */
  readonly max?: number;
  /** One of the platform's named checks (platform-checks.ts). @default none */
  readonly check?: PlatformCheckName;
  /** The question applies only when each of these earlier answers has this value. @default always */
  readonly when?: Readonly<Record<string, Scalar>>;
  /** Why its rules are what they are; appended to every refusal of its rules. @default nothing */
  readonly why?: string;
}

/** The answers given so far, by question name. */
export type AnswerValues = Readonly<Record<string, AnswerValue | undefined>>;

/** `jobSource` -> `job-source`. */
export function flagOf(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** `jobSource` -> `--job-source`: how refusals name the question. */
export function argumentOf(name: string): string {
  return `--${flagOf(name)}`;
}

/** Whether the question applies, given the answers to the questions its `when` names. */
export function applies(question: Question, values: AnswerValues): boolean {
  return Object.entries(question.when ?? {}).every(([answer, value]) => values[answer] === value);
}

/** How a `when` reads in a message: `--public`, `--no-public`, `--kind cron`. */
export function describeWhen(question: Question): string {
  return Object.entries(question.when ?? {})
    .map(([answer, value]) =>
      value === true
        ? argumentOf(answer)
        : value === false
          ? `--no-${flagOf(answer)}`
          : `${argumentOf(answer)} ${value}`,
    )
    .join(" and ");
}

/** The default answer of a question, with the answers so far; undefined when it has none. */
export function defaultAnswer(
  question: Question,
  values: AnswerValues,
  service: { readonly name: string; readonly template: string },
): AnswerValue | undefined {
  const fallback = question.default;
  if (fallback === undefined) return undefined;
  if (isAnswerReference(fallback)) {
    const other = values[fallback.answer];
    if (Array.isArray(other) && question.type !== "list-of-services") return other[0];
    return other;
  }
  if (typeof fallback === "string")
    return fallback.replaceAll("{{name}}", service.name).replaceAll("{{template}}", service.template);
  return fallback as AnswerValue;
}

/** Parses an answer as typed; a string is the problem when it does not fit the type. */
export function parseAnswer(question: Question, given: RawValue): { value: AnswerValue } | { problem: string } {
  switch (question.type) {
    case "boolean":
      if (typeof given === "boolean") return { value: given };
      if (given === "true" || given === "false") return { value: given === "true" };
      return { problem: "must be true or false" };
    case "integer": {
      const text = Array.isArray(given) ? given.join(",") : String(given);
      if (!/^\d+$/.test(text.trim())) return { problem: integerRule(question) };
      return { value: Number(text) };
    }
    case "list-of-services": {
      const entries = typeof given === "boolean" ? [] : Array.isArray(given) ? given : [given as string];
      return {
        value: entries
          .flatMap((entry) => entry.split(","))
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ""),
      };
    }
    case "string":
      return { value: Array.isArray(given) ? given.join(",") : String(given) };
  }
}

/**
 * The first of the question's own rules (range, pattern, choices, number of services)
 * the answer breaks, as a message; undefined when it keeps them all.
 */
export function ruleProblem(question: Question, value: AnswerValue): string | undefined {
  const because = question.why ? ` (${question.why})` : "";
  if (question.type === "integer" && typeof value === "number") {
    const tooLow = question.min !== undefined && value < question.min;
    const tooHigh = question.max !== undefined && value > question.max;
    if (tooLow || tooHigh) return `${integerRule(question)}`;
  }
  if (question.type === "list-of-services" && Array.isArray(value)) {
    const { min, max } = question;
    if ((min !== undefined && value.length < min) || (max !== undefined && value.length > max)) {
      const services = (n: number) => `${n} service${n === 1 ? "" : "s"}`;
      const count =
        min !== undefined && max !== undefined
          ? min === max
            ? `exactly ${services(min)}`
            : `from ${min} to ${services(max)}`
          : min !== undefined
            ? `at least ${services(min)}`
            : `at most ${services(max!)}`;
      return `must name ${count}${because}`;
    }
  }
  if (question.pattern !== undefined && typeof value === "string" && !matchesWhole(question.pattern, value))
    return `must match /${question.pattern}/${because}`;
  if (question.choices !== undefined && !question.choices.includes(value as Scalar)) {
    const listed = question.choices.map((choice) => JSON.stringify(choice));
    return `${listed.length === 1 ? `must be ${listed[0]}` : `must be one of ${listed.join(", ")}`}${because}`;
  }
  return undefined;
}

/** Whether the whole answer matches `pattern`: a pattern is anchored at both ends, so `[a-z]+` refuses `a"; x`. */
export function matchesWhole(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

/** An integer question's rule in words: `must be a whole number from 1024 to 65535 (why)`. */
function integerRule(question: Question): string {
  const { min, max } = question;
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : "";
  return `must be a whole number${range}${question.why ? ` (${question.why})` : ""}`;
}

/** An answer as refusals and --help show it: `"8080"`, `"orders,catalog"`, `true`. */
export function shownValue(value: AnswerValue | RawValue | undefined): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return JSON.stringify(value.join(","));
  return typeof value === "string" ? JSON.stringify(value) : typeof value === "number" ? `"${value}"` : String(value);
}
