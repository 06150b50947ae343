import { describe, expect, it } from "vitest";
import { discoverServices } from "../../../infra/discover-services.js";
import { ENVIRONMENT_NAMES } from "../../../infra/environments.js";
import { parseServiceDefinition, resolveCatalogue, type ServiceSpecInput } from "../../../infra/spec/model.js";
import { RUNTIME_VARIABLES } from "../../../infra/spec/runtime-defaults.js";
import { RUNTIME_VARIABLE_NAMES, variableCollisions } from "../../../infra/spec/service-variables.js";
import { ROOT } from "../../support/cli.js";
import { service } from "../../support/platform.js";
import { specRefusal } from "../../support/spec-refusal.js";

const gateway = { name: "gateway", build: {}, port: 8080 } satisfies ServiceSpecInput;

const refusal = specRefusal;

describe("a service's variables: no name may make one the runtime reads or another field gives", () => {
  it("GIVEN a dependency named shutdown WHEN parsed THEN it is refused: its timeout variable is the runtime's SHUTDOWN_TIMEOUT_MS", () => {
    const lines = refusal(() => parseServiceDefinition({ ...gateway, dependsOn: ["catalog", "shutdown"] }));
    expect(lines).toEqual([
      `service spec: dependsOn[1]: gives the variable SHUTDOWN_TIMEOUT_MS, which the service runtime reads as its own setting; one value would overwrite the other. Accepted: a name none of whose variables is the runtime's (${[...RUNTIME_VARIABLE_NAMES].join(", ")}); rename the service it calls (got "shutdown")`,
    ]);
  });

  it("GIVEN dependencies named dependency and backing-service-check WHEN parsed THEN each is refused naming its runtime variable", () => {
    const lines = refusal(() =>
      parseServiceDefinition({ ...gateway, dependsOn: ["dependency", "backing-service-check"] }),
    );
    expect(lines.map((line) => line.slice(0, line.indexOf(", which")))).toEqual([
      "service spec: dependsOn[0]: gives the variable DEPENDENCY_TIMEOUT_MS",
      "service spec: dependsOn[1]: gives the variable BACKING_SERVICE_CHECK_TIMEOUT_MS",
    ]);
  });

  it("GIVEN the runtime's variables WHEN listed THEN they include every setting the runtime reads and the platform's tracing ones", () => {
    expect([...RUNTIME_VARIABLE_NAMES]).toEqual(expect.arrayContaining(Object.values(RUNTIME_VARIABLES)));
    expect([...RUNTIME_VARIABLE_NAMES]).toEqual(
      expect.arrayContaining(["PORT", "LOG_LEVEL", "SHUTDOWN_TIMEOUT_MS", "SHUTDOWN_DRAIN_MS", "OTEL_SERVICE_NAME"]),
    );
  });

  it("GIVEN a secret and an environment's env setting one variable WHEN parsed THEN the env key is refused naming the secret", () => {
    const lines = refusal(() =>
      parseServiceDefinition({
        ...gateway,
        secrets: { REGION: { secretName: "gateway", key: "region" } },
        environments: { staging: { env: { REGION: "plain" } } },
      }),
    );
    expect(lines).toEqual([
      'service spec: environments.staging.env.REGION: sets the variable REGION, which secrets.REGION sets too; one value would overwrite the other. Accepted: names whose variables differ; give each variable once (got "REGION")',
    ]);
  });

  it("GIVEN a key in env and again in an environment's env WHEN parsed THEN it is accepted: that is an override", () => {
    expect(() =>
      parseServiceDefinition({ ...gateway, env: { MODE: "a" }, environments: { staging: { env: { MODE: "b" } } } }),
    ).not.toThrow();
  });

  it("GIVEN a dependency and a backing service of one name WHEN parsed THEN the backing service is refused naming the dependency", () => {
    const lines = refusal(() =>
      parseServiceDefinition({ ...gateway, dependsOn: ["catalog"], backingServices: { catalog: { type: "redis" } } }),
    );
    expect(lines).toEqual([
      `service spec: backingServices.catalog: gives the variable CATALOG_URL, which the dependency 'catalog' (dependsOn[0]) gives too; one value would overwrite the other. Accepted: names whose variables differ; rename the backing service (got "catalog")`,
    ]);
  });

  it("GIVEN a used backing service orders.db and a dependency orders-db WHEN resolved THEN uses is refused naming ORDERS_DB_URL and the dependency", () => {
    const orders = service({ name: "orders", build: {}, port: 8081, backingServices: { db: { type: "postgres" } } });
    const reader = service({ ...gateway, dependsOn: ["orders-db"], uses: ["orders.db"] });
    const lines = refusal(() =>
      resolveCatalogue([orders, reader, service({ name: "orders-db", build: {}, port: 8082 })], "local", [
        ...ENVIRONMENT_NAMES,
      ]),
    );
    expect(lines.filter((line) => line.includes(": uses["))).toEqual([
      `services/gateway/service.ts: uses[0]: gives the variable ORDERS_DB_URL, which the dependency 'orders-db' (dependsOn[0]) gives too; one value would overwrite the other. Accepted: names whose variables differ; rename one of them (a used backing service in its owner's file) (got "orders.db")`,
    ]);
  });

  it("GIVEN the example services WHEN their variables are derived THEN none collides", async () => {
    const services = await discoverServices(ROOT);
    expect(services.map((s) => s.definition.name).sort()).toEqual(["catalog", "fulfilment", "gateway", "orders"]);
    const typeOf = (reference: string) => {
      const [owner, name] = reference.split(".");
      return services.find((s) => s.definition.name === owner)?.definition.backingServices?.[name!]?.type;
    };
    for (const { definition } of services) expect(variableCollisions(definition, typeOf)).toEqual([]);
  });
});
