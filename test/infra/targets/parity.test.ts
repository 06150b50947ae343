import { beforeAll, describe, expect, it } from "vitest";
import {
  exampleServices,
  resourceOf,
  resourcesOfType,
  service,
  synthPlatform,
  type StackJson,
} from "../../support/platform.js";

const SERVICES = ["catalog", "gateway", "orders"];

/** What a service looks like on Kubernetes, in target-neutral terms. */
function kubernetesView(stack: StackJson, name: string) {
  const [container] = resourceOf(stack, "kubernetes_deployment_v1", name).spec.template.spec.container;
  const liveness = container.liveness_probe.http_get;
  const port = container.port.find((p: any) => p.name === liveness.port).container_port;
  return {
    port: container.port[0].container_port,
    env: Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value])),
    secrets: container.env.filter((e: any) => e.value_from).map((e: any) => e.name),
    health: `http://127.0.0.1:${port}${liveness.path}`,
    limits: {
      cpu: Number.parseInt(container.resources.limits.cpu, 10) / 1000,
      memoryMiB: Number.parseInt(container.resources.limits.memory, 10),
    },
    user: Number(resourceOf(stack, "kubernetes_deployment_v1", name).spec.template.spec.security_context.run_as_user),
  };
}

/** What a service looks like on Docker, in the same terms. */
function dockerView(stack: StackJson, name: string) {
  const container = resourcesOfType(stack, "docker_container").find(
    (r) => r.values.name === `platform-local-${name}-1`,
  )!.values;
  const env = Object.fromEntries(
    container.env.map((line: string) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const secrets = Object.keys(env).filter((key) => env[key].startsWith("${var."));
  for (const key of secrets) delete env[key];
  return {
    port: Number(/127\.0\.0\.1:(\d+)/.exec(container.healthcheck.test[3])![1]),
    env,
    secrets,
    health: /get\('([^']+)'/.exec(container.healthcheck.test[3])![1],
    limits: { cpu: Number(container.cpus), memoryMiB: container.memory },
    user: Number(container.user.split(":")[0]),
  };
}

function kubernetesEdges(stack: StackJson): string[] {
  return SERVICES.flatMap((callee) =>
    resourceOf(stack, "kubernetes_network_policy_v1", callee)
      .spec.ingress.flatMap((rule: any) => rule.from)
      .map((from: any) => from.pod_selector?.match_labels["app.kubernetes.io/name"])
      .filter(Boolean)
      .map((caller: string) => `${caller}->${callee}`),
  ).sort();
}

function dockerEdges(stack: StackJson): string[] {
  const members = new Map<string, Set<string>>();
  const aliased = new Map<string, string>();
  for (const { values } of resourcesOfType(stack, "docker_container")) {
    const service = values.labels.find((l: any) => l.label === "app.kubernetes.io/name").value;
    for (const network of values.networks_advanced) {
      members.set(network.name, (members.get(network.name) ?? new Set()).add(service));
      if (network.aliases) aliased.set(network.name, service);
    }
  }
  // An edge is a network shared by two services on which one answers to its alias.
  return [...members]
    .filter(([network, services]) => services.size === 2 && aliased.has(network) && !services.has("prometheus"))
    .map(([network, services]) => {
      const callee = aliased.get(network)!;
      const caller = [...services].find((s) => s !== callee)!;
      return `${caller}->${callee}`;
    })
    .sort();
}

describe("Both targets read the same spec the same way", () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    // GIVEN one catalogue WHEN synthesized for local (Docker) and staging (Kubernetes, with a collector)
    stacks = synthPlatform(exampleServices(), {
      PLATFORM_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318",
    });
  });

  it.each(SERVICES)(
    "THEN %s has the same port, environment (tracing's too, but for the collector), secrets, health check, limits and user on both",
    (name) => {
      const kubernetes = kubernetesView(stacks.staging!, name);
      const docker = dockerView(stacks.local!, name);
      const perEnvironment = { PLATFORM_ENVIRONMENT: "-", OTEL_EXPORTER_OTLP_ENDPOINT: "-" };
      expect({ ...docker, env: { ...docker.env, ...perEnvironment } }).toEqual({
        ...kubernetes,
        env: { ...kubernetes.env, ...perEnvironment },
      });
      expect(docker.env.PLATFORM_ENVIRONMENT).toBe("local");
      expect(kubernetes.env.PLATFORM_ENVIRONMENT).toBe("staging");
      expect(docker.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://platform-local-jaeger:4318");
      expect(kubernetes.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://otel-collector.observability.svc:4318");
      expect(docker.env.OTEL_SERVICE_NAME).toBe(name);
    },
  );

  it("THEN the allowed service-to-service edges are the same on both", () => {
    expect(dockerEdges(stacks.local!)).toEqual(["gateway->catalog", "gateway->orders", "orders->catalog"]);
    expect(kubernetesEdges(stacks.staging!)).toEqual(dockerEdges(stacks.local!));
  });
});

describe("What differs with a mesh: local Docker has none", () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    // GIVEN one catalogue WHEN synthesized for local and for a staging in an Istio mesh
    stacks = synthPlatform(exampleServices(), {
      PLATFORM_MESH: "istio",
      PLATFORM_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318",
    });
  });

  it.each(SERVICES)(
    "THEN %s differs only in who retries its calls: the mesh on Kubernetes (each <DEPENDENCY>_RETRY_ATTEMPTS is 0), the runtime on Docker",
    (name) => {
      const kubernetes = kubernetesView(stacks.staging!, name);
      const docker = dockerView(stacks.local!, name);
      const retries = Object.keys(docker.env).filter((key) => key.endsWith("_RETRY_ATTEMPTS"));
      for (const key of retries) {
        expect(kubernetes.env[key]).toBe("0");
        expect(Number(docker.env[key])).toBeGreaterThan(0);
      }
      const same = (env: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(env).filter(
            ([key]) =>
              !retries.includes(key) && key !== "PLATFORM_ENVIRONMENT" && key !== "OTEL_EXPORTER_OTLP_ENDPOINT",
          ),
        );
      expect({ ...docker, env: same(docker.env) }).toEqual({ ...kubernetes, env: same(kubernetes.env) });
    },
  );

  it("THEN the edges stay the same on both, and only Kubernetes has mesh objects", () => {
    expect(kubernetesEdges(stacks.staging!)).toEqual(dockerEdges(stacks.local!));
    const kinds = (stack: StackJson) =>
      resourcesOfType(stack, "kubernetes_manifest").map((r) => String(r.values.manifest.apiVersion));
    expect(kinds(stacks.staging!).some((apiVersion) => apiVersion.includes("istio.io"))).toBe(true);
    expect(JSON.stringify(stacks.local!)).not.toContain("istio");
  });
});

describe("Literal values in a spec's env", () => {
  it("GIVEN an env value that looks like a Terraform template WHEN synthesized THEN both targets escape it, so Terraform passes it on unchanged", () => {
    const stacks = synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, env: { CACHE_DIR: "${HOME}/cache", GREETING: "100%{x}" } }),
    ]);
    const [container] = resourceOf(stacks.staging!, "kubernetes_deployment_v1", "catalog").spec.template.spec.container;
    expect(container.env).toContainEqual({ name: "CACHE_DIR", value: "$${HOME}/cache" });
    expect(container.env).toContainEqual({ name: "GREETING", value: "100%%{x}" });
    const docker = resourcesOfType(stacks.local!, "docker_container").find(
      (r) => r.values.name === "platform-local-catalog-1",
    )!.values;
    expect(docker.env).toContain("CACHE_DIR=$${HOME}/cache");
  });
});
