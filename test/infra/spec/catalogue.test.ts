import { describe, expect, it } from "vitest";
import { resolveCatalogue, SpecError } from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";

const ENVIRONMENTS = ["local", "staging", "production"];

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message;
  }
  throw new Error("expected the catalogue to be refused");
}

describe("resolveCatalogue", () => {
  it("GIVEN services that call each other WHEN resolved THEN each knows its dependents and the edges are listed", () => {
    const catalogue = resolveCatalogue(
      [
        service({ name: "catalog", build: {}, port: 8080 }),
        service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      ],
      "staging",
      ENVIRONMENTS,
    );
    expect(catalogue.dependentsOf("catalog")).toEqual(["orders"]);
    expect(catalogue.dependentsOf("orders")).toEqual([]);
    expect(catalogue.edges()).toEqual([["orders", "catalog"]]);
  });

  it("GIVEN a name that differs from its folder WHEN resolved THEN the file, field and value are named", () => {
    const orders = {
      ...service({ name: "orders", build: {}, port: 8080 }),
      folder: "order",
      file: "services/order/service.ts",
    };
    expect(refusal(() => resolveCatalogue([orders], "local", ENVIRONMENTS))).toBe(
      `services/order/service.ts: name: must equal the folder name 'order' (got "orders")`,
    );
  });

  it("GIVEN an unknown and a self dependency WHEN resolved THEN both are refused with the known services", () => {
    const text = refusal(() =>
      resolveCatalogue(
        [service({ name: "orders", build: {}, port: 8080, dependsOn: ["orders", "billing"] })],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(text).toContain(
      `services/orders/service.ts: dependsOn[0]: is the service itself; list only other services it calls (got "orders")`,
    );
    expect(text).toContain(
      `services/orders/service.ts: dependsOn[1]: is not a service; known services: orders (got "billing")`,
    );
  });

  it("GIVEN two public services on one host and path WHEN resolved THEN the second is refused naming the first", () => {
    const text = refusal(() =>
      resolveCatalogue(
        [
          service({ name: "shop", build: {}, port: 8080, expose: { public: { host: "shop.example.com" } } }),
          service({ name: "web", build: {}, port: 8081, expose: { public: { host: "shop.example.com", path: "/" } } }),
        ],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(text).toContain(`services/web/service.ts: expose.public: is already served by services/shop/service.ts`);
    expect(text).toContain(`(got "shop.example.com/")`);
  });

  it("GIVEN two public services publishing one local port WHEN resolved THEN the clash is refused", () => {
    const text = refusal(() =>
      resolveCatalogue(
        [
          service({ name: "shop", build: {}, port: 8080, expose: { public: { host: "shop.example.com" } } }),
          service({ name: "admin", build: {}, port: 8080, expose: { public: { host: "admin.example.com" } } }),
        ],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(text).toContain(
      "services/admin/service.ts: expose.public.localPort: is already published on 127.0.0.1 by services/shop/service.ts",
    );
  });

  it("GIVEN a reserved name or an unknown environment override WHEN resolved THEN both are refused", () => {
    const text = refusal(() =>
      resolveCatalogue(
        [service({ name: "prometheus", build: {}, port: 9090, environments: { qa: { env: { A: "1" } } } })],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(text).toContain(`name: is reserved for the platform`);
    expect(text).toContain(
      `environments.qa: is not an environment; known environments: local, staging, production (got "qa")`,
    );
  });

  it("GIVEN an override that raises the memory request above the spec's limit WHEN resolved for that environment THEN it is refused there", () => {
    const orders = service({
      name: "orders",
      build: {},
      port: 8080,
      resources: { memory: "256Mi", limits: { memory: "256Mi" } },
      environments: { production: { resources: { memory: "512Mi" } } },
    });
    expect(resolveCatalogue([orders], "staging", ENVIRONMENTS).get("orders").resources.limits.memoryMiB).toBe(256);
    expect(refusal(() => resolveCatalogue([orders], "production", ENVIRONMENTS))).toBe(
      'services/orders/service.ts: environments.production.resources.memory: must be at most the memory limit (256Mi) in production: Kubernetes refuses a pod whose limit is below its request (got "512Mi")',
    );
  });

  it("GIVEN an override that lowers the cpu limit below the spec's request WHEN resolved for that environment THEN the override's limit is refused", () => {
    const orders = service({
      name: "orders",
      build: {},
      port: 8080,
      resources: { cpu: "500m" },
      environments: { staging: { resources: { limits: { cpu: "200m" } } } },
    });
    expect(refusal(() => resolveCatalogue([orders], "staging", ENVIRONMENTS))).toBe(
      'services/orders/service.ts: environments.staging.resources.limits.cpu: must be at least the cpu request (500m) in staging: Kubernetes refuses a pod whose limit is below its request (got "200m")',
    );
  });

  it("GIVEN an override that raises min above max WHEN resolved for that environment THEN it is refused there", () => {
    const orders = service({
      name: "orders",
      build: {},
      port: 8080,
      scaling: { min: 2, max: 4 },
      environments: { production: { scaling: { min: 6 } } },
    });
    expect(resolveCatalogue([orders], "staging", ENVIRONMENTS).get("orders").scaling).toMatchObject({ min: 2, max: 4 });
    expect(refusal(() => resolveCatalogue([orders], "production", ENVIRONMENTS))).toContain(
      "environments.production.scaling.min: must be at most scaling.max (4) in production (got 6)",
    );
  });
});
