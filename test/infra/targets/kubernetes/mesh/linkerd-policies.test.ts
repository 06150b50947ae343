import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../../../../infra/app.js";
import { discoverServices } from "../../../../../infra/discover-services.js";
import { type KubernetesEnvironment, loadEnvironments } from "../../../../../infra/environments.js";
import { PLATFORM_MESH_VARIABLE } from "../../../../../infra/mesh-settings.js";
import { type Catalogue, type DiscoveredService, parseServiceDefinition } from "../../../../../infra/spec/model.js";
import {
  LINKERD_IDENTITY_SUFFIX,
  linkerdRouteManifests,
} from "../../../../../infra/targets/kubernetes/mesh/linkerd-policies.js";
import { ROOT } from "../../../../support/cli.js";
import { manifestObjectsOf } from "../../../../support/crd-validators.js";
import { LINKERD_MESH_VARIABLES, resourcesOfType, type StackJson } from "../../../../support/platform.js";

const KUBERNETES_ENVIRONMENTS = ["staging", "production"] as const;
const LINKERD = LINKERD_MESH_VARIABLES;

/** The stacks and catalogues of the Kubernetes environments, as `npm run synth` makes them with `variables`. */
interface Synthesized {
  readonly stacks: Readonly<Record<string, StackJson>>;
  readonly catalogues: ReadonlyMap<string, Catalogue>;
}

/** WHEN helper: synthesizes these services with these settings, keeping each environment's catalogue. */
function synthesize(services: readonly DiscoveredService[], variables: Record<string, string>): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "linkerd-synth-"));
  try {
    const { app, catalogues } = buildPlatformApp({ services, environments: loadEnvironments(variables), outdir });
    app.synth();
    const stacks = Object.fromEntries(
      KUBERNETES_ENVIRONMENTS.map((environment) => [
        environment,
        JSON.parse(readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8")) as StackJson,
      ]),
    );
    return { stacks, catalogues };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** GIVEN helper: the discovered services with one service's definition changed by `change`. */
function withDefinition(
  services: readonly DiscoveredService[],
  name: string,
  change: (definition: Record<string, any>) => Record<string, any>,
): DiscoveredService[] {
  return services.map((discovered) =>
    discovered.definition.name === name
      ? { ...discovered, definition: parseServiceDefinition(change({ ...discovered.definition })) }
      : discovered,
  );
}

/** The Linkerd objects of a stack of one kind, by name. */
function linkerdObjects(stack: StackJson, kind: string): Map<string, Record<string, any>> {
  return new Map(
    manifestObjectsOf(stack)
      .map(({ manifest }) => manifest)
      .filter((manifest) => String(manifest.apiVersion).startsWith("policy.linkerd.io/") && manifest.kind === kind)
      .map((manifest) => [manifest.metadata.name as string, manifest]),
  );
}

/** The service accounts a MeshTLSAuthentication names (`identityRefs`), in its order. */
const serviceAccountsOf = (authentication: Record<string, any>): string[] =>
  (authentication.spec.identityRefs ?? []).map((ref: { kind: string; name: string }) => {
    expect(ref.kind).toBe("ServiceAccount");
    return ref.name;
  });

/**
 * Who may reach a service on which port, by its NetworkPolicy's ingress rules: `<port> sa:<service>`
 * for a pod selector (a service's pods run as its service account), `<port> ns:<namespace>` for a
 * namespace selector.
 */
function networkPolicyPeers(stack: StackJson, service: string): string[] {
  const [policy] = resourcesOfType(stack, "kubernetes_network_policy_v1").filter(
    ({ values }) => values.metadata.name === service,
  );
  return policy!.values.spec.ingress.flatMap((rule: any) =>
    rule.ports.flatMap((port: any) =>
      rule.from.map((peer: any) =>
        peer.pod_selector
          ? `${port.port} sa:${peer.pod_selector.match_labels["app.kubernetes.io/name"]}`
          : `${port.port} ns:${peer.namespace_selector.match_labels["kubernetes.io/metadata.name"]}`,
      ),
    ),
  );
}

/**
 * Who may reach a service on which port, by Linkerd's objects, in the same form as
 * {@link networkPolicyPeers}: each AuthorizationPolicy of a Server of the service (the Server's
 * port name, resolved to the container port), and the clients of its MeshTLSAuthentication.
 */
function linkerdPeers(stack: StackJson, service: string, ports: { http: number; metrics: number }): string[] {
  const servers = linkerdObjects(stack, "Server");
  const authentications = linkerdObjects(stack, "MeshTLSAuthentication");
  const identityPattern = new RegExp(`^\\*\\.([a-z0-9-]+)\\.${LINKERD_IDENTITY_SUFFIX.replace(/\./g, "\\.")}$`);
  return [...linkerdObjects(stack, "AuthorizationPolicy").values()].flatMap((policy) => {
    const server = servers.get(policy.spec.targetRef.name)!;
    if (server.spec.podSelector.matchLabels["app.kubernetes.io/name"] !== service) return [];
    const port = ports[server.spec.port as "http" | "metrics"];
    return policy.spec.requiredAuthenticationRefs.flatMap((ref: { name: string }) => {
      const authentication = authentications.get(ref.name)!;
      return [
        ...serviceAccountsOf(authentication).map((account) => `${port} sa:${account}`),
        ...(authentication.spec.identities ?? []).map(
          (identity: string) => `${port} ns:${identityPattern.exec(identity)?.[1] ?? `unparsed ${identity}`}`,
        ),
      ];
    });
  });
}

describe("Linkerd's objects of the example catalogue (PLATFORM_MESH=linkerd)", () => {
  let services: DiscoveredService[];
  let example: Synthesized;
  beforeAll(async () => {
    // GIVEN the services of this repository WHEN synthesized in a Linkerd mesh
    services = await discoverServices(ROOT);
    example = synthesize(services, LINKERD);
  });

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN in %s each <service>-callers MeshTLSAuthentication names exactly its dependents' service accounts",
    (environment) => {
      const catalogue = example.catalogues.get(environment)!;
      const callers = linkerdObjects(example.stacks[environment]!, "MeshTLSAuthentication");
      const called = catalogue.services.filter((spec) => catalogue.dependentsOf(spec.name).length > 0);
      expect(called.length).toBeGreaterThan(1);
      for (const spec of catalogue.services) {
        const authentication = callers.get(`${spec.name}-callers`);
        const dependents = catalogue.dependentsOf(spec.name);
        if (dependents.length === 0) {
          expect(authentication, `${spec.name} is called by nobody`).toBeUndefined();
          continue;
        }
        // Each named account is a dependent, and each dependent is named (once).
        expect(serviceAccountsOf(authentication!), spec.name).toEqual([...dependents].sort());
        expect(authentication!.metadata.namespace).toBe(`platform-${environment}`);
      }
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN in %s the NetworkPolicy and Linkerd let in the same peers on the same ports, for every service",
    (environment) => {
      const catalogue = example.catalogues.get(environment)!;
      const stack = example.stacks[environment]!;
      for (const spec of catalogue.services) {
        const fromNetworkPolicy = networkPolicyPeers(stack, spec.name).sort();
        expect(fromNetworkPolicy.length, spec.name).toBeGreaterThan(0);
        expect(
          linkerdPeers(stack, spec.name, { http: spec.port, metrics: spec.monitoring.metricsPort }).sort(),
          spec.name,
        ).toEqual(fromNetworkPolicy);
      }
    },
  );

  it("GIVEN catalog's metrics on a port of their own THEN its metrics Server lets in the monitoring namespace alone, as its NetworkPolicy does", () => {
    const separate = synthesize(
      withDefinition(services, "catalog", (definition) => ({
        ...definition,
        monitoring: { ...definition.monitoring, metricsPort: 9464 },
      })),
      LINKERD,
    );
    const stack = separate.stacks.production!;
    const peers = linkerdPeers(stack, "catalog", { http: 8080, metrics: 9464 }).sort();
    expect(peers).toEqual(networkPolicyPeers(stack, "catalog").sort());
    expect(peers).toEqual(["8080 sa:gateway", "8080 sa:orders", "9464 ns:monitoring"]);
    expect(linkerdObjects(stack, "Server").get("catalog-metrics")!.spec.port).toBe("metrics");
    expect(linkerdObjects(stack, "AuthorizationPolicy").get("catalog-monitoring")!.spec.targetRef).toEqual({
      group: "policy.linkerd.io",
      kind: "Server",
      name: "catalog-metrics",
    });
  });

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN in %s every service Deployment is selected by a Server, on a named port of its pods, that an AuthorizationPolicy targets",
    (environment) => {
      const stack = example.stacks[environment]!;
      const servers = [...linkerdObjects(stack, "Server").values()];
      const targeted = new Set(
        [...linkerdObjects(stack, "AuthorizationPolicy").values()].map((policy) => policy.spec.targetRef.name),
      );
      const deployments = resourcesOfType(stack, "kubernetes_deployment_v1");
      expect(deployments.map(({ values }) => values.metadata.name).sort()).toEqual(
        example.catalogues.get(environment)!.services.map((spec) => spec.name),
      );
      for (const { values } of deployments) {
        const podLabels: Record<string, string> = values.spec.template.metadata.labels;
        const portNames = values.spec.template.spec.container.flatMap((c: any) => c.port.map((p: any) => p.name));
        const selecting = servers.filter((server) =>
          Object.entries(server.spec.podSelector.matchLabels).every(([key, value]) => podLabels[key] === value),
        );
        expect(
          selecting.filter((server) => targeted.has(server.metadata.name) && portNames.includes(server.spec.port)),
          values.metadata.name,
        ).not.toEqual([]);
      }
    },
  );

  it("GIVEN one dependsOn edge added (fulfilment calls orders) THEN exactly one identity is added, to exactly one MeshTLSAuthentication", () => {
    const changed = synthesize(
      withDefinition(services, "fulfilment", (definition) => ({ ...definition, dependsOn: ["orders"] })),
      LINKERD,
    );
    for (const environment of KUBERNETES_ENVIRONMENTS) {
      const accounts = (stack: StackJson) =>
        new Map(
          [...linkerdObjects(stack, "MeshTLSAuthentication")].map(([name, authentication]) => [
            name,
            [...serviceAccountsOf(authentication), ...(authentication.spec.identities ?? [])],
          ]),
        );
      const before = accounts(example.stacks[environment]!);
      const after = accounts(changed.stacks[environment]!);
      expect([...after.keys()].sort(), environment).toEqual([...before.keys()].sort());
      const added = [...after].flatMap(([name, identities]) =>
        identities
          .filter((identity) => !before.get(name)!.includes(identity))
          .map((identity) => `${name}: ${identity}`),
      );
      const removed = [...before].flatMap(([name, identities]) =>
        identities.filter((identity) => !after.get(name)!.includes(identity)).map((identity) => `${name}: ${identity}`),
      );
      expect({ added, removed }, environment).toEqual({ added: ["orders-callers: fulfilment"], removed: [] });
    }
  });

  it("GIVEN callers that allow a callee different retries and timeouts THEN its idempotent route carries the strictest, and no caller's runtime retries it", () => {
    // GIVEN gateway allows catalog one retry within 1200 ms; orders keeps the defaults (two, 2000 ms)
    const stricter = synthesize(
      withDefinition(services, "gateway", (definition) => ({
        ...definition,
        resilience: { catalog: { timeoutMs: 1200, retries: { attempts: 1 } } },
      })),
      LINKERD,
    );
    for (const { stacks, catalogues } of [example, stricter])
      for (const environment of KUBERNETES_ENVIRONMENTS) {
        const catalogue = catalogues.get(environment)!;
        const routes = linkerdObjects(stacks[environment]!, "HTTPRoute");
        const deployments = resourcesOfType(stacks[environment]!, "kubernetes_deployment_v1");
        for (const spec of catalogue.services) {
          const callers = catalogue.dependentsOf(spec.name);
          if (callers.length === 0) {
            expect(routes.has(spec.name), `${spec.name} is called by nobody`).toBe(false);
            continue;
          }
          const settings = callers.map((caller) => catalogue.get(caller).resilience[spec.name]!);
          const annotations = routes.get(`${spec.name}-idempotent`)!.metadata.annotations;
          // The retries happen in the mesh, once per callee route: the fewest a caller allows.
          expect(annotations["retry.linkerd.io/limit"], spec.name).toBe(
            String(Math.min(...settings.map((s) => s.retryAttempts))),
          );
          expect(annotations["retry.linkerd.io/http"]).toBe("gateway-error");
          const timeout = `${Math.min(...settings.map((s) => s.timeoutMs))}ms`;
          expect(annotations["timeout.linkerd.io/request"]).toBe(timeout);
          expect(routes.get(spec.name)!.metadata.annotations).toEqual({ "timeout.linkerd.io/request": timeout });
          // ... and not in the callers' runtime.
          for (const caller of callers) {
            const deployment = deployments.find(({ values }) => values.metadata.name === caller)!;
            const env = deployment.values.spec.template.spec.container[0].env;
            const variable = `${spec.name.toUpperCase().replace(/-/g, "_")}_RETRY_ATTEMPTS`;
            expect(
              env.find((entry: { name: string }) => entry.name === variable),
              `${caller} -> ${spec.name}`,
            ).toEqual({ name: variable, value: "0" });
          }
        }
      }
    // The stricter caller's setting is the one that applies, to every caller of catalog.
    expect(
      linkerdObjects(stricter.stacks.production!, "HTTPRoute").get("catalog-idempotent")!.metadata.annotations,
    ).toEqual({
      "retry.linkerd.io/http": "gateway-error",
      "retry.linkerd.io/limit": "1",
      "timeout.linkerd.io/request": "1200ms",
    });
  });

  it("GIVEN no mesh, or Istio, THEN no Linkerd object is written", () => {
    for (const variables of [{}, { [PLATFORM_MESH_VARIABLE]: "istio" }] as Record<string, string>[]) {
      const { stacks } = synthesize(services, variables);
      for (const environment of KUBERNETES_ENVIRONMENTS)
        expect(
          manifestObjectsOf(stacks[environment]!).filter(({ manifest }) =>
            String(manifest.apiVersion).startsWith("policy.linkerd.io/"),
          ),
        ).toEqual([]);
    }
  });

  describe("linkerdRouteManifests", () => {
    const catalog = () => example.catalogues.get("production")!.get("catalog");
    const production = () =>
      loadEnvironments(LINKERD).find((environment) => environment.name === "production") as KubernetesEnvironment;

    it("GIVEN a caller that allows no retry THEN the callee gets its timeout route only: Linkerd would read limit 0 as one retry", () => {
      const routes = linkerdRouteManifests(catalog(), production(), {
        timeoutMs: 900,
        retryAttempts: 0,
        retryMethods: ["GET"],
      });
      expect(routes.map(({ id, manifest }) => [id, (manifest.metadata as any).annotations])).toEqual([
        ["route", { "timeout.linkerd.io/request": "900ms" }],
      ]);
    });

    it("GIVEN callers that share no retried method THEN no idempotent route is written", () => {
      const routes = linkerdRouteManifests(catalog(), production(), {
        timeoutMs: 900,
        retryAttempts: 2,
        retryMethods: [],
      });
      expect(routes.map(({ id }) => id)).toEqual(["route"]);
    });

    it("GIVEN retries THEN the idempotent route matches the shared methods on the callee's Service port, within the call's timeout and with no per-attempt timeout (a timed-out attempt is not retried, as in the runtime)", () => {
      const [, idempotent] = linkerdRouteManifests(catalog(), production(), {
        timeoutMs: 1000,
        retryAttempts: 3,
        retryMethods: ["GET", "HEAD"],
      });
      expect(idempotent!.manifest).toMatchObject({
        metadata: { name: "catalog-idempotent", annotations: { "timeout.linkerd.io/request": "1000ms" } },
        spec: {
          parentRefs: [{ group: "core", kind: "Service", name: "catalog", port: 8080 }],
          rules: [
            {
              matches: [
                { path: { type: "PathPrefix", value: "/" }, method: "GET" },
                { path: { type: "PathPrefix", value: "/" }, method: "HEAD" },
              ],
            },
          ],
        },
      });
      expect((idempotent!.manifest.metadata as any).annotations).not.toHaveProperty("retry.linkerd.io/timeout");
    });
  });
});
