/**
 * The questions every template asks: each answer is a field of the service spec the
 * platform reads (port, dependsOn, expose, monitoring.owner, description, backingServices), so the
 * platform declares them, in the same form as a template's own questions. A template
 * may narrow one (a default, choices, a range, help, why) in its template.json but not
 * change its type, check or condition. The service's name and its template are the
 * scaffolder's own arguments, not questions.
 */
import { HIGHEST_PORT, LOWEST_SERVICE_PORT, SERVICE_PORT_WHY } from "../../infra/spec/service-port.js";
import type { Question } from "./questions.js";

/**
 * What each of the backing-service questions gives a service: the resource's name in
 * `backingServices` (and so its variables, `DB_URL` ...) and its declaration in
 * `service.ts`, from which its code derives its manifest (`manifestOf`).
 */
export const BACKING_SERVICE_CHOICES = {
  database: { resource: "db", declaration: { type: "postgres" } },
  cache: { resource: "cache", declaration: { type: "redis" } },
  queue: { resource: "queue", declaration: { type: "queue", queues: ["jobs"] } },
} as const;
/** A backing-service question: `database`, `cache` or `queue`. */
export type BackingServiceChoice = keyof typeof BACKING_SERVICE_CHOICES;
/** The backing-service questions, in the order they are asked. */
export const BACKING_SERVICE_QUESTIONS = Object.keys(BACKING_SERVICE_CHOICES) as BackingServiceChoice[];

/** The platform's questions, in the order they are asked and checked. */
export const PLATFORM_QUESTIONS: readonly Question[] = [
  {
    name: "port",
    type: "integer",
    help: "the port it listens on",
    default: 8080,
    // The spec's own rule (infra/spec/service-port.ts): the schema refuses the same ports.
    min: LOWEST_SERVICE_PORT,
    max: HIGHEST_PORT,
    check: "free-port",
    why: SERVICE_PORT_WHY,
  },
  {
    name: "dependsOn",
    type: "list-of-services",
    help: "services it calls (their network rules let it in); repeatable",
    default: [],
    check: "existing-services",
  },
  {
    name: "public",
    type: "boolean",
    help: "publish it through the ingress (and on 127.0.0.1 locally)",
    default: false,
  },
  {
    name: "host",
    type: "string",
    help: "the host name the service is published on, like pay.example.com",
    when: { public: true },
  },
  { name: "path", type: "string", help: "its path prefix", default: "/", when: { public: true } },
  {
    name: "database",
    type: "boolean",
    help: `a PostgreSQL database of its own, "${BACKING_SERVICE_CHOICES.database.resource}" (context.resource("${BACKING_SERVICE_CHOICES.database.resource}") in its code)`,
    default: false,
  },
  {
    name: "cache",
    type: "boolean",
    help: `a Redis cache of its own, "${BACKING_SERVICE_CHOICES.cache.resource}"`,
    default: false,
  },
  {
    name: "queue",
    type: "boolean",
    help: `a message queue of its own, "${BACKING_SERVICE_CHOICES.queue.resource}" (RabbitMQ), with the queue "${BACKING_SERVICE_CHOICES.queue.declaration.queues[0]}"`,
    default: false,
  },
  { name: "owner", type: "string", help: "the team its alerts go to", default: "platform" },
  {
    name: "description",
    type: "string",
    help: "one sentence on what it does",
    default: "{{name}}, made from the {{template}} template: say what it does in one sentence.",
  },
];

/** The names of the platform's questions: a template question of one of these names narrows it. */
export const PLATFORM_QUESTION_NAMES: ReadonlySet<string> = new Set(PLATFORM_QUESTIONS.map((q) => q.name));
