import { isObject } from "./values.js";

/**
 * The secrets of a Terraform plan, and hiding them wherever they appear.
 *
 * Terraform marks a value sensitive where it is declared so (a sensitive variable, an
 * attribute the provider marks), but not every copy that flows from it: the output of a
 * `terraform_data` that takes a sensitive input is unmarked, and so is every value built
 * from it in other resources. Marks therefore say which values are secret, not where
 * they are: every marked value of the whole plan is collected once, and each of its
 * occurrences is hidden in everything read from the plan, also inside longer strings.
 */

/** What a secret is replaced with. */
export const SENSITIVE = "(sensitive)";

/** Secrets shorter than this are hidden where they are the whole value only, not inside longer text (a secret "1" is not every digit 1). */
const SHORTEST_SECRET_SEARCHED = 4;

/**
 * The objects of a plan that hold values beside the marks of their sensitive parts, by the
 * names of those two fields: a change (`resource_changes`, `resource_drift`, `output_changes`)
 * and a resource of `prior_state` or `planned_values`.
 */
const MARKED_VALUES: ReadonlyArray<readonly [values: string, marks: string]> = [
  ["before", "before_sensitive"],
  ["after", "after_sensitive"],
  ["values", "sensitive_values"],
];

/** The plan's secrets, to pass to {@link redactSecrets}. */
export interface PlanSecrets {
  /** Secrets hidden wherever they appear. */
  readonly searched: readonly string[];
  /** Short secrets, hidden where they are a whole value. */
  readonly whole: ReadonlySet<string>;
  /** Everything searched, longest first, as one pattern (undefined when there is none). */
  readonly pattern: RegExp | undefined;
}

/**
 * Every value a plan marks sensitive, anywhere in it: the marked parts of every change
 * and of every resource of the prior state and the planned values (modules included),
 * outputs declared sensitive, and the values of variables whose declaration in the
 * `configuration` is sensitive.
 */
export function planSecrets(plan: unknown): PlanSecrets {
  const found = new Set<string>();
  const addAll = (value: unknown): void => {
    if (typeof value === "string" || typeof value === "number") found.add(String(value));
    else if (Array.isArray(value)) value.forEach(addAll);
    else if (isObject(value)) Object.values(value).forEach(addAll);
  };
  const addMarked = (value: unknown, marks: unknown): void => {
    if (value === null || value === undefined || marks === undefined || marks === false) return;
    if (marks === true) addAll(value);
    else if (Array.isArray(value))
      value.forEach((item, i) => {
        addMarked(item, Array.isArray(marks) ? marks[i] : undefined);
      });
    else if (isObject(value) && isObject(marks))
      for (const [key, item] of Object.entries(value)) addMarked(item, marks[key]);
  };
  // One walk over the whole plan finds the marks of sections this code does not name too.
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    if (!isObject(node)) return;
    for (const [values, marks] of MARKED_VALUES) if (marks in node) addMarked(node[values], node[marks]);
    // An output of `planned_values` or `prior_state`: { sensitive: true, value }.
    if (node.sensitive === true && "value" in node) addAll(node.value);
    Object.values(node).forEach(visit);
  };
  visit(plan);
  if (isObject(plan) && isObject(plan.variables)) {
    const declared =
      isObject(plan.configuration) && isObject(plan.configuration.root_module)
        ? plan.configuration.root_module.variables
        : undefined;
    for (const [name, variable] of Object.entries(plan.variables)) {
      const declaration = isObject(declared) ? declared[name] : undefined;
      if (isObject(declaration) && declaration.sensitive === true && isObject(variable)) addAll(variable.value);
    }
  }
  return secretsOf(found);
}

function secretsOf(found: ReadonlySet<string>): PlanSecrets {
  const searched = new Set<string>();
  const whole = new Set<string>();
  for (const secret of found) {
    if (secret === "") continue;
    if (secret.length < SHORTEST_SECRET_SEARCHED) {
      whole.add(secret);
      continue;
    }
    searched.add(secret);
    // A document held in a string (a JSON configuration) holds the secret escaped.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) searched.add(escaped);
  }
  const longestFirst = [...searched].sort((a, b) => b.length - a.length);
  const pattern = longestFirst.length > 0 ? new RegExp(longestFirst.map(escapeRegExp).join("|"), "g") : undefined;
  return { searched: longestFirst, whole, pattern };
}

/** The secrets of several plans together. */
export function mergeSecrets(all: readonly PlanSecrets[]): PlanSecrets {
  return secretsOf(new Set(all.flatMap((s) => [...s.searched, ...s.whole])));
}

/**
 * The value with every occurrence of a secret replaced by "(sensitive)": in strings
 * (also inside longer text, in one pass, so that a replacement is never searched
 * again) and in object keys; a number that is a secret is replaced whole, unless
 * `numbers` is "kept" (the counts and totals of a report are no plan values: a
 * sensitive replica count of 2 must not hide every 2).
 */
export function redactSecrets<T>(value: T, secrets: PlanSecrets, numbers: "redacted" | "kept" = "redacted"): T {
  if (secrets.pattern === undefined && secrets.whole.size === 0) return value;
  const text = (s: string): string =>
    secrets.whole.has(s) ? SENSITIVE : secrets.pattern ? s.replace(secrets.pattern, SENSITIVE) : s;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return text(v);
    if (typeof v === "number" && numbers === "redacted")
      return secrets.whole.has(String(v)) || secrets.searched.includes(String(v)) ? SENSITIVE : v;
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([key, item]) => [text(key), walk(item)]));
    return v;
  };
  return walk(value) as T;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
