import { describe, expect, it } from "vitest";
import { parseTemplateManifest, resolveQuestions } from "../../../tools/scaffold/template-manifest.js";

const WHERE = "templates/cron-job/template.json";
const manifest = (fields: Record<string, unknown>) =>
  JSON.stringify({ description: "A job on a schedule.", base: "_base", managed: [], ...fields });
const resolve = (fields: Record<string, unknown>) =>
  resolveQuestions([{ where: WHERE, manifest: parseTemplateManifest(manifest(fields), WHERE) }]);

describe("template.json", () => {
  it("GIVEN a question of the template's own WHEN resolved THEN it follows the platform's questions, and a narrowed platform question keeps its type and check", () => {
    const { questions, placeholders } = resolve({
      questions: [
        { name: "port", default: 9000 },
        { name: "schedule", type: "string", help: "when it runs", pattern: "^\\S+( \\S+){4}$" },
      ],
      placeholders: { schedule: { answer: "schedule", as: "literal" } },
    });
    expect(questions.map((q) => q.name)).toEqual([
      "port",
      "dependsOn",
      "public",
      "host",
      "path",
      "database",
      "cache",
      "queue",
      "owner",
      "description",
      "schedule",
    ]);
    expect(questions[0]).toMatchObject({ type: "integer", default: 9000, min: 1024, check: "free-port" });
    expect(placeholders.get("schedule")).toEqual({ answer: "schedule", as: "literal" });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "an unknown type",
      { questions: [{ name: "schedule", type: "cron", help: "when it runs" }] },
      `${WHERE}: questions[0].type: must be one of string, integer, boolean, list-of-services (got "cron")`,
    ],
    [
      "an unknown named check",
      { questions: [{ name: "queue", type: "string", help: "its queue", check: "queue-exists" }] },
      `${WHERE}: questions[0].check: must be one of dns-label, existing-services, dependencies, free-port (got "queue-exists")`,
    ],
    [
      "a misspelt field",
      { questions: [{ name: "schedule", type: "string", help: "when it runs", defualt: "@daily" }] },
      `${WHERE}: questions[0].defualt: is not a field here; fields: name, type, help, default, choices, pattern, min, max, check, when, why`,
    ],
    [
      "a misspelt field of a placeholder",
      {
        questions: [{ name: "schedule", type: "string", help: "when it runs", pattern: "^\\S+$" }],
        placeholders: { schedule: { answer: "schedule", as: "literal", format: "cron" } },
      },
      `${WHERE}: placeholders.schedule.format: is not a field here; fields: answer, as`,
    ],
    [
      "a misspelt field at the top level",
      { manged: [] },
      `${WHERE}: manged: is not a field here; fields: description, base, managed, questions, highlights, placeholders`,
    ],
    [
      "a question of its own without help",
      { questions: [{ name: "schedule", type: "string" }] },
      `${WHERE}: questions[0].help: is required: one line on what the answer is (got nothing)`,
    ],
    [
      "a platform question whose type is changed",
      { questions: [{ name: "port", type: "string" }] },
      `${WHERE}: questions[0].type: cannot be changed for the platform's question "port"; a template may set help, default, choices, pattern, min, max, why (got "string")`,
    ],
    [
      "a pattern on an integer",
      { questions: [{ name: "retries", type: "integer", help: "how often", pattern: "^[0-9]$" }] },
      `${WHERE}: questions[0].pattern: fits a string question only (this one is integer) (got "^[0-9]$")`,
    ],
    [
      "a pattern that is no regular expression",
      { questions: [{ name: "schedule", type: "string", help: "when it runs", pattern: "([" }] },
      `${WHERE}: questions[0].pattern: must be a regular expression (JavaScript syntax) (got "([")`,
    ],
    [
      "a question named like an option of new:service",
      { questions: [{ name: "dryRun", type: "boolean", help: "pretend" }] },
      `${WHERE}: questions[0].name: is an option of new:service itself (name, template, dry-run, no-install, help); choose another name (got "dryRun")`,
    ],
    [
      "a boolean question whose --no- option is new:service's",
      { questions: [{ name: "install", type: "boolean", help: "install it" }] },
      `${WHERE}: questions[0].name: gives the option --no-install (a boolean question is --x and --no-x), an option of new:service itself (name, template, dry-run, no-install, help); choose another name (got "install")`,
    ],
    [
      "a question whose option is a platform question's --no- option",
      { questions: [{ name: "noPublic", type: "string", help: "why not public", pattern: "[a-z ]+" }] },
      `${WHERE}: questions[0].name: gives the option --no-public, which the question "public" gives already; choose another name (got "noPublic")`,
    ],
    [
      "a platform question's min widened",
      { questions: [{ name: "port", min: 80 }] },
      `${WHERE}: questions[0].min: must be at least the platform's min, 1024: a template may narrow the platform's question "port", not widen it (got 80)`,
    ],
    [
      "a platform question's max widened",
      { questions: [{ name: "port", max: 70000 }] },
      `${WHERE}: questions[0].max: must be at most the platform's max, 65535: a template may narrow the platform's question "port", not widen it (got 70000)`,
    ],
    [
      "a platform question's choices outside its rules",
      { questions: [{ name: "port", choices: [8080, 80] }] },
      `${WHERE}: questions[0].choices[1]: is refused by the platform's rules (must be a whole number from 1024 to 65535): a template may narrow the platform's question "port", not widen it (got 80)`,
    ],
  ])(
    "GIVEN %s WHEN template.json is read THEN the file, the field, the value and what is accepted are named",
    (_title, fields, message) => {
      expect(() => resolve(fields)).toThrow(message);
      expect(() => resolve(fields)).toThrow(expect.objectContaining({ code: "TEMPLATE_INVALID" }));
    },
  );

  it("GIVEN a condition on a later question WHEN resolved THEN the condition is refused naming it", () => {
    expect(() =>
      resolve({
        questions: [
          { name: "retries", type: "integer", help: "how often", when: { retry: true } },
          { name: "retry", type: "boolean", help: "retry failed runs" },
        ],
      }),
    ).toThrow(`${WHERE}: questions[0].when.retry: must name a question asked before this one (got "retry")`);
  });

  it("GIVEN a free-form answer put in a file as text WHEN resolved THEN it is refused: it could break the code it lands in", () => {
    expect(() =>
      resolve({
        questions: [{ name: "motto", type: "string", help: "a motto" }],
        placeholders: { motto: { answer: "motto", as: "text" } },
      }),
    ).toThrow(`${WHERE}: placeholders.motto.as: "text" puts the answer in the file as typed`);
  });

  it("GIVEN a list of free-text items put in a file as text WHEN resolved THEN it is refused; with the existing-services check it is accepted", () => {
    const list = (check?: string) =>
      resolve({
        questions: [{ name: "topics", type: "list-of-services", help: "its topics", ...(check ? { check } : {}) }],
        placeholders: { topics: { answer: "topics", as: "text" } },
      });
    expect(() => list()).toThrow(
      `${WHERE}: placeholders.topics.as: "text" puts the answer in the file as typed, so its question needs a pattern, choices or a check (a list: the existing-services or dependencies check), or an integer or boolean type (got "text" for the free-form answer "topics")`,
    );
    expect(list("existing-services").placeholders.get("topics")).toEqual({ answer: "topics", as: "text" });
  });

  it.each(["port", "public", "owner"])(
    "GIVEN a placeholder bound to the platform's answer %s WHEN resolved THEN it is refused, naming the platform's placeholders to use",
    (answer) => {
      expect(() => resolve({ placeholders: { theAnswer: { answer, as: "literal" } } })).toThrow(
        `${WHERE}: placeholders.theAnswer.answer: is the platform's question "${answer}", whose answer the platform's own placeholders carry: use {{name}}, {{port}}, {{owner}}, {{description}}, {{dependsOn}}, {{expose}}, {{backingServices}} (got "${answer}")`,
      );
    },
  );

  it("GIVEN a placeholder of the platform's WHEN declared by a template THEN it is refused", () => {
    expect(() =>
      resolve({
        questions: [{ name: "team", type: "string", help: "a team", check: "dns-label" }],
        placeholders: { owner: { answer: "team", as: "text" } },
      }),
    ).toThrow(`${WHERE}: placeholders.owner: is a placeholder of the platform's; choose another name`);
  });
});
