import { beforeAll, describe, expect, it } from "vitest";
import { discoverServices } from "../../../../../infra/discover-services.js";
import { ENVIRONMENT_NAMES, loadEnvironments } from "../../../../../infra/environments.js";
import { type Catalogue, type DiscoveredService, resolveCatalogue } from "../../../../../infra/spec/model.js";
import { ROOT } from "../../../../support/cli.js";
import { allowedPrincipals, istioObjects, serviceOfPrincipal } from "../../../../support/istio-objects.js";
import {
  exampleServices,
  resourceOf,
  resourcesOfType,
  service,
  synthPlatform,
  type StackJson,
} from "../../../../support/platform.js";

const KUBERNETES_ENVIRONMENTS = ["staging", "production"] as const;
const ISTIO = { PLATFORM_MESH: "istio" };

/** The namespace of a Kubernetes environment with these settings. */
const namespaceOf = (environment: string, variables: Record<string, string> = ISTIO) =>
  loadEnvironments(variables).find((e) => e.name === environment)!.namespace;

/** The catalogue of `environment` as the stack was built from it. */
const catalogueOf = (services: readonly DiscoveredService[], environment: string): Catalogue =>
  resolveCatalogue(services, environment, ENVIRONMENT_NAMES);

/**
 * Who may reach a service and on which port, as `<peer>@<port>` (`service:orders@8080`,
 * `namespace:monitoring@9464`): from its NetworkPolicy's ingress (pods of a service, a namespace) ...
 */
function networkPolicyPeers(stack: StackJson, name: string): string[] {
  const policy = resourceOf(stack, "kubernetes_network_policy_v1", name, "network-rules");
  return (policy.spec.ingress as any[])
    .flatMap((rule) =>
      (rule.from as any[]).flatMap((peer) => {
        const who =
          peer.pod_selector !== undefined
            ? `service:${peer.pod_selector.match_labels["app.kubernetes.io/name"]}`
            : `namespace:${peer.namespace_selector.match_labels["kubernetes.io/metadata.name"]}`;
        return (rule.ports as any[]).map((port) => `${who}@${port.port}`);
      }),
    )
    .sort();
}

/** ... and from its AuthorizationPolicy's sources (a service account, a namespace). */
function authorizationPolicyPeers(policy: Record<string, any>, namespace: string): string[] {
  return (policy.spec.rules as any[])
    .flatMap((rule) => {
      const ports = (rule.to as any[]).flatMap((to) => to.operation.ports as string[]);
      return (rule.from as any[]).flatMap(({ source }) =>
        [
          ...(source.principals ?? []).map((p: string) => `service:${serviceOfPrincipal(p, namespace)}`),
          ...(source.namespaces ?? []).map((n: string) => `namespace:${n}`),
        ].flatMap((who) => ports.map((port) => `${who}@${port}`)),
      );
    })
    .sort();
}

describe("Istio's objects (PLATFORM_MESH=istio), from the catalogue's edges", () => {
  let services: DiscoveredService[];
  let stacks: Record<string, StackJson>;
  beforeAll(async () => {
    // GIVEN the example catalogue WHEN synthesized with PLATFORM_MESH=istio
    services = await discoverServices(ROOT);
    stacks = synthPlatform(services, ISTIO);
  });

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN %s has one PeerAuthentication, namespace-wide, that takes mutual TLS only",
    (environment) => {
      const peers = [...istioObjects(stacks[environment]!, "PeerAuthentication").values()];
      expect(peers).toEqual([
        expect.objectContaining({
          metadata: expect.objectContaining({ name: "default", namespace: namespaceOf(environment) }),
          spec: { mtls: { mode: "STRICT" } },
        }),
      ]);
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN in %s each principal an AuthorizationPolicy allows is a dependent of its service, and each dependent is allowed",
    (environment) => {
      const catalogue = catalogueOf(services, environment);
      const namespace = namespaceOf(environment);
      const policies = istioObjects(stacks[environment]!, "AuthorizationPolicy");
      expect([...policies.keys()].sort()).toEqual(catalogue.services.map((s) => s.name));
      for (const [name, policy] of policies) {
        const allowed = allowedPrincipals(policy).map((p) => serviceOfPrincipal(p, namespace));
        expect(allowed, name).toEqual([...catalogue.dependentsOf(name)]);
      }
      // Not vacuous: the example's services call each other.
      expect(catalogue.edges().length).toBeGreaterThan(0);
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN in %s the NetworkPolicy and the AuthorizationPolicy of each service let in the same peers on the same ports",
    (environment) => {
      const namespace = namespaceOf(environment);
      const policies = istioObjects(stacks[environment]!, "AuthorizationPolicy");
      for (const { name } of catalogueOf(services, environment).services) {
        const network = networkPolicyPeers(stacks[environment]!, name);
        expect(network.length, name).toBeGreaterThan(0);
        expect(authorizationPolicyPeers(policies.get(name)!, namespace), name).toEqual(network);
      }
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN in %s every service's Deployment is selected by exactly one AuthorizationPolicy",
    (environment) => {
      const policies = [...istioObjects(stacks[environment]!, "AuthorizationPolicy").values()];
      const deployments = resourcesOfType(stacks[environment]!, "kubernetes_deployment_v1");
      expect(deployments.length).toBe(catalogueOf(services, environment).services.length);
      for (const { address, values } of deployments) {
        const labels: Record<string, string> = values.spec.template.metadata.labels;
        const selecting = policies.filter((policy) =>
          Object.entries(policy.spec.selector.matchLabels as Record<string, string>).every(
            ([key, value]) => labels[key] === value,
          ),
        );
        expect(
          selecting.map((policy) => policy.metadata.name),
          address,
        ).toHaveLength(1);
        expect(selecting[0]!.spec.action).toBe("ALLOW");
      }
    },
  );

  it("THEN the public service lets in the ingress namespace, and each service the monitoring namespace for GET of its metrics path only", () => {
    const policies = istioObjects(stacks.production!, "AuthorizationPolicy");
    expect(policies.get("gateway")!.spec.rules).toEqual([
      { from: [{ source: { namespaces: ["ingress-nginx"] } }], to: [{ operation: { ports: ["8080"] } }] },
      {
        from: [{ source: { namespaces: ["monitoring"] } }],
        to: [{ operation: { ports: ["8080"], methods: ["GET"], paths: ["/metrics"] } }],
      },
    ]);
  });

  it("THEN a DestinationRule and a VirtualService exist exactly for the services that have callers", () => {
    const catalogue = catalogueOf(services, "staging");
    const called = catalogue.services.map((s) => s.name).filter((name) => catalogue.dependentsOf(name).length > 0);
    expect(called.length).toBeGreaterThan(0);
    expect([...istioObjects(stacks.staging!, "DestinationRule").keys()].sort()).toEqual(called);
    expect([...istioObjects(stacks.staging!, "VirtualService").keys()].sort()).toEqual(called);
    const rule = istioObjects(stacks.staging!, "DestinationRule").get("catalog")!;
    expect(rule.spec).toEqual({
      host: `catalog.${namespaceOf("staging")}.svc.cluster.local`,
      trafficPolicy: {
        tls: { mode: "ISTIO_MUTUAL" },
        connectionPool: { tcp: { connectTimeout: "2s" } },
        outlierDetection: {
          consecutiveGatewayErrors: 5,
          interval: "10s",
          baseEjectionTime: "10s",
          maxEjectionPercent: 50,
        },
      },
    });
  });
});

describe("Istio's AuthorizationPolicies on a changed catalogue", () => {
  const audit = (dependsOn: string[]) => service({ name: "audit", build: {}, port: 8083, dependsOn });
  /** Each policy's principals, by `<environment> <policy>`. */
  const principals = (stacks: Record<string, StackJson>) =>
    new Map(
      KUBERNETES_ENVIRONMENTS.flatMap((environment) =>
        [...istioObjects(stacks[environment]!, "AuthorizationPolicy")].map(
          ([name, policy]) => [`${environment} ${name}`, allowedPrincipals(policy)] as const,
        ),
      ),
    );

  it("GIVEN a catalogue WHEN one service gains one dependsOn edge THEN exactly one principal is added, to exactly one policy per environment", () => {
    const before = principals(synthPlatform([...exampleServices(), audit([])], ISTIO));
    const after = principals(synthPlatform([...exampleServices(), audit(["catalog"])], ISTIO));
    expect([...after.keys()]).toEqual([...before.keys()]);
    const changes = [...after].flatMap(([key, allowed]) => {
      const previous = before.get(key)!;
      return [
        ...allowed.filter((p) => !previous.includes(p)).map((p) => `${key} + ${p}`),
        ...previous.filter((p) => !allowed.includes(p)).map((p) => `${key} - ${p}`),
      ];
    });
    expect(changes).toEqual([
      `staging catalog + cluster.local/ns/${namespaceOf("staging")}/sa/audit`,
      `production catalog + cluster.local/ns/${namespaceOf("production")}/sa/audit`,
    ]);
  });
});

describe("Without a mesh", () => {
  it("GIVEN PLATFORM_MESH unset WHEN synthesized THEN no Istio object is written", () => {
    const stacks = synthPlatform(exampleServices());
    for (const environment of KUBERNETES_ENVIRONMENTS)
      for (const kind of ["PeerAuthentication", "AuthorizationPolicy", "DestinationRule", "VirtualService"])
        expect(istioObjects(stacks[environment]!, kind).size, `${environment} ${kind}`).toBe(0);
  });

  it('GIVEN catalog\'s metrics on a port of their own (Service port "metrics", which Istio does not know as HTTP) and on its HTTP port WITH PLATFORM_MESH=istio THEN a rule with HTTP-only fields (methods, paths) names only ports the Service declares as HTTP: on any other port Istio ignores such an ALLOW rule and would refuse the scrapes', () => {
    const [catalog, orders, gateway] = exampleServices();
    const separate = service({
      ...catalog!.definition,
      monitoring: { ...catalog!.definition.monitoring, metricsPort: 9464 },
    } as never);
    for (const services of [
      [catalog!, orders!, gateway!],
      [separate, orders!, gateway!],
    ]) {
      const stack = synthPlatform(services, ISTIO).production!;
      const servicePorts = resourceOf(stack, "kubernetes_service_v1", "catalog", "exposure").spec.port as any[];
      const httpPorts = servicePorts
        .filter((port) => port.name === "http" || port.name.startsWith("http-") || port.app_protocol === "http")
        .map((port) => String(port.port));
      const rules = istioObjects(stack, "AuthorizationPolicy").get("catalog")!.spec.rules as any[];
      const monitoring = rules.find((rule) => rule.from[0].source.namespaces?.includes("monitoring"));
      expect(monitoring.to[0].operation.ports).toEqual([
        String(services[0]!.definition.monitoring?.metricsPort ?? 8080),
      ]);
      for (const rule of rules)
        for (const { operation } of rule.to)
          if (operation.methods !== undefined || operation.paths !== undefined)
            for (const port of operation.ports) expect(httpPorts, `port ${port}`).toContain(port);
    }
  });
});
