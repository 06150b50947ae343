import { describe, expect, it } from "vitest";
import { resolveCatalogue, SpecError } from "../../../infra/spec/model.js";
import type { ServiceSpecInput } from "../../../infra/spec/service-spec.js";
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

  it("GIVEN two public services on one host and path WHEN resolved THEN each file is named, naming the other", () => {
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
    expect(text.split("\n")).toEqual([
      `services/shop/service.ts: expose.public: is also served by services/web/service.ts; give each public service its own host or path (got "shop.example.com/")`,
      `services/web/service.ts: expose.public: is also served by services/shop/service.ts; give each public service its own host or path (got "shop.example.com/")`,
    ]);
  });

  it("GIVEN staging's own host of one service on another's route WHEN staging is resolved THEN the override's field is named in its file, the spec's in the other", () => {
    const text = refusal(() =>
      resolveCatalogue(
        [
          // Served in staging below staging's name: staging.shop.example.com.
          service({ name: "shop", build: {}, port: 8080, expose: { public: { host: "shop.example.com" } } }),
          service({
            name: "web",
            build: {},
            port: 8081,
            expose: { public: { host: "web.example.com" } },
            environments: { staging: { expose: { public: { host: "staging.shop.example.com" } } } },
          }),
        ],
        "staging",
        ENVIRONMENTS,
      ),
    );
    expect(text.split("\n")).toEqual([
      `services/shop/service.ts: expose.public: is also served by services/web/service.ts; give each public service its own host or path (got "staging.shop.example.com/")`,
      `services/web/service.ts: environments.staging.expose.public: is also served by services/shop/service.ts; give each public service its own host or path (got "staging.shop.example.com/")`,
    ]);
  });

  it("GIVEN two public services publishing one local port WHEN resolved THEN the clash is refused in both files", () => {
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
      "services/admin/service.ts: expose.public.localPort: is also published on 127.0.0.1 by services/shop/service.ts in the local environment",
    );
    expect(text).toContain(
      "services/shop/service.ts: expose.public.localPort: is also published on 127.0.0.1 by services/admin/service.ts in the local environment",
    );
  });

  it("GIVEN a misspelt dependency and a misspelt environment WHEN resolved THEN the closest known name is suggested", () => {
    const text = refusal(() =>
      resolveCatalogue(
        [
          service({ name: "catalog", build: {}, port: 8080 }),
          service({
            name: "orders",
            build: {},
            port: 8081,
            dependsOn: ["catlog"],
            environments: { prodution: { scaling: { min: 3, max: 3 } } },
          }),
        ],
        "local",
        ENVIRONMENTS,
      ),
    );
    expect(text.split("\n")).toEqual([
      `services/orders/service.ts: environments.prodution: is not an environment; did you mean "production"? known environments: local, staging, production (got "prodution")`,
      `services/orders/service.ts: dependsOn[0]: is not a service; did you mean "catalog"? known services: catalog, orders (got "catlog")`,
    ]);
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

describe("resolveCatalogue: a clash names the file whose edit made it", () => {
  const GATEWAY: ServiceSpecInput = {
    name: "gateway",
    build: {},
    port: 8080,
    expose: { public: { host: "shop.example.com", path: "/", localPort: 8080 } },
    dependsOn: ["catalog"],
  };
  const CATALOG: ServiceSpecInput = {
    name: "catalog",
    build: {},
    port: 8080,
    backingServices: { db: { type: "postgres" } },
  };
  /** `input` in the folder `folder`: a service folder copied with its spec unchanged. */
  const copied = (input: ServiceSpecInput, folder: string) => ({
    ...service(input),
    folder,
    file: `services/${folder}/service.ts`,
  });
  const lines = (run: () => unknown) => refusal(run).split("\n");

  it("GIVEN gateway copied to gateway2 with its name unchanged WHEN resolved THEN every line is about the copy and names the original", () => {
    const text = lines(() =>
      resolveCatalogue([service(CATALOG), service(GATEWAY), copied(GATEWAY, "gateway2")], "local", ENVIRONMENTS),
    );
    expect(text).toEqual([
      `services/gateway2/service.ts: name: must equal the folder name 'gateway2' (got "gateway")`,
      `services/gateway2/service.ts: name: is already taken by services/gateway/service.ts; service names must be unique (got "gateway")`,
      `services/gateway2/service.ts: expose.public: is also served by services/gateway/service.ts; give each public service its own host or path (got "shop.example.com/")`,
      "services/gateway2/service.ts: expose.public.localPort: is also published on 127.0.0.1 by services/gateway/service.ts in the local environment; set expose.public.localPort to a free port (got 8080)",
    ]);
  });

  it("GIVEN catalog copied to a folder that sorts before it, its name unchanged WHEN resolved THEN the copy is named, not catalog", () => {
    const text = lines(() =>
      resolveCatalogue([copied(CATALOG, "billing"), service(CATALOG), service(GATEWAY)], "local", ENVIRONMENTS),
    );
    expect(text).toEqual([
      `services/billing/service.ts: name: must equal the folder name 'billing' (got "catalog")`,
      `services/billing/service.ts: name: is already taken by services/catalog/service.ts; service names must be unique (got "catalog")`,
    ]);
  });

  it("GIVEN catalog edited to be public on gateway's host and path WHEN resolved THEN catalog's file is named, and gateway's names catalog", () => {
    const edited: ServiceSpecInput = {
      ...CATALOG,
      expose: { public: { host: "shop.example.com", path: "/", localPort: 8081 } },
    };
    const text = lines(() => resolveCatalogue([service(edited), service(GATEWAY)], "local", ENVIRONMENTS));
    expect(text).toEqual([
      `services/catalog/service.ts: expose.public: is also served by services/gateway/service.ts; give each public service its own host or path (got "shop.example.com/")`,
      `services/gateway/service.ts: expose.public: is also served by services/catalog/service.ts; give each public service its own host or path (got "shop.example.com/")`,
    ]);
  });
});
