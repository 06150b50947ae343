import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadEnvironments } from "../../../../infra/environments.js";
import { renderMonitoringFiles } from "../../../../infra/monitoring/monitoring-files.js";
import { resolveCatalogue } from "../../../../infra/spec/model.js";
import { exampleServices, resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";
import { HARDENED_PLATFORM_CONTAINER } from "./hardening.js";

/** The docker_container resources of a service, by construct path. */
function containersOf(stack: StackJson, name: string): Array<Record<string, any>> {
  return resourcesOfType(stack, "docker_container")
    .map((r) => r.values)
    .filter((c) => String(c["//"].metadata.path).split("/")[2] === name);
}

/** Which containers (by service label) join each network. */
function networkMembers(stack: StackJson): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const { values } of resourcesOfType(stack, "docker_container")) {
    const service = values.labels.find((l: any) => l.label === "app.kubernetes.io/name").value;
    for (const network of values.networks_advanced) {
      const list = members.get(network.name) ?? [];
      if (!list.includes(service)) list.push(service);
      members.set(network.name, list.sort());
    }
  }
  return members;
}

describe("Docker target (local)", () => {
  let local: StackJson;
  beforeAll(() => {
    // GIVEN a public gateway -> orders -> catalog catalogue WHEN synthesized
    local = synthPlatform(exampleServices()).local!;
  });

  it("THEN every service container is hardened", () => {
    for (const container of resourcesOfType(local, "docker_container")
      .map((r) => r.values)
      .filter((c) => !c.name.endsWith("prometheus") && !c.name.endsWith("jaeger"))) {
      expect(container).toMatchObject({ ...HARDENED_PLATFORM_CONTAINER, init: true });
      expect(container.capabilities.add).toBeUndefined();
      expect(container.image).toMatch(/^\$\{docker_image\.[A-Za-z0-9_-]+\.image_id\}$/);
    }
  });

  it("THEN limits come from the spec and the healthcheck needs only node", () => {
    const [orders] = containersOf(local, "orders");
    expect(orders).toMatchObject({ memory: 256, memory_swap: 256, cpus: "0.2" });
    expect(orders!.healthcheck).toEqual({
      test: [
        "CMD",
        "node",
        "-e",
        "require('node:http').get('http://127.0.0.1:8081/healthz',r=>process.exit(r.statusCode>=200&&r.statusCode<300?0:1)).on('error',()=>process.exit(1))",
      ],
      interval: "10s",
      timeout: "3s",
      retries: 3,
      start_period: "10s",
    });
    expect(orders!.labels).toContainEqual({ label: "platform.dev/environment", value: "local" });
  });

  it("THEN scaling.min replicas share the service's alias", () => {
    const orders = containersOf(local, "orders");
    expect(orders.map((c) => c.name)).toEqual(["platform-local-orders-1", "platform-local-orders-2"]);
    for (const replica of orders)
      expect(replica.networks_advanced[0]).toEqual({ name: "platform-local-orders", aliases: ["orders"] });
  });

  it("THEN two services share a network only along a dependency edge, and only the callee answers to an alias there", () => {
    const members = networkMembers(local);
    expect(Object.fromEntries(members)).toEqual({
      "platform-local-catalog": ["catalog", "jaeger", "prometheus"],
      "platform-local-orders": ["jaeger", "orders", "prometheus"],
      "platform-local-gateway": ["gateway", "jaeger", "prometheus"],
      "platform-local-orders-to-catalog": ["catalog", "orders"],
      "platform-local-gateway-to-catalog": ["catalog", "gateway"],
      "platform-local-gateway-to-orders": ["gateway", "orders"],
      "platform-local-outside": ["gateway", "jaeger", "orders", "prometheus"],
    });
    const [catalog] = containersOf(local, "catalog");
    expect(
      catalog!.networks_advanced.filter((n: any) => n.name.includes("-to-catalog")).map((n: any) => n.aliases),
    ).toEqual([["catalog"], ["catalog"]]);
    const [gateway] = containersOf(local, "gateway");
    expect(
      gateway!.networks_advanced
        .filter((n: any) => n.name.includes("gateway-to-"))
        .every((n: any) => n.aliases === undefined),
    ).toBe(true);
  });

  it("THEN service networks are internal and the outside network isolates containers from each other", () => {
    const networks: Record<string, any> = Object.fromEntries(
      resourcesOfType(local, "docker_network").map((r) => [r.values.name, r.values]),
    );
    for (const [name, network] of Object.entries(networks)) {
      if (name === "platform-local-outside") continue;
      expect(network.internal, name).toBe(true);
    }
    expect(networks["platform-local-outside"]).toMatchObject({
      internal: false,
      options: { "com.docker.network.bridge.enable_icc": "false" },
    });
  });

  it("THEN only the public service (and the platform's Prometheus and Jaeger UI) publishes a port, on 127.0.0.1, from its first replica", () => {
    const published = resourcesOfType(local, "docker_container")
      .map((r) => r.values)
      .filter((c) => c.ports)
      .map((c) => [c.name, c.ports]);
    expect(published).toEqual([
      ["platform-local-gateway-1", [{ internal: 8082, external: 8082, ip: "127.0.0.1", protocol: "tcp" }]],
      ["platform-local-prometheus", [{ internal: 9090, external: 9090, ip: "127.0.0.1", protocol: "tcp" }]],
      ["platform-local-jaeger", [{ internal: 16686, external: 16686, ip: "127.0.0.1", protocol: "tcp" }]],
    ]);
  });

  it("THEN a secret is a sensitive Terraform variable, never a value in the JSON", () => {
    const [orders] = containersOf(local, "orders");
    expect(orders!.env).toContain("DB_PASSWORD=${var.secret_orders_db_password}");
    expect(local.variable?.secret_orders_db_password).toMatchObject({ sensitive: true, type: "string" });
  });

  it("THEN each build service's image is built from its folder with the base image as a build argument", () => {
    const image = resourcesOfType(local, "docker_image").find(
      (r) => r.values.name === "platform-local/orders:1.0.0",
    )!.values;
    expect(image.build).toMatchObject({
      context: "../../..",
      dockerfile: "services/orders/Dockerfile",
      build_args: { BASE_IMAGE: "node:20.19.5-bookworm-slim" },
    });
  });

  it("THEN each build service's image is rebuilt when anything its bundle is made of changes: its own files, migrations and service.ts, the runtime package, the metrics contract, the spec API", () => {
    const image = resourcesOfType(local, "docker_image").find(
      (r) => r.values.name === "platform-local/orders:1.0.0",
    )!.values;
    expect(image.triggers.sources).toBe(
      '${sha1(join(",", [for f in concat(' +
        'sort(fileset("../../..", "services/orders/src/**")), sort(fileset("../../..", "services/orders/migrations/**")), sort(fileset("../../..", "templates/runtime/src/**")), sort(fileset("../../..", "templates/runtime/bin/**")), ' +
        '["services/orders/Dockerfile", "services/orders/package.json", "services/orders/service.ts", ' +
        '"templates/runtime/package.json", "infra/monitoring/metrics-contract.ts", "infra/spec/index.ts", "infra/spec/define-service.ts", "infra/spec/runtime-defaults.ts"]' +
        ') : filesha1("../../../${f}")]))}',
    );
  });

  it("GIVEN a service that uses another's backing service WHEN synthesized THEN its image is rebuilt when the owner's service.ts changes, which its bundle derives the type from", () => {
    const stack = synthPlatform([
      service({
        name: "fulfilment",
        build: {},
        port: 8080,
        backingServices: { queue: { type: "queue", queues: ["jobs"] } },
      }),
      service({ name: "orders", build: {}, port: 8081, uses: ["fulfilment.queue"] }),
    ]).local!;
    const sourcesOf = (name: string) =>
      resourcesOfType(stack, "docker_image").find((r) => r.values.name === `platform-local/${name}:1.0.0`)!.values
        .triggers.sources as string;
    expect(sourcesOf("orders")).toContain('"services/orders/service.ts", "services/fulfilment/service.ts", ');
    expect(sourcesOf("fulfilment")).not.toContain('"services/orders/service.ts"');
  });

  it("THEN the base image can point at a company mirror", () => {
    const mirrored = synthPlatform([service({ name: "catalog", build: {}, port: 8080 })], {
      PLATFORM_BASE_IMAGE: "mirror.acme.internal/node:20.19.5-bookworm-slim",
    }).local!;
    expect(
      resourcesOfType(mirrored, "docker_image").find((r) => r.values.name.includes("catalog"))!.values.build.build_args,
    ).toEqual({ BASE_IMAGE: "mirror.acme.internal/node:20.19.5-bookworm-slim" });
  });

  it("THEN Prometheus scrapes every replica of every service", () => {
    const [environment] = loadEnvironments({});
    const catalogue = resolveCatalogue(exampleServices(), "local", ["local", "staging", "production"]);
    const files = renderMonitoringFiles(environment!, catalogue);
    const config = parse(files.find((f) => f.path === "prometheus.yml")!.content);
    expect(config.scrape_configs.map((job: any) => [job.job_name, job.static_configs[0].targets])).toEqual([
      ["catalog", ["platform-local-catalog-1:8080", "platform-local-catalog-2:8080"]],
      ["gateway", ["platform-local-gateway-1:8082", "platform-local-gateway-2:8082"]],
      ["orders", ["platform-local-orders-1:8081", "platform-local-orders-2:8081"]],
    ]);
    const prometheus = resourcesOfType(local, "docker_container").find(
      (r) => r.values.name === "platform-local-prometheus",
    )!.values;
    expect(prometheus).toMatchObject({
      read_only: true,
      user: "65534:65534",
      capabilities: { drop: ["ALL"] },
      security_opts: ["no-new-privileges:true"],
    });
  });
});

describe("Docker target healthcheck of an image without node", () => {
  it("GIVEN an image service with health.dockerCheck WHEN synthesized THEN Docker runs that command", () => {
    const local = synthPlatform([
      service({ name: "cache", image: "redis:7.4.1", port: 6379, health: { dockerCheck: ["redis-cli", "ping"] } }),
    ]).local!;
    const [cache] = containersOf(local, "cache");
    expect(cache!.healthcheck.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(
      resourcesOfType(local, "docker_image").find((r) => r.values.name === "redis:7.4.1")!.values.keep_locally,
    ).toBe(true);
  });
});
