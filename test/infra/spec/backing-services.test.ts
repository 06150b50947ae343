import { describe, expect, it } from "vitest";
import { connectionVariables } from "../../../infra/spec/backing-services.js";
import {
  parseServiceDefinition,
  resolveCatalogue,
  resolveServiceSpec,
  SpecError,
  type ServiceSpecInput,
} from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";

const ENVIRONMENTS = ["local", "staging", "production"];
const orders = { name: "orders", build: {}, port: 8080 } satisfies ServiceSpecInput;

/** The problems of a refused spec or catalogue, one line each. */
function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message.split("\n");
  }
  throw new Error("expected a refusal");
}

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
      "a type this slice does not support",
      { db: { type: "redis" } },
      'service spec: backingServices.db.type: must be a backing service type: "postgres" (Redis and a queue are planned, not yet supported) (got "redis")',
    ],
    [
      "no type",
      { db: {} },
      'service spec: backingServices.db.type: must be a backing service type: "postgres" (Redis and a queue are planned, not yet supported) (got nothing)',
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
      'service spec: backingServices.db.storage: must be a whole size in Mi, Gi or Ti from 1Gi to 16Ti, like "1Gi" or "20Gi": below 1Gi PostgreSQL\'s write-ahead log alone can fill the volume, 16Ti is the largest single cloud volume (got "0Gi")',
    ],
    [
      "storage above the bound",
      { db: { type: "postgres", storage: "17Ti" } },
      'service spec: backingServices.db.storage: must be a whole size in Mi, Gi or Ti from 1Gi to 16Ti, like "1Gi" or "20Gi": below 1Gi PostgreSQL\'s write-ahead log alone can fill the volume, 16Ti is the largest single cloud volume (got "17Ti")',
    ],
    [
      "no instance",
      { db: { type: "postgres", instances: 0 } },
      "service spec: backingServices.db.instances: must be a whole number of PostgreSQL instances from 1 to 9 (one primary, the rest replicas) (got 0)",
    ],
    [
      "an unknown key",
      { db: { type: "postgres", replicas: 2 } },
      'service spec: backingServices.db: Unrecognized key: "replicas" (got key "replicas")',
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
    expect(lines).toContain('service spec: backingServices.db: Unrecognized key: "password" (got key "password")');
    expect(lines).toContain('service spec: backingServices.cache: Unrecognized key: "url" (got key "url")');
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
      "service spec: environments.staging.backingServices.db.external.secretName: must name the existing Kubernetes Secret that holds the connection (keys host, port, dbname, user, password, uri) (got nothing)",
      "service spec: environments.production.backingServices.cache.instances: cannot be given with external: the platform creates no database there, the managed one is sized where it runs (got 3)",
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
      'service spec: environments.production.backingServices.dbs: is not a backing service of this spec; declared: db (got "dbs")',
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
      'service spec: backingServices.payments: gives the variable PAYMENTS_URL, which the platform already sets (SERVICE_NAME, PORT, PLATFORM_ENVIRONMENT, PAYMENTS_URL); rename the backing service (got "payments")',
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
    expect(connectionVariables("order-store")).toEqual({
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
      `services/orders-db/service.ts: name: is taken by the backing service 'orders-db' of services/orders/service.ts (its database, Services and Secret are named orders-db and orders-db-*); choose another name (got "orders-db")`,
      `services/orders-db-rw/service.ts: name: is taken by the backing service 'orders-db' of services/orders/service.ts (its database, Services and Secret are named orders-db and orders-db-*); choose another name (got "orders-db-rw")`,
    ]);
    expect(() =>
      resolveCatalogue([owner, service({ name: "orders-dbx", build: {}, port: 8080 })], "staging", ENVIRONMENTS),
    ).not.toThrow();
  });
});
