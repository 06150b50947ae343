import { describe, expect, it } from "vitest";
import {
  SpecError,
  parseServiceDefinition,
  platformEnvironment,
  resolveServiceSpec,
  type ServiceSpecInput,
} from "../../../infra/spec/model.js";
import { retryLayer } from "../../../infra/mesh-settings.js";
import { reservedVariableNames } from "../../../infra/spec/resolve.js";
import { loadConfig } from "../../../templates/runtime/src/config.js";

const FILE = "services/orders/service.ts";

const orders = (extra: Partial<ServiceSpecInput>): ServiceSpecInput => ({
  name: "orders",
  build: {},
  port: 8080,
  dependsOn: ["catalog", "fulfilment"],
  ...extra,
});

/** Orders resolved for `environment`, and the variables the platform gives its containers there. */
function resolvedOrders(extra: Partial<ServiceSpecInput>, environment: "local" | "staging") {
  const spec = resolveServiceSpec(parseServiceDefinition(orders(extra)), environment, "1.0.0");
  return { spec, variables: platformEnvironment(spec, environment, () => 8080) };
}

/** The message the synth prints for `spec` in the orders service file. */
function refusalOf(spec: ServiceSpecInput): string {
  try {
    parseServiceDefinition(spec);
  } catch (error) {
    if (error instanceof SpecError) return error.inFile(FILE).message;
    throw error;
  }
  throw new Error("the spec was accepted");
}

describe("resilience in service.ts", () => {
  it("GIVEN no resilience WHEN resolved THEN each dependency gets the safe defaults, passed as its variables", () => {
    const { spec, variables } = resolvedOrders({}, "local");
    expect(spec.resilience.catalog).toEqual({
      timeoutMs: 2000,
      retryAttempts: 2,
      retryMethods: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"],
      breakerFailures: 5,
      breakerHalfOpenAfterMs: 10000,
    });
    expect(variables).toMatchObject({
      CATALOG_URL: "http://catalog:8080",
      CATALOG_TIMEOUT_MS: "2000",
      CATALOG_RETRY_ATTEMPTS: "2",
      CATALOG_RETRY_METHODS: "GET,HEAD,PUT,DELETE,OPTIONS",
      CATALOG_BREAKER_FAILURES: "5",
      CATALOG_BREAKER_HALF_OPEN_MS: "10000",
      FULFILMENT_TIMEOUT_MS: "2000",
    });
  });

  it("GIVEN settings for one dependency WHEN resolved THEN they are its variables, and the other keeps the defaults", () => {
    const { variables } = resolvedOrders(
      {
        resilience: {
          catalog: {
            timeoutMs: 800,
            retries: { attempts: 1, methods: ["GET"] },
            breaker: { consecutiveFailures: 3, halfOpenAfterMs: 5000 },
          },
        },
      },
      "staging",
    );
    expect(variables).toMatchObject({
      CATALOG_TIMEOUT_MS: "800",
      CATALOG_RETRY_ATTEMPTS: "1",
      CATALOG_RETRY_METHODS: "GET",
      CATALOG_BREAKER_FAILURES: "3",
      CATALOG_BREAKER_HALF_OPEN_MS: "5000",
      FULFILMENT_TIMEOUT_MS: "2000",
    });
  });

  it("GIVEN retries.methods: [] WHEN resolved THEN the variable is set and empty, and the runtime reading it retries nothing", () => {
    const { variables } = resolvedOrders(
      { resilience: { catalog: { retries: { attempts: 2, methods: [] } } } },
      "local",
    );
    expect(variables.CATALOG_RETRY_METHODS).toBe("");
    const manifest = {
      name: "orders",
      port: 8080,
      dependencies: ["catalog", "fulfilment"],
      health: { liveness: "/healthz", readiness: "/readyz" },
      metricsPath: "/metrics",
    };
    const config = loadConfig(manifest, variables);
    expect(config.dependencies.catalog?.retryMethods).toEqual([]);
  });

  it("GIVEN an unknown dependency WHEN parsed THEN it is refused with the file, the field, the value and the closest dependsOn entry", () => {
    expect(refusalOf(orders({ resilience: { catalgo: { timeoutMs: 500 } } }))).toBe(
      `${FILE}: resilience.catalgo: is not in dependsOn; did you mean "catalog"? dependsOn: catalog, fulfilment (got "catalgo")`,
    );
  });

  it("GIVEN a retry of POST or PATCH WHEN parsed THEN it is refused as not idempotent, listing what is accepted", () => {
    expect(refusalOf(orders({ resilience: { catalog: { retries: { methods: ["GET", "POST"] } } } }))).toBe(
      `${FILE}: resilience.catalog.retries.methods[1]: is not idempotent: a retried POST may do its work twice (an order placed twice); accepted: GET, HEAD, PUT, DELETE, OPTIONS (got "POST")`,
    );
    expect(refusalOf(orders({ resilience: { catalog: { retries: { methods: ["PATCH"] } } } }))).toContain(
      `resilience.catalog.retries.methods[0]: is not idempotent: a retried PATCH`,
    );
    expect(refusalOf(orders({ resilience: { catalog: { retries: { methods: ["get"] } } } }))).toBe(
      `${FILE}: resilience.catalog.retries.methods[0]: must be an idempotent HTTP method, in capitals; did you mean "GET"? accepted: GET, HEAD, PUT, DELETE, OPTIONS (got "get")`,
    );
  });

  it("GIVEN a timeout at or over the shutdown budget WHEN parsed THEN it is refused, naming the budget and where it comes from", () => {
    expect(refusalOf(orders({ resilience: { catalog: { timeoutMs: 25000 } } }))).toBe(
      `${FILE}: resilience.catalog.timeoutMs: must be below the service's shutdown budget, 25000 ms (the runtime's SHUTDOWN_TIMEOUT_MS default): a call that outlives it is cut at shutdown; accepted: 1 to 24999 (got 25000)`,
    );
    expect(
      refusalOf(
        orders({
          environments: { production: { env: { SHUTDOWN_TIMEOUT_MS: "5000" } } },
          resilience: { catalog: { timeoutMs: 6000 } },
        }),
      ),
    ).toBe(
      `${FILE}: resilience.catalog.timeoutMs: must be below the service's shutdown budget, 5000 ms (environments.production.env.SHUTDOWN_TIMEOUT_MS): a call that outlives it is cut at shutdown; accepted: 1 to 4999 (got 6000)`,
    );
    expect(() => parseServiceDefinition(orders({ resilience: { catalog: { timeoutMs: 24999 } } }))).not.toThrow();
  });

  it("GIVEN out-of-range numbers WHEN parsed THEN each is refused with its range", () => {
    const message = refusalOf(
      orders({ resilience: { catalog: { retries: { attempts: 11 }, breaker: { consecutiveFailures: 0 } } } }),
    );
    expect(message.split("\n")).toEqual([
      `${FILE}: resilience.catalog.retries.attempts: must be a whole number of retries from 0 to 10 (got 11)`,
      `${FILE}: resilience.catalog.breaker.consecutiveFailures: must be a whole number of attempts from 1 to 1000 (got 0)`,
    ]);
  });

  it("GIVEN a dependency WHEN its variables are reserved THEN env may not set them", () => {
    expect(reservedVariableNames(["catalog"])).toEqual(
      expect.arrayContaining([
        "CATALOG_URL",
        "CATALOG_TIMEOUT_MS",
        "CATALOG_RETRY_METHODS",
        "CATALOG_BREAKER_FAILURES",
      ]),
    );
    expect(refusalOf(orders({ env: { CATALOG_TIMEOUT_MS: "100" } }))).toContain(
      `${FILE}: env.CATALOG_TIMEOUT_MS: is set by the platform and cannot be overridden`,
    );
  });

  it("GIVEN orders retrying its calls to catalog WHEN the mesh retries (retryLayer of a meshed environment) THEN the runtime's retries are off and its timeout and breaker stay; WHEN no mesh THEN the runtime retries", () => {
    const spec = resolveServiceSpec(
      parseServiceDefinition(orders({ resilience: { catalog: { retries: { attempts: 3 }, timeoutMs: 900 } } })),
      "staging",
      "1.0.0",
    );
    const meshed = platformEnvironment(spec, "staging", () => 8080, retryLayer("istio"));
    expect(meshed).toMatchObject({
      CATALOG_RETRY_ATTEMPTS: "0",
      CATALOG_TIMEOUT_MS: "900",
      FULFILMENT_RETRY_ATTEMPTS: "0",
    });
    expect(meshed.CATALOG_BREAKER_FAILURES).toBe(
      platformEnvironment(spec, "staging", () => 8080).CATALOG_BREAKER_FAILURES,
    );
    expect(platformEnvironment(spec, "staging", () => 8080, retryLayer("linkerd")).CATALOG_RETRY_ATTEMPTS).toBe("0");
    expect(platformEnvironment(spec, "staging", () => 8080, retryLayer("none")).CATALOG_RETRY_ATTEMPTS).toBe("3");
  });
});
