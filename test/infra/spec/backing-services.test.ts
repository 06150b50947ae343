import { describe, expect, it } from "vitest";
import { connectionVariables } from "../../../infra/spec/backing-services.js";
import {
  parseServiceDefinition,
  resolveCatalogue,
  resolveServiceSpec,
  type ServiceSpecInput,
} from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";
import { specRefusal } from "../../support/spec-refusal.js";

const ENVIRONMENTS = ["local", "staging", "production"];
const orders = { name: "orders", build: {}, port: 8080 } satisfies ServiceSpecInput;

const refusal = specRefusal;

const parse = (input: Record<string, unknown>) => () => parseServiceDefinition(input);

describe("backingServices in the spec schema", () => {
  it("GIVEN a PostgreSQL database with every field WHEN parsed THEN it is accepted as given", () => {
    const definition = parseServiceDefinition({
      ...orders,
      backingServices: { db: { type: "postgres", version: 16, storage: "20Gi", instances: 2 } },
      environments: { staging: { backingServices: { db: { external: { secretName: "orders-managed-db" } } } } },
    });
    expect(definition.backingServices).toEqual({
      db: { type: "postgres", version: 16, storage: "20Gi", instances: 2 },
    });
  });

  it.each([
    [
      "an unknown type",
      { db: { type: "mongodb" } },
      'service spec: backingServices.db.type: must be a backing service type: "postgres", "redis", "queue" (got "mongodb")',
    ],
    [
      "no type",
      { db: {} },
      'service spec: backingServices.db.type: must be a backing service type: "postgres", "redis", "queue" (got nothing)',
    ],
    [
      "a name that is not a DNS-1035 label",
      { Orders_DB: { type: "postgres" } },
      `service spec: backingServices.Orders_DB: must be a backing service name: a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters (got "Orders_DB")`,
    ],
    [
      "an unsupported major version",
      { db: { type: "postgres", version: 15 } },
      "service spec: backingServices.db.version: must be a supported PostgreSQL major version: 16 or 17 (got 15)",
    ],
    [
      "storage of zero",
      { db: { type: "postgres", storage: "0Gi" } },
      'service spec: backingServices.db.storage: must be a whole size in Mi, Gi or Ti from 1Gi to 16Ti, like "1Gi" or "20Gi": below 1Gi PostgreSQL\'s write-ahead log (or Redis\'s append-only file, RabbitMQ\'s message store) alone can fill the volume, 16Ti is the largest single cloud volume (got "0Gi")',
    ],
    [
      "storage above the bound",
      { db: { type: "postgres", storage: "17Ti" } },
      'service spec: backingServices.db.storage: must be a whole size in Mi, Gi or Ti from 1Gi to 16Ti, like "1Gi" or "20Gi": below 1Gi PostgreSQL\'s write-ahead log (or Redis\'s append-only file, RabbitMQ\'s message store) alone can fill the volume, 16Ti is the largest single cloud volume (got "17Ti")',
    ],
    [
      "no instance",
      { db: { type: "postgres", instances: 0 } },
      "service spec: backingServices.db.instances: must be a whole number of instances from 1 to 9 (PostgreSQL: one primary, the rest replicas; a queue: RabbitMQ nodes, an odd number) (got 0)",
    ],
    [
      "an unknown key",
      { db: { type: "postgres", replicas: 2 } },
      'service spec: backingServices.db.replicas: is not a field of backingServices.db; accepted fields: type, version, storage, instances, resources (got key "replicas")',
    ],
  ])(
    "GIVEN %s WHEN parsed THEN it is refused naming the field, the value and what is accepted",
    (_case, backingServices, line) => {
      expect(refusal(parse({ ...orders, backingServices }))).toEqual([line]);
    },
  );

  it("GIVEN a literal password and a URL with credentials in a spec WHEN refused THEN neither value is in the message", () => {
    const lines = refusal(
      parse({
        ...orders,
        backingServices: {
          db: { type: "postgres", password: "hunter2" },
          cache: { type: "postgres", url: "postgres://orders:hunter3@db.acme.com/orders" },
          ledger: { type: "postgres", storage: "postgres://orders:hunter4@db.acme.com/orders" },
        },
        environments: { production: { backingServices: { db: { external: { secretName: "rds", dsn: "x" } } } } },
      }),
    );
    expect(lines.join("\n")).not.toMatch(/hunter|"x"/);
    expect(lines).toContain(
      'service spec: backingServices.db.password: is not a field of backingServices.db; accepted fields: type, version, storage, instances, resources (got key "password")',
    );
    expect(lines).toContain(
      'service spec: backingServices.cache.url: is not a field of backingServices.cache; accepted fields: type, version, storage, instances, resources (got key "url")',
    );
    expect(lines.find((l) => l.startsWith("service spec: backingServices.ledger.storage:"))).toMatch(
      /\(got "postgres:\/\/\(not shown\)@db\.acme\.com\/orders"\)$/,
    );
  });

  it("GIVEN an external database without secretName, or with a size WHEN parsed THEN each is refused", () => {
    const lines = refusal(
      parse({
        ...orders,
        backingServices: { db: { type: "postgres" }, cache: { type: "postgres" } },
        environments: {
          staging: { backingServices: { db: { external: {} } } },
          production: { backingServices: { cache: { external: { secretName: "cache" }, instances: 3 } } },
        },
      }),
    );
    expect(lines).toEqual([
      "service spec: environments.staging.backingServices.db.external.secretName: must name the existing Kubernetes Secret that holds the connection (keys host, port, dbname, user, password, uri for postgres; host, port, user, password, uri for redis; host, port, username, password for a queue) (got nothing)",
      "service spec: environments.production.backingServices.cache.instances: cannot be given with external: the platform creates nothing there, the managed service is sized where it runs (got 3)",
    ]);
  });

  it("GIVEN an environment override of a backing service the spec does not declare WHEN parsed THEN it is refused with the declared ones", () => {
    expect(
      refusal(
        parse({
          ...orders,
          backingServices: { db: { type: "postgres" } },
          environments: { production: { backingServices: { dbs: { instances: 2 } } } },
        }),
      ),
    ).toEqual([
      'service spec: environments.production.backingServices.dbs: is not a backing service of this spec; did you mean "db"? declared: db (got "dbs")',
    ]);
  });

  it("GIVEN env and secret keys that a backing service's variables take WHEN parsed THEN each is refused as set by the platform", () => {
    const lines = refusal(
      parse({
        ...orders,
        env: { DB_HOST: "elsewhere" },
        environments: { production: { env: { DB_URL: "postgres://elsewhere" } } },
        secrets: { DB_PASSWORD: { secretName: "orders-db", key: "password" } },
        backingServices: { db: { type: "postgres" } },
      }),
    );
    expect(lines.map((line) => line.slice(0, line.indexOf(":", "service spec: ".length + 1)))).toEqual([
      "service spec: env.DB_HOST",
      "service spec: environments.production.env.DB_URL",
      "service spec: secrets.DB_PASSWORD",
    ]);
    for (const line of lines) {
      expect(line).toContain("is set by the platform and cannot be overridden; reserved names: ");
      expect(line).toContain("DB_HOST, DB_PORT, DB_DATABASE, DB_USER, DB_PASSWORD, DB_URL");
    }
  });

  it("GIVEN a backing service whose variables are a dependency's URL variable WHEN parsed THEN it is refused naming the variable", () => {
    expect(
      refusal(parse({ ...orders, dependsOn: ["payments"], backingServices: { payments: { type: "postgres" } } })),
    ).toEqual([
      `service spec: backingServices.payments: gives the variable PAYMENTS_URL, which the dependency 'payments' (dependsOn[0]) gives too; one value would overwrite the other. Accepted: names whose variables differ; rename the backing service (got "payments")`,
    ]);
  });

  it("GIVEN a backing service named like the Docker network to a dependency WHEN parsed THEN it is refused", () => {
    expect(
      refusal(parse({ ...orders, dependsOn: ["catalog"], backingServices: { "to-catalog": { type: "postgres" } } })),
    ).toEqual([
      `service spec: backingServices.to-catalog: would be named like the network to dependency 'catalog' on Docker (<service>-to-<dependency>); rename the backing service (got "to-catalog")`,
    ]);
  });
});

describe("backingServices resolved per environment", () => {
  const definition = parseServiceDefinition({
    ...orders,
    backingServices: {
      db: { type: "postgres" },
      audit: { type: "postgres", version: 16, storage: "5Gi", instances: 2 },
    },
    environments: {
      staging: { backingServices: { db: { storage: "2Gi" } } },
      production: { backingServices: { audit: { external: { secretName: "orders-audit-rds" } } } },
    },
  });

  it("GIVEN a database with no size WHEN resolved THEN PostgreSQL 17, 1Gi, one instance in local and staging, three in production, 250m and 512Mi each with a 512Mi memory limit", () => {
    const db = (environment: string) =>
      resolveServiceSpec(definition, environment, "1.0.0").backingServices.find((b) => b.name === "db");
    expect(db("local")).toEqual({
      name: "db",
      type: "postgres",
      version: 17,
      storage: "1Gi",
      instances: 1,
      resources: { requests: { cpuMillis: 250, memoryMiB: 512 }, limits: { memoryMiB: 512 } },
    });
    expect(db("staging")).toEqual({
      name: "db",
      type: "postgres",
      version: 17,
      storage: "2Gi",
      instances: 1,
      resources: { requests: { cpuMillis: 250, memoryMiB: 512 }, limits: { memoryMiB: 512 } },
    });
    expect(db("production")).toEqual({
      name: "db",
      type: "postgres",
      version: 17,
      storage: "1Gi",
      instances: 3,
      resources: { requests: { cpuMillis: 250, memoryMiB: 512 }, limits: { memoryMiB: 512 } },
    });
  });

  it("GIVEN a sized database and a production override to a managed one WHEN resolved THEN the spec's values hold and production is external", () => {
    const resolved = (environment: string) => resolveServiceSpec(definition, environment, "1.0.0").backingServices;
    expect(resolved("staging").map((b) => b.name)).toEqual(["audit", "db"]);
    expect(resolved("staging")[0]).toEqual({
      name: "audit",
      type: "postgres",
      version: 16,
      storage: "5Gi",
      instances: 2,
      resources: { requests: { cpuMillis: 250, memoryMiB: 512 }, limits: { memoryMiB: 512 } },
    });
    expect(resolved("production")[0]).toMatchObject({ name: "audit", external: { secretName: "orders-audit-rds" } });
  });

  it("GIVEN a service without backing services WHEN resolved THEN it has none", () => {
    expect(resolveServiceSpec(parseServiceDefinition(orders), "production", "1.0.0").backingServices).toEqual([]);
  });

  it("GIVEN a resource name with dashes WHEN its variables are named THEN they are upper case with underscores", () => {
    expect(connectionVariables("order-store", "postgres")).toEqual({
      HOST: "ORDER_STORE_HOST",
      PORT: "ORDER_STORE_PORT",
      DATABASE: "ORDER_STORE_DATABASE",
      USER: "ORDER_STORE_USER",
      PASSWORD: "ORDER_STORE_PASSWORD",
      URL: "ORDER_STORE_URL",
    });
  });
});

describe("backingServices across the catalogue", () => {
  it("GIVEN an external database in the local environment WHEN resolved THEN it is refused: local runs on Docker", () => {
    const withExternal = service({
      ...orders,
      backingServices: { db: { type: "postgres" } },
      environments: { local: { backingServices: { db: { external: { secretName: "orders-db" } } } } },
    });
    expect(refusal(() => resolveCatalogue([withExternal], "local", ENVIRONMENTS))).toEqual([
      'services/orders/service.ts: environments.local.backingServices.db.external: is only for Kubernetes environments, where a Secret holds the managed database\'s connection; local runs on docker, where the platform runs the database itself (got {"secretName":"orders-db"})',
    ]);
    expect(() => resolveCatalogue([withExternal], "staging", ENVIRONMENTS)).not.toThrow();
  });

  it("GIVEN a service named like another's database or one of its objects WHEN resolved THEN it is refused naming the owner", () => {
    const owner = service({ ...orders, backingServices: { db: { type: "postgres" } } });
    const lines = refusal(() =>
      resolveCatalogue(
        [
          owner,
          service({ name: "orders-db", build: {}, port: 8080 }),
          service({ name: "orders-db-rw", build: {}, port: 8081 }),
        ],
        "staging",
        ENVIRONMENTS,
      ),
    );
    expect(lines).toEqual([
      `services/orders-db/service.ts: name: is taken by the backing service 'orders-db' of services/orders/service.ts (its data objects, Services and Secrets are named orders-db and orders-db-*); choose another name (got "orders-db")`,
      `services/orders-db-rw/service.ts: name: is taken by the backing service 'orders-db' of services/orders/service.ts (its data objects, Services and Secrets are named orders-db and orders-db-*); choose another name (got "orders-db-rw")`,
    ]);
    expect(() =>
      resolveCatalogue([owner, service({ name: "orders-dbx", build: {}, port: 8080 })], "staging", ENVIRONMENTS),
    ).not.toThrow();
  });
});

describe("Redis and queue backing services in the spec", () => {
  it("GIVEN a Redis store and a queue with every field WHEN parsed THEN they are accepted as given", () => {
    const definition = parseServiceDefinition({
      ...orders,
      backingServices: {
        cache: { type: "redis", persistence: "aof+rdb", storage: "2Gi", resources: { memory: "512Mi" } },
        jobs: { type: "queue", queues: ["orders-placed", "orders.cancelled_v2"], storage: "5Gi", instances: 3 },
      },
      environments: { production: { backingServices: { cache: { external: { secretName: "orders-elasticache" } } } } },
    });
    expect(definition.backingServices).toEqual({
      cache: { type: "redis", persistence: "aof+rdb", storage: "2Gi", resources: { memory: "512Mi" } },
      jobs: { type: "queue", queues: ["orders-placed", "orders.cancelled_v2"], storage: "5Gi", instances: 3 },
    });
  });

  it.each([
    [
      "a persistence Redis does not offer",
      { cache: { type: "redis", persistence: "always" } },
      'service spec: backingServices.cache.persistence: must be how Redis keeps its data: "aof", "rdb", "aof+rdb", "none" ("aof": an append-only file fsynced every second, the default; "none": nothing on disk) (got "always")',
    ],
    [
      "Redis storage of zero",
      { cache: { type: "redis", storage: "0Gi" } },
      'service spec: backingServices.cache.storage: must be a whole size in Mi, Gi or Ti from 1Gi to 16Ti, like "1Gi" or "20Gi": below 1Gi PostgreSQL\'s write-ahead log (or Redis\'s append-only file, RabbitMQ\'s message store) alone can fill the volume, 16Ti is the largest single cloud volume (got "0Gi")',
    ],
    [
      "instances of a Redis store",
      { cache: { type: "redis", instances: 3 } },
      'service spec: backingServices.cache.instances: is not a field of backingServices.cache; accepted fields: type, persistence, storage, resources (got key "instances")',
    ],
    [
      "a queue without queues",
      { jobs: { type: "queue" } },
      'service spec: backingServices.jobs.queues: must list the queue names, like ["orders-placed"] (got nothing)',
    ],
    [
      "a queue with no queue",
      { jobs: { type: "queue", queues: [] } },
      'service spec: backingServices.jobs.queues: must list at least one queue name, like ["orders-placed"] (got [])',
    ],
    [
      "a queue name RabbitMQ reserves",
      { jobs: { type: "queue", queues: ["amq.orders"] } },
      `service spec: backingServices.jobs.queues[0]: must be a queue name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 255 characters, not starting with 'amq.' (reserved by RabbitMQ) (got "amq.orders")`,
    ],
    [
      "a queue name with a comma",
      { jobs: { type: "queue", queues: ["orders,placed"] } },
      `service spec: backingServices.jobs.queues[0]: must be a queue name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 255 characters, not starting with 'amq.' (reserved by RabbitMQ) (got "orders,placed")`,
    ],
    [
      "a queue listed twice",
      { jobs: { type: "queue", queues: ["orders-placed", "orders-placed"] } },
      'service spec: backingServices.jobs.queues[1]: is listed twice; list each queue once (got "orders-placed")',
    ],
    [
      "an even number of RabbitMQ nodes",
      { jobs: { type: "queue", queues: ["orders-placed"], instances: 2 } },
      "service spec: backingServices.jobs.instances: must be an odd number of RabbitMQ nodes (1, 3, 5, 7 or 9): quorum queues need a majority of the nodes, which an even count does not make more available (got 2)",
    ],
    [
      "a PostgreSQL field on a queue",
      { jobs: { type: "queue", queues: ["orders-placed"], version: 17 } },
      'service spec: backingServices.jobs.version: is not a field of backingServices.jobs; accepted fields: type, queues, storage, instances, resources (got key "version")',
    ],
  ])(
    "GIVEN %s WHEN parsed THEN it is refused naming the field, the value and what is accepted",
    (_case, backingServices, line) => {
      expect(refusal(parse({ ...orders, backingServices }))).toEqual([line]);
    },
  );

  it("GIVEN per-environment instances of a Redis store, or an even count of a queue's nodes WHEN parsed THEN each is refused", () => {
    expect(
      refusal(
        parse({
          ...orders,
          backingServices: { cache: { type: "redis" }, jobs: { type: "queue", queues: ["orders-placed"] } },
          environments: {
            production: { backingServices: { cache: { instances: 3 }, jobs: { instances: 4 } } },
          },
        }),
      ),
    ).toEqual([
      "service spec: environments.production.backingServices.cache.instances: cannot be given for a redis backing service: the platform runs one Redis instance; accepted: storage, resources or external (got 3)",
      "service spec: environments.production.backingServices.jobs.instances: must be an odd number of RabbitMQ nodes (1, 3, 5, 7 or 9): quorum queues need a majority of the nodes, which an even count does not make more available (got 4)",
    ]);
  });

  it("GIVEN env keys that a Redis store's and a queue's variables take WHEN parsed THEN each is refused as set by the platform", () => {
    const lines = refusal(
      parse({
        ...orders,
        env: { CACHE_HOST: "elsewhere", JOBS_QUEUES: "a,b" },
        backingServices: { cache: { type: "redis" }, jobs: { type: "queue", queues: ["orders-placed"] } },
      }),
    );
    expect(lines.map((line) => line.slice(0, line.indexOf(":", "service spec: ".length + 1)))).toEqual([
      "service spec: env.CACHE_HOST",
      "service spec: env.JOBS_QUEUES",
    ]);
    expect(lines[0]).toContain(
      "(per backingServices entry: redis <RESOURCE>_HOST, _PORT, _USER, _PASSWORD, _URL; queue <RESOURCE>_HOST, _PORT, _USER, _PASSWORD, _URL, _QUEUES)",
    );
    // A Redis store has no database name: CACHE_DATABASE is the service's own.
    expect(() =>
      parseServiceDefinition({
        ...orders,
        env: { CACHE_DATABASE: "0" },
        backingServices: { cache: { type: "redis" } },
      }),
    ).not.toThrow();
  });

  it("GIVEN a Redis store or a queue whose URL variable is a dependency's WHEN parsed THEN it is refused naming the variable", () => {
    expect(
      refusal(
        parse({
          ...orders,
          dependsOn: ["cache", "jobs"],
          backingServices: { cache: { type: "redis" }, jobs: { type: "queue", queues: ["orders-placed"] } },
        }),
      ),
    ).toEqual([
      `service spec: backingServices.cache: gives the variable CACHE_URL, which the dependency 'cache' (dependsOn[0]) gives too; one value would overwrite the other. Accepted: names whose variables differ; rename the backing service (got "cache")`,
      `service spec: backingServices.jobs: gives the variable JOBS_URL, which the dependency 'jobs' (dependsOn[1]) gives too; one value would overwrite the other. Accepted: names whose variables differ; rename the backing service (got "jobs")`,
    ]);
  });

  it("GIVEN a Redis store and a queue with no size WHEN resolved THEN AOF, 1Gi, 100m/256Mi for Redis; 1Gi, one node (three in production), 250m/1Gi for the queue", () => {
    const definition = parseServiceDefinition({
      ...orders,
      backingServices: { cache: { type: "redis" }, jobs: { type: "queue", queues: ["orders-placed"] } },
      environments: { staging: { backingServices: { cache: { storage: "3Gi" } } } },
    });
    const resolved = (environment: string) => resolveServiceSpec(definition, environment, "1.0.0").backingServices;
    expect(resolved("local")).toEqual([
      {
        name: "cache",
        type: "redis",
        persistence: "aof",
        storage: "1Gi",
        resources: { requests: { cpuMillis: 100, memoryMiB: 256 }, limits: { memoryMiB: 256 } },
      },
      {
        name: "jobs",
        type: "queue",
        queues: ["orders-placed"],
        storage: "1Gi",
        instances: 1,
        resources: { requests: { cpuMillis: 250, memoryMiB: 1024 }, limits: { memoryMiB: 1024 } },
      },
    ]);
    expect(resolved("staging")[0]).toMatchObject({ name: "cache", storage: "3Gi" });
    expect(resolved("production")[1]).toMatchObject({ name: "jobs", instances: 3 });
  });

  it("GIVEN a queue whose <service>-<name> is over 45 characters WHEN resolved for staging THEN it is refused: the operator's StatefulSet name would be too long", () => {
    const name = "a".repeat(20);
    const resource = "q".repeat(25);
    expect(
      refusal(() =>
        resolveCatalogue(
          [service({ name, build: {}, port: 8080, backingServices: { [resource]: { type: "queue", queues: ["q"] } } })],
          "staging",
          ENVIRONMENTS,
        ),
      ),
    ).toEqual([
      `services/${name}/service.ts: backingServices.${resource}: makes the queue name '${name}-${resource}' (46 characters); '<service>-<name>' must be at most 45 characters, since the RabbitMQ operator's StatefulSet '<name>-server' must leave room for its pods' controller-revision-hash label in 63 characters; choose a shorter name (got "${resource}")`,
    ]);
  });

  it("GIVEN a service named like another's queue Secret WHEN resolved THEN it is refused naming the owner", () => {
    const owner = service({ ...orders, backingServices: { jobs: { type: "queue", queues: ["orders-placed"] } } });
    expect(
      refusal(() =>
        resolveCatalogue(
          [owner, service({ name: "orders-jobs-default-user", build: {}, port: 8081 })],
          "staging",
          ENVIRONMENTS,
        ),
      ),
    ).toEqual([
      `services/orders-jobs-default-user/service.ts: name: is taken by the backing service 'orders-jobs' of services/orders/service.ts (its data objects, Services and Secrets are named orders-jobs and orders-jobs-*); choose another name (got "orders-jobs-default-user")`,
    ]);
  });
});

describe("uses: another service's backing service", () => {
  const owner = () =>
    service({
      ...orders,
      backingServices: { db: { type: "postgres" }, jobs: { type: "queue", queues: ["orders-placed"] } },
    });
  const reader = (input: Partial<ServiceSpecInput>) => service({ name: "reports", build: {}, port: 8081, ...input });

  it("GIVEN a service that uses orders.db and orders.jobs WHEN resolved THEN they are its uses, sorted, and orders has it as a user", () => {
    const catalogue = resolveCatalogue(
      [owner(), reader({ uses: ["orders.jobs", "orders.db", "orders.db"] })],
      "staging",
      ENVIRONMENTS,
    );
    expect(catalogue.get("reports").uses).toEqual([
      { owner: "orders", name: "db" },
      { owner: "orders", name: "jobs" },
    ]);
    expect(catalogue.usersOf("orders", "db")).toEqual(["reports"]);
    expect(catalogue.usersOf("orders", "cache")).toEqual([]);
  });

  it("GIVEN uses that are not <service>.<resource> WHEN parsed THEN each is refused naming what is accepted", () => {
    expect(refusal(parse({ ...orders, uses: ["orders", "Orders.DB"] }))).toEqual([
      'service spec: uses[0]: must name another service\'s backing service as <service>.<backing service>, like "orders.db" (two DNS-1035 labels) (got "orders")',
      'service spec: uses[1]: must name another service\'s backing service as <service>.<backing service>, like "orders.db" (two DNS-1035 labels) (got "Orders.DB")',
    ]);
  });

  it("GIVEN uses of an unknown service, an unknown resource and its own resource WHEN resolved THEN each is refused", () => {
    const lines = refusal(() =>
      resolveCatalogue(
        [
          service({ ...orders, backingServices: { db: { type: "postgres" } }, uses: ["orders.db"] }),
          reader({ uses: ["billing.db", "orders.cache"] }),
        ],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(lines).toEqual([
      `services/orders/service.ts: uses[0]: is the service's own backing service, which it reaches already (<RESOURCE>_* variables); list only other services' backing services (got "orders.db")`,
      'services/reports/service.ts: uses[0]: names no service; known services: orders, reports (got "billing.db")',
      'services/reports/service.ts: uses[1]: is not a backing service of orders; its backing services: db (got "orders.cache")',
    ]);
  });

  it("GIVEN a reader whose env, own backing service or dependency takes a variable of what it uses WHEN resolved THEN it is refused naming the variable", () => {
    const lines = refusal(() =>
      resolveCatalogue(
        [
          owner(),
          reader({ env: { ORDERS_DB_HOST: "x" }, uses: ["orders.db"] }),
          service({
            name: "audit",
            build: {},
            port: 8082,
            backingServices: { "orders-jobs": { type: "redis" } },
            uses: ["orders.jobs"],
          }),
        ],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(lines).toEqual([
      `services/reports/service.ts: uses[0]: gives the variable ORDERS_DB_HOST, which env.ORDERS_DB_HOST sets too; one value would overwrite the other. Accepted: names whose variables differ; rename one of them (a used backing service in its owner's file) (got "orders.db")`,
      `services/audit/service.ts: uses[0]: gives the variable ORDERS_JOBS_HOST, ORDERS_JOBS_PORT, ORDERS_JOBS_USER, ORDERS_JOBS_PASSWORD, ORDERS_JOBS_URL, which the backing service 'orders-jobs' (backingServices.orders-jobs) gives too; one value would overwrite the other. Accepted: names whose variables differ; rename one of them (a used backing service in its owner's file) (got "orders.jobs")`,
    ]);
  });
});

describe("which backing services need the Kubernetes API server", () => {
  it.each([
    ["a PostgreSQL database", { db: { type: "postgres" } }, true],
    ["a queue", { jobs: { type: "queue", queues: ["orders-placed"] } }, true],
    ["a Redis store alone", { cache: { type: "redis" } }, false],
  ] as const)("GIVEN %s WHEN resolved for staging THEN ownsDatabase() is %s", (_what, backingServices, needed) => {
    const catalogue = resolveCatalogue(
      [service({ ...orders, backingServices: backingServices as ServiceSpecInput["backingServices"] })],
      "staging",
      ENVIRONMENTS,
    );
    expect(catalogue.ownsDatabase()).toBe(needed);
  });
});
