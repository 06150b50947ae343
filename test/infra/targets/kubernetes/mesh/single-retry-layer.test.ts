import { beforeAll, describe, expect, it } from "vitest";
import { discoverServices } from "../../../../../infra/discover-services.js";
import { ENVIRONMENT_NAMES } from "../../../../../infra/environments.js";
import { idempotentRouteName } from "../../../../../infra/targets/kubernetes/mesh/istio-policies.js";
import { dependencyVariablePrefix, type DiscoveredService, resolveCatalogue } from "../../../../../infra/spec/model.js";
import { ROOT } from "../../../../support/cli.js";
import { istioObjects } from "../../../../support/istio-objects.js";
import {
  exampleServices,
  LINKERD_MESH_VARIABLES,
  resourceOf,
  service,
  synthPlatform,
  type StackJson,
} from "../../../../support/platform.js";

const KUBERNETES_ENVIRONMENTS = ["staging", "production"] as const;

/** The value of a variable in a service's container (`CATALOG_RETRY_ATTEMPTS`). */
function containerVariable(stack: StackJson, name: string, variable: string): string | undefined {
  const deployment = resourceOf(stack, "kubernetes_deployment_v1", name);
  const env = deployment.spec.template.spec.container[0].env as Array<{ name: string; value?: string }>;
  return env.find((entry) => entry.name === variable)?.value;
}

/** The route of a caller in a callee's VirtualService, by the route's name. */
function routeOf(stack: StackJson, callee: string, route: string): Record<string, any> | undefined {
  const virtualService = istioObjects(stack, "VirtualService").get(callee);
  return (virtualService?.spec.http as any[] | undefined)?.find((r) => r.name === route);
}

/**
 * Where each edge caller -> callee of `services` is retried, in each Kubernetes environment
 * of `stacks`: the mesh's attempts for the caller's idempotent methods (undefined without a
 * route) and for its other methods, and the runtime's `<CALLEE>_RETRY_ATTEMPTS`; with the
 * caller's own setting beside them.
 */
function retriesOfEachEdge(services: readonly DiscoveredService[], stacks: Record<string, StackJson>) {
  return KUBERNETES_ENVIRONMENTS.flatMap((environment) => {
    const catalogue = resolveCatalogue(services, environment, ENVIRONMENT_NAMES);
    const stack = stacks[environment]!;
    return catalogue.edges().map(([caller, callee]) => {
      const settings = catalogue.get(caller).resilience[callee]!;
      const idempotent = routeOf(stack, callee, idempotentRouteName(caller));
      return {
        edge: `${environment} ${caller} -> ${callee}`,
        setting: settings.retryAttempts,
        methods: settings.retryMethods,
        meshIdempotent: idempotent?.retries.attempts as number | undefined,
        meshMethods: idempotent?.match[0].method.regex as string | undefined,
        meshMatches: idempotent?.match[0].sourceLabels["app.kubernetes.io/name"] as string | undefined,
        meshOthers: routeOf(stack, callee, caller)?.retries.attempts as number | undefined,
        runtime: containerVariable(stack, caller, `${dependencyVariablePrefix(callee)}_RETRY_ATTEMPTS`),
      };
    });
  });
}

describe("Each call is retried in one place only", () => {
  let services: DiscoveredService[];
  beforeAll(async () => {
    services = await discoverServices(ROOT);
  });

  it("GIVEN the example catalogue WITH PLATFORM_MESH=istio THEN each edge is retried by the caller's VirtualService route, with the caller's setting, and not by the runtime", () => {
    const edges = retriesOfEachEdge(services, synthPlatform(services, { PLATFORM_MESH: "istio" }));
    expect(edges.length).toBeGreaterThan(0);
    for (const edge of edges) {
      expect(edge.setting, edge.edge).toBeGreaterThan(0);
      expect(edge.meshIdempotent, edge.edge).toBe(edge.setting);
      expect(edge.meshMethods, edge.edge).toBe(`^(${edge.methods.join("|")})$`);
      expect(edge.meshMatches, edge.edge).toBe(edge.edge.split(" ")[1]);
      expect(edge.meshOthers, edge.edge).toBe(0);
      expect(edge.runtime, edge.edge).toBe("0");
    }
  });

  it("GIVEN the example catalogue WITH PLATFORM_MESH=none THEN each edge is retried by the runtime, with the caller's setting, and no VirtualService exists", () => {
    const stacks = synthPlatform(services, { PLATFORM_MESH: "none" });
    const edges = retriesOfEachEdge(services, stacks);
    expect(edges.length).toBeGreaterThan(0);
    for (const edge of edges) {
      expect(edge.runtime, edge.edge).toBe(String(edge.setting));
      expect(edge.meshIdempotent, edge.edge).toBeUndefined();
    }
    for (const environment of KUBERNETES_ENVIRONMENTS)
      expect(istioObjects(stacks[environment]!, "VirtualService").size, environment).toBe(0);
  });

  it("GIVEN two callers of one service with different settings WITH PLATFORM_MESH=istio THEN each caller's route carries its own attempts, methods and timeout", () => {
    const [catalog, orders, gateway] = exampleServices();
    const tuned = service({
      ...gateway!.definition,
      resilience: { catalog: { timeoutMs: 1500, retries: { attempts: 4, methods: ["GET"] } } },
    });
    const stack = synthPlatform([catalog!, orders!, tuned], { PLATFORM_MESH: "istio" }).production!;
    expect(routeOf(stack, "catalog", "gateway-idempotent")).toMatchObject({
      match: [{ sourceLabels: { "app.kubernetes.io/name": "gateway" }, method: { regex: "^(GET)$" } }],
      timeout: "1.5s",
      retries: { attempts: 4 },
    });
    expect(routeOf(stack, "catalog", "orders-idempotent")).toMatchObject({
      timeout: "2s",
      retries: { attempts: 2 },
    });
    expect(containerVariable(stack, "gateway", "CATALOG_RETRY_ATTEMPTS")).toBe("0");
    // The DestinationRule applies to every caller: the shortest timeout bounds the connection.
    expect(istioObjects(stack, "DestinationRule").get("catalog")!.spec.trafficPolicy.connectionPool).toEqual({
      tcp: { connectTimeout: "1.5s" },
    });
  });

  it("GIVEN two callers of catalog that share no retry setting (gateway: none; orders: GET only, then gateway: GET only; orders: the defaults) WITH PLATFORM_MESH=linkerd THEN each method a caller retries is retried in exactly one place: catalog's idempotent route or the caller's runtime", () => {
    const [catalog, orders, gateway] = exampleServices();
    const withRetries = (base: DiscoveredService, retries: { attempts: number; methods?: string[] }) =>
      service({ ...base.definition, resilience: { catalog: { retries } } } as never);
    const cases = [
      [withRetries(orders!, { attempts: 2, methods: ["GET"] }), withRetries(gateway!, { attempts: 0 })],
      [orders!, withRetries(gateway!, { attempts: 3, methods: ["GET"] })],
    ];
    for (const [callerA, callerB] of cases) {
      const services = [catalog!, callerA!, callerB!];
      const stack = synthPlatform(services, LINKERD_MESH_VARIABLES).production!;
      const catalogue = resolveCatalogue(services, "production", ENVIRONMENT_NAMES);
      const route = Object.values(stack.resource?.kubernetes_manifest ?? {})
        .map((resource) => (resource as { manifest: Record<string, any> }).manifest)
        .find((manifest) => manifest.kind === "HTTPRoute" && manifest.metadata.name === "catalog-idempotent");
      const meshRetried = new Set<string>(
        route === undefined ? [] : route.spec.rules[0].matches.map((match: { method: string }) => match.method),
      );
      for (const caller of catalogue.dependentsOf("catalog")) {
        const settings = catalogue.get(caller).resilience.catalog!;
        const attempts = Number(containerVariable(stack, caller, "CATALOG_RETRY_ATTEMPTS"));
        const methods = containerVariable(stack, caller, "CATALOG_RETRY_METHODS")!.split(",");
        for (const method of settings.retryAttempts > 0 ? settings.retryMethods : []) {
          const places = [
            meshRetried.has(method) ? "mesh" : "",
            attempts > 0 && methods.includes(method) ? "runtime" : "",
          ];
          expect(places.filter(Boolean), `${caller} -> catalog ${method}`).toHaveLength(1);
        }
        // Where the runtime retries, it retries with the caller's own attempts.
        if (attempts > 0) expect(attempts, caller).toBe(settings.retryAttempts);
      }
    }
  });
});
