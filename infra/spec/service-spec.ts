import { z } from "zod";
import { RULE_ID } from "../guardrails/rule-id.js";
import { FASTEST_BURN_FACTOR, LATENCY_THRESHOLDS_MS, MIN_AVAILABILITY_PERCENT } from "../monitoring/slo-policy.js";
import {
  BACKING_SERVICE_TYPES,
  CONNECTION_PARTS_OF,
  MAX_INSTANCES,
  POSTGRES_VERSIONS,
  QUEUE_NAME,
  QUEUE_NAME_ACCEPTED,
  REDIS_PERSISTENCE,
  connectionVariables,
  storageQuantityProblem,
} from "./backing-services.js";
import { acceptedNames } from "./closest-name.js";
import { EGRESS_CIDR_ACCEPTED, egressCidrRefusal } from "./egress-cidr.js";
import { PLATFORM_LOCAL_PORTS, PLATFORM_LOCAL_PORTS_LISTED } from "./platform-ports.js";
import { isNormalizedPublicPath, PUBLIC_PATH_ACCEPTED } from "./public-path.js";
import { HIGHEST_PORT, LOWEST_SERVICE_PORT, SERVICE_PORT_ACCEPTED } from "./service-port.js";
import { cpuQuantityProblem, memoryQuantityProblem } from "./quantity.js";
import { checkResilience, dependencyResilienceSchema } from "./resilience.js";
import { SECRET_LIKE_ENV_NAME } from "./secret-like-names.js";
import { variableCollisions } from "./service-variables.js";
import {
  LIMIT_BELOW_REQUEST,
  RESILIENCE_VARIABLE_SUFFIXES,
  limitsBelowRequests,
  reservedVariableNames,
  resolveResources,
  DEFAULT_DEPENDENCY_TIMEOUT_VARIABLE,
  RESERVED_TRACING_VARIABLES,
} from "./resolve.js";

/**
 * The service spec: what `services/<name>/service.ts` declares through `defineService`.
 * This file holds the schema (what is accepted); `resolve.ts` turns a parsed spec into
 * the fully defaulted `ServiceSpec` of one environment.
 */

/** DNS-1035 label: what Kubernetes accepts as a Service name. */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Another service's backing service, as `uses` names it: `orders.db`. */
const BACKING_SERVICE_REFERENCE = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?\.[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1035_ACCEPTED =
  "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters";

export { SECRET_LIKE_ENV_NAME };

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const HTTP_PATH = /^\/[A-Za-z0-9._~\-/]*$/;
const IMAGE_WITH_TAG_OR_DIGEST = /^[a-z0-9][a-z0-9._\-/:]*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/;
/** A rule id of any pack (`K8S-04`, `ACME-01`); the synth checks that the run has that rule. */
const GUARDRAIL_RULE_ID = RULE_ID;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** A port of another host or of the local machine: any TCP or UDP port. */
const port = z
  .number({ error: `must be a whole number from 1 to ${HIGHEST_PORT}` })
  .int(`must be a whole number from 1 to ${HIGHEST_PORT}`)
  .min(1, `must be a whole number from 1 to ${HIGHEST_PORT}`)
  .max(HIGHEST_PORT, `must be a whole number from 1 to ${HIGHEST_PORT}`);

/** A port the service itself listens on: none it cannot bind (see `service-port.ts`). */
const listeningPort = z
  .number({ error: SERVICE_PORT_ACCEPTED })
  .int(SERVICE_PORT_ACCEPTED)
  .min(LOWEST_SERVICE_PORT, SERVICE_PORT_ACCEPTED)
  .max(HIGHEST_PORT, SERVICE_PORT_ACCEPTED);

/**
 * A file inside the service's folder, as a relative path: segments of letters, digits,
 * '.', '_' and '-', none of them '.' or '..'. It becomes part of an expression the
 * platform writes (the image's rebuild trigger), so nothing in it may quote or escape.
 */
const RELATIVE_FILE_PATH = /^(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._-]+)*$/;

const httpPath = z
  .string()
  .regex(HTTP_PATH, "must be an HTTP path starting with '/' (letters, digits, '.', '_', '~', '-', '/')");

const cpuQuantity = z
  .union([z.string(), z.number()])
  .superRefine((v, ctx) => {
    const problem = cpuQuantityProblem(v);
    if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
  })
  .meta({ examples: ["250m", 0.5] });

const memoryQuantity = z
  .string()
  .superRefine((v, ctx) => {
    const problem = memoryQuantityProblem(v);
    if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
  })
  .meta({ examples: ["256Mi"] });

/** Requests; limits are derived (see `resolve.ts`) unless given. */
const resourcesSchema = z.strictObject({
  cpu: cpuQuantity.optional(),
  memory: memoryQuantity.optional(),
  limits: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
});

const replicaCount = z
  .number({ error: "must be a whole number of replicas from 1 to 100" })
  .int("must be a whole number of replicas from 1 to 100")
  .min(1, "must be a whole number of replicas from 1 to 100")
  .max(100, "must be a whole number of replicas from 1 to 100");

const percent = z
  .number({ error: "must be a whole percentage from 1 to 100" })
  .int("must be a whole percentage from 1 to 100")
  .min(1, "must be a whole percentage from 1 to 100")
  .max(100, "must be a whole percentage from 1 to 100");

const scalingSchema = z
  .strictObject({
    min: replicaCount.optional(),
    max: replicaCount.optional(),
    cpuPercent: percent.optional(),
    memoryPercent: percent.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.min !== undefined && s.max !== undefined && s.min > s.max) {
      ctx.addIssue({
        code: "custom",
        path: ["min"],
        input: s.min,
        message: `must be at most scaling.max (${s.max}); min === max means a fixed replica count`,
      });
    }
  });

const secretReference = z.strictObject(
  {
    secretName: z.string().regex(DNS_1035_LABEL, `must be ${DNS_1035_ACCEPTED}`),
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a secret key: letters, digits, '-', '_' or '.'"),
  },
  {
    error: (issue) =>
      typeof issue.input === "string"
        ? `is a literal value (${issue.input.length} characters, not shown); accepted: a reference { secretName, key } to a secret in the environment's secret store`
        : "must be a reference { secretName, key } to a secret in the environment's secret store",
  },
);

const envMap = z
  .record(
    z.string().regex(ENV_NAME, "must be an environment variable name: A-Z, 0-9 and '_', not starting with a digit"),
    z.string({ error: "must be a string" }),
  )
  .meta({ examples: [{ LOG_LEVEL: "info" }] });

const egressRule = z.strictObject({
  cidr: z.string().superRefine((cidr, ctx) => {
    const refusal = egressCidrRefusal(cidr);
    if (refusal?.kind === "refused")
      ctx.addIssue({ code: "custom", input: cidr, message: `${refusal.clause}; accepted: ${EGRESS_CIDR_ACCEPTED}` });
    else if (refusal)
      ctx.addIssue({
        code: "custom",
        input: cidr,
        message:
          "must be an IPv4 CIDR like 203.0.113.0/24, written exactly (no space, no leading zero; 0.0.0.0/0 is refused: name the networks you call)",
      });
  }),
  ports: z.array(port).min(1, "must list at least one port"),
  protocol: z.enum(["TCP", "UDP"]).optional(),
  description: z.string().optional(),
});

const exposeSchema = z.union(
  [
    z.literal("internal"),
    z.strictObject({
      public: z.strictObject({
        host: z.string().regex(HOSTNAME, "must be a lower-case DNS host name like shop.example.com"),
        path: httpPath
          .meta({ examples: ["/shop"] })
          .refine((p) => !HTTP_PATH.test(p) || isNormalizedPublicPath(p), `must be ${PUBLIC_PATH_ACCEPTED}`)
          .optional(),
        localPort: port.optional(),
      }),
    }),
  ],
  { error: 'must be "internal" or { public: { host, path?, localPort? } }' },
);

const monitoringSchema = z.strictObject({
  metricsPath: httpPath.meta({ examples: ["/metrics"] }).optional(),
  metricsPort: listeningPort.optional(),
  slo: z
    .strictObject({
      availability: z
        .number({ error: "must be a percentage strictly between 0 and 100, like 99.9" })
        .gt(0, { error: "must be a percentage strictly between 0 and 100, like 99.9", abort: true })
        .lt(100, { error: "must be a percentage strictly between 0 and 100, like 99.9", abort: true })
        .gt(MIN_AVAILABILITY_PERCENT, {
          error: `must be above ${MIN_AVAILABILITY_PERCENT}: below it, ${FASTEST_BURN_FACTOR} times the error budget is more than every request failing, and the fast-burn page could never fire`,
        })
        .optional(),
      latencyMs: z
        .number({ error: "must be a number of milliseconds above 0, like 300" })
        .gt(0, { error: "must be a number of milliseconds above 0, like 300", abort: true })
        .refine((ms) => LATENCY_THRESHOLDS_MS.includes(ms), {
          error: `must be a bound of the latency histogram's buckets, in milliseconds: ${LATENCY_THRESHOLDS_MS.join(", ")} (the share of slower requests is exact only at a bound)`,
        })
        .optional(),
    })
    .optional(),
  owner: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "must be a team name: lower-case letters, digits and '-'")
    .optional(),
});

const storageQuantity = z.string({ error: 'must be a size like "1Gi"' }).superRefine((v, ctx) => {
  const problem = storageQuantityProblem(v);
  if (problem) ctx.addIssue({ code: "custom", input: v, message: problem });
});

const INSTANCES_ACCEPTED = `must be a whole number of instances from 1 to ${MAX_INSTANCES} (PostgreSQL: one primary, the rest replicas; a queue: RabbitMQ nodes, an odd number)`;
const instanceCount = z
  .number({ error: INSTANCES_ACCEPTED })
  .int(INSTANCES_ACCEPTED)
  .min(1, INSTANCES_ACCEPTED)
  .max(MAX_INSTANCES, INSTANCES_ACCEPTED);

const backingServiceName = z.string().regex(DNS_1035_LABEL, `must be a backing service name: ${DNS_1035_ACCEPTED}`);

const TYPES_ACCEPTED = `must be a backing service type: ${BACKING_SERVICE_TYPES.map((t) => `"${t}"`).join(", ")}`;

/** A PostgreSQL database the service owns. */
const postgresSchema = z.strictObject({
  type: z.literal("postgres"),
  version: z
    .literal(POSTGRES_VERSIONS, {
      error: `must be a supported PostgreSQL major version: ${POSTGRES_VERSIONS.join(" or ")}`,
    })
    .optional(),
  storage: storageQuantity.optional(),
  instances: instanceCount.optional(),
  /** Each instance's (Kubernetes) requests and limits, checked like the service's own. */
  resources: resourcesSchema.optional(),
});

/** A Redis store the service owns: one instance; its memory limit sets Redis's `maxmemory`. */
const redisSchema = z.strictObject({
  type: z.literal("redis"),
  persistence: z
    .enum(REDIS_PERSISTENCE, {
      error: `must be how Redis keeps its data: ${REDIS_PERSISTENCE.map((p) => `"${p}"`).join(", ")} ("aof": an append-only file fsynced every second, the default; "none": nothing on disk)`,
    })
    .optional(),
  storage: storageQuantity.optional(),
  resources: resourcesSchema.optional(),
});

const queueName = z
  .string({ error: `must be ${QUEUE_NAME_ACCEPTED}` })
  .regex(QUEUE_NAME, `must be ${QUEUE_NAME_ACCEPTED}`);

/** A RabbitMQ broker the service owns, with the queues it declares. */
const queueSchema = z.strictObject({
  type: z.literal("queue"),
  queues: z
    .array(queueName, { error: 'must list the queue names, like ["orders-placed"]' })
    .min(1, 'must list at least one queue name, like ["orders-placed"]')
    .superRefine((names, ctx) => {
      names.forEach((name, index) => {
        if (names.indexOf(name) !== index)
          ctx.addIssue({
            code: "custom",
            path: [index],
            input: name,
            message: "is listed twice; list each queue once",
          });
      });
    }),
  storage: storageQuantity.optional(),
  instances: instanceCount.optional(),
  resources: resourcesSchema.optional(),
});

/** One backing service: its `type` says which fields it takes. */
const backingServiceSchema = z.discriminatedUnion("type", [postgresSchema, redisSchema, queueSchema], {
  error: (issue) => (issue.code === "invalid_union" ? TYPES_ACCEPTED : undefined),
});

/** What one environment changes of a backing service: its size, or a managed service instead. */
const backingServiceOverride = z
  .strictObject({
    storage: storageQuantity.optional(),
    instances: instanceCount.optional(),
    resources: resourcesSchema.optional(),
    external: z
      .strictObject(
        {
          secretName: z
            .string({
              error:
                "must name the existing Kubernetes Secret that holds the connection (keys host, port, dbname, user, password, uri for postgres; host, port, user, password, uri for redis; host, port, username, password for a queue)",
            })
            .regex(DNS_1035_LABEL, `must be ${DNS_1035_ACCEPTED}`),
        },
        { error: "must be { secretName }: the Secret that holds the managed service's connection" },
      )
      .optional(),
  })
  .superRefine((o, ctx) => {
    for (const field of ["storage", "instances", "resources"] as const) {
      if (o.external !== undefined && o[field] !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [field],
          input: o[field],
          message:
            "cannot be given with external: the platform creates nothing there, the managed service is sized where it runs",
        });
    }
  });

const overrideSchema = z.strictObject({
  scaling: scalingSchema.optional(),
  resources: resourcesSchema.optional(),
  env: envMap.optional(),
  /** The environment's own exposure: its public host (path and localPort default to the spec's own). */
  expose: exposeSchema.optional(),
  backingServices: z.record(backingServiceName, backingServiceOverride).optional(),
});

const suppressionSchema = z.strictObject({
  rule: z
    .string()
    .regex(GUARDRAIL_RULE_ID, "must be a guardrail rule id like K8S-04, DKR-02, TF-01 or a team pack's ACME-01"),
  reason: z
    .string({ error: "must explain the exception in at least 10 characters" })
    .superRefine(checkSuppressionReason),
});

/** The fewest letters or digits a suppression's reason must hold. */
export const MIN_REASON_LETTERS = 10;

/**
 * A reviewer must be able to read why a guardrail is off. Length alone is not enough:
 * ten zero-width spaces are ten characters and say nothing, so only letters and digits
 * (of any script, Unicode \p{L} and \p{N}) count.
 */
function checkSuppressionReason(reason: string, ctx: z.RefinementCtx): void {
  if (reason.trim().length < MIN_REASON_LETTERS) {
    ctx.addIssue({
      code: "custom",
      input: reason,
      message: `must explain the exception in at least ${MIN_REASON_LETTERS} characters`,
    });
  } else if ((reason.match(/[\p{L}\p{N}]/gu) ?? []).length < MIN_REASON_LETTERS) {
    ctx.addIssue({
      code: "custom",
      input: reason,
      message: `must explain the exception in at least ${MIN_REASON_LETTERS} letters or digits; spaces, punctuation and invisible characters do not count`,
    });
  }
}

/** The schema of what a service file passes to `defineService`. */
export const serviceSpecSchema = z
  .strictObject({
    name: z.string({ error: `must be ${DNS_1035_ACCEPTED}` }).regex(DNS_1035_LABEL, `must be ${DNS_1035_ACCEPTED}`),
    description: z.string().optional(),
    build: z
      .strictObject({
        dockerfile: z
          .string()
          .regex(
            RELATIVE_FILE_PATH,
            "must be a file inside the service folder, like Dockerfile or docker/Dockerfile.prod: letters, digits, '.', '_', '-' and '/', no '.' or '..' segment, not starting with '/'",
          )
          .optional(),
      })
      .optional(),
    image: z
      .string()
      .regex(
        IMAGE_WITH_TAG_OR_DIGEST,
        "must be an image with a pinned tag or digest, like ghcr.io/acme/api:1.4.2 or name@sha256:<64 hex>",
      )
      .refine((i) => !/:latest$/.test(i), "must not use the tag 'latest': pin a version or a digest")
      .optional(),
    port: listeningPort,
    health: z
      .strictObject({
        liveness: httpPath.meta({ examples: ["/healthz"] }).optional(),
        readiness: httpPath.meta({ examples: ["/readyz"] }).optional(),
        dockerCheck: z
          .array(z.string().min(1, "must not be empty"))
          .min(1, 'must be a command and its arguments, like ["wget", "-q", "-O-", "http://127.0.0.1:8080/healthz"]')
          .optional(),
      })
      .optional(),
    env: envMap.optional(),
    secrets: z
      .record(z.string().regex(ENV_NAME, "must be an environment variable name: A-Z, 0-9 and '_'"), secretReference)
      .optional(),
    resources: resourcesSchema.optional(),
    scaling: scalingSchema.optional(),
    expose: exposeSchema.optional(),
    dependsOn: z
      .array(z.string().regex(DNS_1035_LABEL, `must be the name of another service (${DNS_1035_ACCEPTED})`))
      .meta({ examples: [["catalog"]] })
      .optional(),
    egress: z.array(egressRule).optional(),
    resilience: z
      .record(
        z.string().regex(DNS_1035_LABEL, `must be a dependsOn entry (${DNS_1035_ACCEPTED})`),
        dependencyResilienceSchema,
      )
      .meta({ examples: [{ catalog: { timeoutMs: 1500, retries: { attempts: 1 } } }] })
      .optional(),
    monitoring: monitoringSchema.optional(),
    backingServices: z.record(backingServiceName, backingServiceSchema).optional(),
    uses: z
      .array(
        z
          .string()
          .regex(
            BACKING_SERVICE_REFERENCE,
            'must name another service\'s backing service as <service>.<backing service>, like "orders.db" (two DNS-1035 labels)',
          ),
      )
      .optional(),
    environments: z.record(z.string(), overrideSchema).optional(),
    guardrails: z.strictObject({ suppress: z.array(suppressionSchema) }).optional(),
  })
  .superRefine((spec, ctx) => {
    if ((spec.build === undefined) === (spec.image === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["build"],
        input: undefined,
        message: "give exactly one of build (a Dockerfile in the service folder) or image (a pinned image)",
      });
    }
    checkEnvAndSecrets(spec, ctx);
    checkBackingServices(spec, ctx);
    checkPublishedPort(spec, ctx);
    checkLimitsAgainstRequests(spec, ctx);
    checkResilience(spec, ctx);
    for (const collision of variableCollisions(spec))
      ctx.addIssue({ code: "custom", path: [...collision.path], input: collision.value, message: collision.message });
    for (const [key] of Object.entries(spec.secrets ?? {})) {
      if (spec.env && key in spec.env) {
        ctx.addIssue({
          code: "custom",
          path: ["secrets", key],
          input: key,
          message: "is also set in env; give each variable once",
        });
      }
    }
  });

/**
 * Secrets never given as literal env values, and no env or secret set under a name the
 * platform sets itself (`PORT=9999` would move the service off the port its probes check).
 */
function checkEnvAndSecrets(spec: ServiceDefinition, ctx: z.RefinementCtx): void {
  const connections = Object.entries(spec.backingServices ?? {}).flatMap(([name, resource]) =>
    Object.values(connectionVariables(name, resource.type)),
  );
  const types = [...new Set(Object.values(spec.backingServices ?? {}).map((resource) => resource.type))];
  const timeoutDefault = spec.dependsOn?.length ? [DEFAULT_DEPENDENCY_TIMEOUT_VARIABLE] : [];
  const reserved = [
    ...reservedVariableNames(spec.dependsOn ?? []),
    ...timeoutDefault,
    ...RESERVED_TRACING_VARIABLES,
    ...connections,
  ];
  // Listed without each dependency's resilience variables, which the note after the list names.
  const listed = [
    ...reservedVariableNames(spec.dependsOn ?? [], false),
    ...timeoutDefault,
    ...RESERVED_TRACING_VARIABLES,
    ...connections,
  ];
  const reservedMessage = `is set by the platform and cannot be overridden; reserved names: ${listed.join(", ")}${spec.dependsOn?.length ? ` (a <DEPENDENCY>_URL per dependsOn entry, and its settings from resilience: <DEPENDENCY>_${RESILIENCE_VARIABLE_SUFFIXES.join(", _")}; set a timeout with resilience.<dependency>.timeoutMs)` : ""}${connections.length ? ` (per backingServices entry: ${types.map((type) => `${type} <RESOURCE>_${CONNECTION_PARTS_OF[type].join(", _")}`).join("; ")})` : ""}`;
  const checkEnv = (env: Record<string, string> | undefined, path: (string | number)[]) => {
    for (const [key, value] of Object.entries(env ?? {})) {
      if (SECRET_LIKE_ENV_NAME.test(key)) {
        ctx.addIssue({
          code: "custom",
          path: [...path, key],
          input: "(value not shown)",
          message:
            "looks like a secret given as a literal value; move it to secrets as a reference { secretName, key }",
        });
      } else if (reserved.includes(key)) {
        ctx.addIssue({ code: "custom", path: [...path, key], input: value, message: reservedMessage });
      }
    }
  };
  checkEnv(spec.env, ["env"]);
  for (const [envName, override] of Object.entries(spec.environments ?? {}))
    checkEnv(override.env, ["environments", envName, "env"]);
  for (const key of Object.keys(spec.secrets ?? {}).filter((k) => reserved.includes(k))) {
    ctx.addIssue({ code: "custom", path: ["secrets", key], input: key, message: reservedMessage });
  }
}

/**
 * A queue's node count is odd, a backing service is not named like a Docker network to a
 * dependency, and an environment's override names a backing service the spec declares.
 * Its connection variables are checked against every other variable of the service by
 * `variableCollisions` (service-variables.ts); env and secret keys against them with the
 * other reserved names ({@link checkEnvAndSecrets}).
 */
function checkBackingServices(spec: ServiceDefinition, ctx: z.RefinementCtx): void {
  const declared = Object.keys(spec.backingServices ?? {});
  for (const [name, resource] of Object.entries(spec.backingServices ?? {})) {
    if (resource.type === "queue" && resource.instances !== undefined)
      checkOddNodes(resource.instances, ["backingServices", name, "instances"], ctx);
    for (const dependency of spec.dependsOn ?? []) {
      if (name === `to-${dependency}`)
        ctx.addIssue({
          code: "custom",
          path: ["backingServices", name],
          input: name,
          message: `would be named like the network to dependency '${dependency}' on Docker (<service>-to-<dependency>); rename the backing service`,
        });
    }
  }
  for (const [envName, override] of Object.entries(spec.environments ?? {})) {
    for (const [name, given] of Object.entries(override.backingServices ?? {})) {
      const path = ["environments", envName, "backingServices", name];
      const type = spec.backingServices?.[name]?.type;
      if (type === undefined)
        ctx.addIssue({
          code: "custom",
          path,
          input: name,
          message: `is not a backing service of this spec${acceptedNames(name, declared, "declared")}`,
        });
      else if (type === "redis" && given.instances !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [...path, "instances"],
          input: given.instances,
          message: `cannot be given for a redis backing service: the platform runs one Redis instance; accepted: storage, resources or external`,
        });
      else if (type === "queue" && given.instances !== undefined)
        checkOddNodes(given.instances, [...path, "instances"], ctx);
    }
  }
}

/** A RabbitMQ cluster of an even number of nodes cannot keep a majority when half of them are lost. */
function checkOddNodes(instances: number, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (instances % 2 === 0)
    ctx.addIssue({
      code: "custom",
      path,
      input: instances,
      message: `must be an odd number of RabbitMQ nodes (1, 3, 5, 7 or 9): quorum queues need a majority of the nodes, which an even count does not make more available`,
    });
}

/**
 * A public service is published on 127.0.0.1 locally, where the platform has ports of its
 * own: the spec's `expose`, and each environment's (which may set its own localPort).
 */
function checkPublishedPort(spec: ServiceDefinition, ctx: z.RefinementCtx): void {
  checkPublishedPortOf(spec.expose, ["expose"], spec, ctx);
  for (const [envName, override] of Object.entries(spec.environments ?? {}))
    if (override.expose !== undefined)
      checkPublishedPortOf(override.expose, ["environments", envName, "expose"], spec, ctx);
}

function checkPublishedPortOf(
  expose: ServiceDefinition["expose"],
  path: (string | number)[],
  spec: ServiceDefinition,
  ctx: z.RefinementCtx,
): void {
  if (expose === undefined || expose === "internal") return;
  const base = spec.expose !== undefined && spec.expose !== "internal" ? spec.expose.public : undefined;
  const given = expose.public.localPort;
  const localPort = given ?? base?.localPort;
  const user = PLATFORM_LOCAL_PORTS.get(localPort ?? spec.port);
  if (user === undefined) return;
  // An override that gives no localPort of its own takes the public spec's, refused there already.
  if (given === undefined && path[0] === "environments" && base !== undefined) return;
  if (given !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "public", "localPort"],
      input: localPort,
      message: `is used by the platform on 127.0.0.1 in the local environment (${user}); platform ports: ${PLATFORM_LOCAL_PORTS_LISTED}; choose another port`,
    });
  } else {
    ctx.addIssue({
      code: "custom",
      path: ["port"],
      input: spec.port,
      message: `is published on 127.0.0.1 in the local environment (no expose.public.localPort is set) and is used by the platform there (${user}); platform ports: ${PLATFORM_LOCAL_PORTS_LISTED}; choose another port or set expose.public.localPort`,
    });
  }
}

/**
 * The spec's own limits against its requests (the default ones when it gives none).
 * Each environment's overrides are checked once resolved (`resolveCatalogue`), where the
 * environment is known.
 */
function checkLimitsAgainstRequests(spec: ServiceDefinition, ctx: z.RefinementCtx): void {
  for (const below of limitsBelowRequests(resolveResources(spec.resources))) {
    const limit = spec.resources?.limits?.[below.kind];
    // A derived limit is never below its request.
    if (limit === undefined) continue;
    const defaulted = spec.resources?.[below.kind] === undefined ? ", the default" : "";
    ctx.addIssue({
      code: "custom",
      path: ["resources", "limits", below.kind],
      input: limit,
      message: `must be at least the ${below.kind} request (${below.request}${defaulted}): ${LIMIT_BELOW_REQUEST}`,
    });
  }
}

/** What a service file writes: the input of `defineService`. */
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;
/** A parsed, valid spec, before defaults (see `resolve.ts`). */
export type ServiceDefinition = z.output<typeof serviceSpecSchema>;
