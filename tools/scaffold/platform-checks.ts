/**
 * The platform's named checks: rules that need to know the repository (the services
 * that exist, the ports they publish) or the platform's own words, which a question of
 * the platform or of a template.json names in its `check` field.
 */
import { PLATFORM_LOCAL_PORTS, PLATFORM_LOCAL_PORTS_LISTED } from "../../infra/spec/platform-ports.js";
import { DNS_1035_LABEL } from "../../infra/spec/model.js";
import type { AnswerValue, AnswerValues, Question, QuestionType } from "./questions.js";
import type { Landscape } from "./validate-answers.js";

/** What a DNS-1035 label is, in the words every refusal of one uses. */
export const DNS_LABEL_ACCEPTED =
  "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters";

/** A named check: what it accepts (for --help, the template reference and template.json errors), and which types it fits. */
interface PlatformCheck {
  readonly accepts: string;
  readonly types: readonly QuestionType[];
  /** The refusals of `value`, each with the value it names (an item of a list, say). */
  problems(question: Question, value: AnswerValue, context: CheckContext): Array<{ value: string; message: string }>;
}

/** What a check may look at besides the answer. */
export interface CheckContext {
  /** The new service's name. */
  readonly name: string;
  readonly values: AnswerValues;
  readonly landscape: Landscape;
}

const itemsOf = (value: AnswerValue): readonly string[] =>
  Array.isArray(value) ? value : typeof value === "string" ? [value] : [];

/** The named checks, by the name a question uses. */
export const PLATFORM_CHECKS = {
  "dns-label": {
    accepts: DNS_LABEL_ACCEPTED,
    types: ["string"],
    problems: (_question, value) =>
      typeof value === "string" && !DNS_1035_LABEL.test(value)
        ? [{ value, message: `must be ${DNS_LABEL_ACCEPTED}` }]
        : [],
  },
  "existing-services": {
    accepts: "names of services that exist (not the new one), each once",
    types: ["string", "list-of-services"],
    problems: (_question, value, { name, landscape }) => {
      const problems: Array<{ value: string; message: string }> = [];
      const seen = new Set<string>();
      for (const service of itemsOf(value)) {
        if (seen.has(service)) problems.push({ value: service, message: "is listed twice" });
        else if (service === name)
          problems.push({ value: service, message: "is the new service itself; list the services it calls" });
        else if (!landscape.services.has(service))
          problems.push({
            value: service,
            message: `is not a service; known services: ${[...landscape.services.keys()].sort().join(", ") || "(none)"}`,
          });
        seen.add(service);
      }
      return problems;
    },
  },
  dependencies: {
    accepts: "services the new service depends on (given to --depends-on)",
    types: ["string", "list-of-services"],
    problems: (_question, value, { values }) => {
      const dependencies = (values.dependsOn ?? []) as readonly string[];
      return itemsOf(value)
        .filter((service) => !dependencies.includes(service))
        .map((service) => ({
          value: service,
          message: `must be one of the services given to --depends-on (${dependencies.join(", ") || "none given"})`,
        }));
    },
  },
  "free-port": {
    accepts:
      "a port the service can take: for --port of a public service, one no other service publishes on 127.0.0.1 locally; for any other port, neither --port nor one of the platform's local ports",
    types: ["integer"],
    problems: (question, value, { values, landscape }) => {
      if (typeof value !== "number") return [];
      if (question.name !== "port") {
        if (value === values.port) return [{ value: String(value), message: "is the service's --port already" }];
        const user = PLATFORM_LOCAL_PORTS.get(value);
        return user
          ? [
              {
                value: String(value),
                message: `is used by the platform in the local environment (${user}); platform ports: ${PLATFORM_LOCAL_PORTS_LISTED}`,
              },
            ]
          : [];
      }
      // Only a public service is published on 127.0.0.1, on its port.
      const owner = values.public === true ? landscape.publishedPorts.get(value) : undefined;
      if (!owner) return [];
      let free = value + 1;
      while (landscape.publishedPorts.has(free) || PLATFORM_LOCAL_PORTS.has(free)) free++;
      return [
        {
          value: String(value),
          message: `is already published on 127.0.0.1 by ${owner} in the local environment, where a public service is published on its port; choose a free one, like ${free}`,
        },
      ];
    },
  },
} as const satisfies Record<string, PlatformCheck>;

/** The name of a named check, as a question's `check` holds it. */
export type PlatformCheckName = keyof typeof PLATFORM_CHECKS;

/** The names of the named checks, in the order the reference lists them. */
export const PLATFORM_CHECK_NAMES = Object.keys(PLATFORM_CHECKS) as [PlatformCheckName, ...PlatformCheckName[]];
