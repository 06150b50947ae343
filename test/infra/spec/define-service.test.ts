import { describe, expect, it } from "vitest";
import { defineService, parseServiceDefinition, SpecError, type ServiceSpecInput } from "../../../infra/spec/model.js";

const valid: ServiceSpecInput = { name: "orders", build: {}, port: 8080 };

function refusal(input: Record<string, unknown>): string {
  try {
    parseServiceDefinition(input);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message;
  }
  throw new Error("expected the spec to be refused");
}

describe("defineService", () => {
  it("GIVEN any spec, even an invalid one WHEN defined THEN it is returned as it is, for discovery to check", () => {
    const invalid = { ...valid, port: 70000 };
    expect(defineService(invalid)).toBe(invalid);
  });
});

describe("parseServiceDefinition: the one check of what a service file exports", () => {
  it("GIVEN a minimal valid spec WHEN parsed THEN it is returned as parsed", () => {
    expect(parseServiceDefinition(valid)).toMatchObject({ name: "orders", port: 8080, build: {} });
  });

  it.each([
    ["nothing", undefined, "(spec)"],
    ["a string", "orders", "(spec)"],
  ])("GIVEN %s instead of a spec WHEN parsed THEN it is refused", (_case, input, field) => {
    expect(() => parseServiceDefinition(input)).toThrow(
      new RegExp(`^service spec: ${field.replace(/[()]/g, "\\$&")}: `),
    );
  });

  it("GIVEN a getter that answers plain text to a first read and a token marker to the next WHEN parsed THEN no marker reaches the parsed spec", () => {
    let reads = 0;
    const spec = { ...valid, env: {} as Record<string, string> };
    Object.defineProperty(spec.env, "LEAK", {
      enumerable: true,
      get: () => (reads++ === 0 ? "plain" : "${TfToken[TOKEN.3]}"),
    });
    const parsed = (() => {
      try {
        return parseServiceDefinition(spec);
      } catch (error) {
        return error as Error;
      }
    })();
    // Refused as a token, or parsed from one read: what the platform goes on with never holds the marker.
    if (parsed instanceof Error) expect(parsed.message).toContain("env.LEAK: holds a CDK for Terraform token");
    else expect(parsed.env?.LEAK).toBe("plain");
  });

  it("GIVEN a string that holds a cdktf token marker WHEN parsed THEN it is refused, naming the field", () => {
    const text = refusal({ ...valid, env: { LEAK: "${TfToken[TOKEN.7]}" }, description: "#{TfToken[TOKEN.1]}" });
    expect(text).toContain("service spec: env.LEAK: holds a CDK for Terraform token");
    expect(text).toContain("service spec: description: holds a CDK for Terraform token");
  });

  it.each([
    [
      "a name that is not a DNS-1035 label",
      { ...valid, name: "Orders_1" },
      "name: must be a DNS-1035 label",
      '"Orders_1"',
    ],
    [
      "a port out of range",
      { ...valid, port: 70000 },
      "port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port)",
      "70000",
    ],
    [
      "a port the service cannot bind as uid 10001",
      { ...valid, port: 80 },
      "port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port)",
      "got 80",
    ],
    [
      "a metrics port the service cannot bind",
      { ...valid, monitoring: { metricsPort: 443 } },
      "monitoring.metricsPort: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port)",
      "got 443",
    ],
    [
      "an image tagged latest",
      { name: "orders", image: "nginx:latest", port: 8080 },
      "image: must not use the tag 'latest'",
      '"nginx:latest"',
    ],
    [
      "an image without a tag",
      { name: "orders", image: "ghcr.io/acme/orders", port: 8080 },
      "image: must be an image with a pinned tag or digest",
      '"ghcr.io/acme/orders"',
    ],
    [
      "min above max replicas",
      { ...valid, scaling: { min: 5, max: 2 } },
      "scaling.min: must be at most scaling.max (2)",
      "got 5",
    ],
    [
      "a metrics path without a leading slash",
      { ...valid, monitoring: { metricsPath: "metrics" } },
      "monitoring.metricsPath: must be an HTTP path starting with '/'",
      '"metrics"',
    ],
    [
      "a Dockerfile outside the service folder",
      { ...valid, build: { dockerfile: "../gateway/Dockerfile" } },
      "build.dockerfile: must be a file inside the service folder",
      '"../gateway/Dockerfile"',
    ],
    [
      "a Dockerfile path that quotes",
      { ...valid, build: { dockerfile: 'Dockerfile"), file("/etc/hostname' } },
      "build.dockerfile: must be a file inside the service folder",
      "Dockerfile",
    ],
    [
      "an SLO of 100%",
      { ...valid, monitoring: { slo: { availability: 100 } } },
      "monitoring.slo.availability: must be a percentage strictly between 0 and 100",
      "got 100",
    ],
    [
      "a latency threshold of zero",
      { ...valid, monitoring: { slo: { latencyMs: 0 } } },
      "monitoring.slo.latencyMs: must be a number of milliseconds above 0, like 300 (got 0)",
      "got 0",
    ],
    [
      "a latency threshold between two histogram buckets",
      { ...valid, monitoring: { slo: { latencyMs: 350 } } },
      "monitoring.slo.latencyMs: must be a bound of the latency histogram's buckets, in milliseconds: 5, 10, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 2500, 5000, 10000 (the share of slower requests is exact only at a bound) (got 350)",
      "got 350",
    ],
    [
      "an SLO so low that the fast-burn page could never fire",
      { ...valid, monitoring: { slo: { availability: 90 } } },
      "monitoring.slo.availability: must be above 93.06: below it, 14.4 times the error budget is more than every request failing, and the fast-burn page could never fire (got 90)",
      "got 90",
    ],
    [
      "an SLO of 0%",
      { ...valid, monitoring: { slo: { availability: 0 } } },
      "monitoring.slo.availability: must be a percentage strictly between 0 and 100, like 99.9 (got 0)",
      "got 0",
    ],
    [
      "egress to the whole internet",
      { ...valid, egress: [{ cidr: "0.0.0.0/0", ports: [443] }] },
      "egress[0].cidr: must be an IPv4 CIDR",
      '"0.0.0.0/0"',
    ],
    ["both build and image", { ...valid, image: "nginx:1.27.0" }, "build: give exactly one of build", "nothing"],
    [
      "a suppression with a short reason",
      { ...valid, guardrails: { suppress: [{ rule: "K8S-04", reason: "because" }] } },
      "guardrails.suppress[0].reason: must explain the exception in at least 10 characters",
      '"because"',
    ],
  ])(
    "GIVEN %s WHEN parsed THEN it is refused naming the field, the value and what is accepted",
    (_case, input, message, value) => {
      const text = refusal(input);
      expect(text).toContain(`service spec: ${message}`);
      expect(text).toContain(value);
    },
  );

  it("GIVEN a suppression reason of ten zero-width spaces WHEN parsed THEN it is refused, the invisible characters shown escaped", () => {
    const text = refusal({ ...valid, guardrails: { suppress: [{ rule: "K8S-04", reason: "\u200b".repeat(10) }] } });
    expect(text).toBe(
      `service spec: guardrails.suppress[0].reason: must explain the exception in at least 10 letters or digits; spaces, punctuation and invisible characters do not count (got "${"\\u200b".repeat(10)}")`,
    );
  });

  it("GIVEN a suppression reason padded with spaces and dots around few letters WHEN parsed THEN it is refused", () => {
    expect(refusal({ ...valid, guardrails: { suppress: [{ rule: "K8S-04", reason: "  .. legacy ..  " }] } })).toContain(
      "guardrails.suppress[0].reason: must explain the exception in at least 10 letters or digits",
    );
  });

  it("GIVEN a suppression reason of ten letters in any script WHEN parsed THEN it is accepted", () => {
    expect(
      parseServiceDefinition({
        ...valid,
        guardrails: { suppress: [{ rule: "K8S-04", reason: "レガシーの移行中です。来月" }] },
      }).guardrails?.suppress[0]?.rule,
    ).toBe("K8S-04");
  });

  it.each([
    ["memory that rounds to zero", { memory: "0.001Ki" }, "resources.memory: must be from 16Mi to 256Gi", '"0.001Ki"'],
    [
      "cpu of 10^20 cores",
      { cpu: "100000000000000000000" },
      "resources.cpu: must be from 10m to 64000m (64 cores)",
      '"100000000000000000000"',
    ],
    ["cpu below the floor", { cpu: "5m" }, "resources.cpu: must be from 10m to 64000m (64 cores)", '"5m"'],
    [
      "a memory limit of 1 PiB",
      { limits: { memory: "1048576Gi" } },
      "resources.limits.memory: must be from 16Mi to 256Gi",
      '"1048576Gi"',
    ],
    [
      "a cpu limit above the ceiling",
      { limits: { cpu: 65 } },
      "resources.limits.cpu: must be from 10m to 64000m (64 cores)",
      "got 65",
    ],
    [
      "memory that is not a whole number of Ki",
      { memory: "16.0001Mi" },
      "resources.memory: must be a whole number of Ki",
      '"16.0001Mi"',
    ],
  ])("GIVEN %s WHEN parsed THEN it is refused with the bounds", (_case, resources, message, value) => {
    const text = refusal({ ...valid, resources });
    expect(text).toContain(`service spec: ${message}`);
    expect(text).toContain(`(got ${value.startsWith("got ") ? value.slice(4) : value})`);
  });

  it("GIVEN the smallest and the largest quantities WHEN parsed THEN they are accepted", () => {
    expect(() =>
      parseServiceDefinition({
        ...valid,
        resources: { cpu: "10m", memory: "16Mi", limits: { cpu: 64, memory: "256Gi" } },
      }),
    ).not.toThrow();
    expect(() => parseServiceDefinition({ ...valid, resources: { cpu: "64000m", memory: "262144Mi" } })).not.toThrow();
  });

  it("GIVEN limits below the requests WHEN parsed THEN each is refused naming the request", () => {
    const text = refusal({
      ...valid,
      resources: { cpu: "500m", memory: "256Mi", limits: { cpu: "250m", memory: "128Mi" } },
    });
    expect(text).toBe(
      [
        'service spec: resources.limits.cpu: must be at least the cpu request (500m): Kubernetes refuses a pod whose limit is below its request (got "250m")',
        'service spec: resources.limits.memory: must be at least the memory request (256Mi): Kubernetes refuses a pod whose limit is below its request (got "128Mi")',
      ].join("\n"),
    );
  });

  it("GIVEN a memory limit below the default request WHEN parsed THEN it is refused naming the default", () => {
    expect(refusal({ ...valid, resources: { limits: { memory: "64Mi" } } })).toBe(
      'service spec: resources.limits.memory: must be at least the memory request (256Mi, the default): Kubernetes refuses a pod whose limit is below its request (got "64Mi")',
    );
  });

  it("GIVEN env setting PORT while the probes use the spec's port WHEN parsed THEN it is refused listing the reserved names", () => {
    expect(refusal({ ...valid, env: { PORT: "9999" } })).toBe(
      'service spec: env.PORT: is set by the platform and cannot be overridden; reserved names: SERVICE_NAME, PORT, PLATFORM_ENVIRONMENT, OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG, OTEL_PROPAGATORS, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_TRACES_EXPORTER (got "9999")',
    );
  });

  it("GIVEN env setting the sampling ratio the environment sets WHEN parsed THEN it is refused: tracing is the environment's", () => {
    expect(refusal({ ...valid, environments: { production: { env: { OTEL_TRACES_SAMPLER_ARG: "1" } } } })).toMatch(
      /^service spec: environments\.production\.env\.OTEL_TRACES_SAMPLER_ARG: is set by the platform and cannot be overridden; reserved names: .*OTEL_TRACES_SAMPLER_ARG/,
    );
    expect(parseServiceDefinition({ ...valid, env: { OTEL_RESOURCE_ATTRIBUTES: "team=orders" } }).env).toEqual({
      OTEL_RESOURCE_ATTRIBUTES: "team=orders",
    });
  });

  it("GIVEN env sending traces elsewhere by the per-signal variable, or a default dependency timeout the platform's per-dependency ones would hide WHEN parsed THEN each is refused", () => {
    expect(refusal({ ...valid, env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://elsewhere:4318" } })).toMatch(
      /^service spec: env\.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: is set by the platform and cannot be overridden; reserved names: /,
    );
    expect(refusal({ ...valid, dependsOn: ["catalog"], env: { DEPENDENCY_TIMEOUT_MS: "5000" } })).toMatch(
      /^service spec: env\.DEPENDENCY_TIMEOUT_MS: is set by the platform .*; set a timeout with resilience\.<dependency>\.timeoutMs\) \(got "5000"\)$/,
    );
    // Without a dependency there is no per-dependency timeout to hide it: it stays the service's own.
    expect(parseServiceDefinition({ ...valid, env: { DEPENDENCY_TIMEOUT_MS: "5000" } }).env).toEqual({
      DEPENDENCY_TIMEOUT_MS: "5000",
    });
  });

  it("GIVEN an environment's env or a secret named like a platform variable or a dependency URL WHEN parsed THEN each is refused", () => {
    const text = refusal({
      ...valid,
      dependsOn: ["catalog", "order-store"],
      secrets: { SERVICE_NAME: { secretName: "orders-db", key: "name" } },
      environments: { production: { env: { ORDER_STORE_URL: "http://evil:80", PLATFORM_ENVIRONMENT: "staging" } } },
    });
    const reserved =
      "reserved names: SERVICE_NAME, PORT, PLATFORM_ENVIRONMENT, CATALOG_URL, ORDER_STORE_URL, DEPENDENCY_TIMEOUT_MS, OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG, OTEL_PROPAGATORS, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_TRACES_EXPORTER (a <DEPENDENCY>_URL per dependsOn entry, and its settings from resilience: <DEPENDENCY>_TIMEOUT_MS, _RETRY_ATTEMPTS, _RETRY_METHODS, _BREAKER_FAILURES, _BREAKER_HALF_OPEN_MS; set a timeout with resilience.<dependency>.timeoutMs)";
    expect(text.split("\n")).toEqual([
      `service spec: environments.production.env.ORDER_STORE_URL: is set by the platform and cannot be overridden; ${reserved} (got "(not shown)")`,
      `service spec: environments.production.env.PLATFORM_ENVIRONMENT: is set by the platform and cannot be overridden; ${reserved} (got "staging")`,
      `service spec: secrets.SERVICE_NAME: is set by the platform and cannot be overridden; ${reserved} (got "SERVICE_NAME")`,
    ]);
  });

  it("GIVEN a URL variable of a service it does not depend on WHEN parsed THEN it is accepted as the service's own setting", () => {
    expect(parseServiceDefinition({ ...valid, env: { PAYMENTS_URL: "https://pay.example.com" } }).env).toEqual({
      PAYMENTS_URL: "https://pay.example.com",
    });
  });

  const CIDR_ACCEPTED =
    "accepted: an IPv4 CIDR like 203.0.113.0/24, /8 or narrower, with no host bits set, outside 0.0.0.0/8, loopback (127.0.0.0/8), link-local (169.254.0.0/16) and the cloud metadata addresses (169.254.169.254, 169.254.170.2, 100.100.100.200)";
  it.each([
    ["half the internet", "0.0.0.0/1", "is wider than /8 (2147483648 addresses)"],
    ["the other half", "128.0.0.0/1", "is wider than /8 (2147483648 addresses)"],
    [
      "the cloud metadata endpoint",
      "169.254.169.254/32",
      "overlaps 169.254.169.254/32, the cloud metadata endpoint (AWS, GCP, Azure), which hands out the node's credentials",
    ],
    [
      "the ECS task metadata endpoint",
      "169.254.170.2/32",
      "overlaps 169.254.170.2/32, the AWS ECS task metadata endpoint, which hands out task credentials",
    ],
    [
      "Alibaba Cloud's metadata endpoint",
      "100.100.100.0/24",
      "overlaps 100.100.100.200/32, the Alibaba Cloud metadata endpoint, which hands out the node's credentials",
    ],
    [
      "a /8 around link-local",
      "169.0.0.0/8",
      "overlaps 169.254.169.254/32, the cloud metadata endpoint (AWS, GCP, Azure), which hands out the node's credentials",
    ],
    ["link-local", "169.254.1.0/24", "overlaps 169.254.0.0/16, link-local addresses"],
    ["loopback", "127.0.0.1/32", "overlaps 127.0.0.0/8, loopback"],
    ["host bits set", "10.0.0.1/8", "has host bits set (its network is 10.0.0.0/8)"],
    ["'this network'", "0.0.0.0/8", "overlaps 0.0.0.0/8, 'this network', never a peer"],
  ])("GIVEN egress to %s WHEN parsed THEN it is refused naming why and what is accepted", (_case, cidr, why) => {
    expect(
      refusal({
        ...valid,
        egress: [
          { cidr: "203.0.113.0/24", ports: [443] },
          { cidr, ports: [443] },
        ],
      }),
    ).toBe(`service spec: egress[1].cidr: ${why}; ${CIDR_ACCEPTED} (got "${cidr}")`);
  });

  it.each([
    ["a space before it", " 203.0.113.0/24"],
    ["a line break after it", "203.0.113.0/24\n"],
    ["a leading zero, which Kubernetes refuses", "010.0.0.0/8"],
  ])("GIVEN a CIDR with %s WHEN parsed THEN it is refused as not written exactly", (_case, cidr) => {
    expect(refusal({ ...valid, egress: [{ cidr, ports: [443] }] })).toContain(
      "service spec: egress[0].cidr: must be an IPv4 CIDR like 203.0.113.0/24, written exactly (no space, no leading zero;",
    );
  });

  it("GIVEN egress to a private /8 and to one host WHEN parsed THEN both are accepted", () => {
    expect(
      parseServiceDefinition({
        ...valid,
        egress: [
          { cidr: "10.0.0.0/8", ports: [5432] },
          { cidr: "203.0.113.7/32", ports: [443] },
        ],
      }).egress,
    ).toHaveLength(2);
  });

  const PLATFORM_PORTS =
    "platform ports: 3000 (the local Grafana the alerts link to), 9090 (the local Prometheus), 16686 (the local Jaeger UI)";
  it("GIVEN a public service whose local port is the local Prometheus's WHEN parsed THEN it is refused listing the platform's ports", () => {
    expect(refusal({ ...valid, expose: { public: { host: "shop.example.com", localPort: 9090 } } })).toBe(
      `service spec: expose.public.localPort: is used by the platform on 127.0.0.1 in the local environment (the local Prometheus); ${PLATFORM_PORTS}; choose another port (got 9090)`,
    );
  });

  it("GIVEN a public service on the Grafana port without a local port WHEN parsed THEN its port is refused, since it is published as is", () => {
    expect(refusal({ ...valid, port: 3000, expose: { public: { host: "shop.example.com" } } })).toBe(
      `service spec: port: is published on 127.0.0.1 in the local environment (no expose.public.localPort is set) and is used by the platform there (the local Grafana the alerts link to); ${PLATFORM_PORTS}; choose another port or set expose.public.localPort (got 3000)`,
    );
  });

  it("GIVEN an environment's expose giving the local Prometheus's port, or a bad host WHEN parsed THEN each is refused at its own field", () => {
    const text = refusal({
      ...valid,
      expose: { public: { host: "shop.example.com" } },
      environments: {
        local: { expose: { public: { host: "shop.example.com", localPort: 9090 } } },
        staging: { expose: { public: { host: "Staging.Shop" } } },
      },
    });
    expect(text).toContain(
      `service spec: environments.local.expose.public.localPort: is used by the platform on 127.0.0.1 in the local environment (the local Prometheus); ${PLATFORM_PORTS}; choose another port (got 9090)`,
    );
    expect(text).toContain(
      'service spec: environments.staging.expose.public.host: must be a lower-case DNS host name like shop.example.com (got "Staging.Shop")',
    );
  });

  it("GIVEN an internal service on port 3000 made public in local alone WHEN parsed THEN its port is refused: local publishes it", () => {
    expect(
      refusal({ ...valid, port: 3000, environments: { local: { expose: { public: { host: "shop.example.com" } } } } }),
    ).toContain("service spec: port: is published on 127.0.0.1 in the local environment (no expose.public.localPort");
  });

  it("GIVEN an internal service on port 9090 WHEN parsed THEN it is accepted: nothing is published", () => {
    expect(parseServiceDefinition({ ...valid, port: 9090 }).port).toBe(9090);
  });

  it.each(["/../../admin", "//", "/./", "/shop//api", "/shop/", "/shop/.."])(
    "GIVEN the public path %s WHEN parsed THEN it is refused as not normalized",
    (path) => {
      expect(refusal({ ...valid, expose: { public: { host: "shop.example.com", path } } })).toBe(
        `service spec: expose.public.path: must be a normalized path like / or /shop/api: no empty, '.' or '..' segment and no trailing '/' (the Ingress matches prefixes segment by segment, so /shop/ is /shop) (got "${path}")`,
      );
    },
  );

  it("GIVEN a public path with a dot inside a segment WHEN parsed THEN it is accepted", () => {
    expect(() =>
      parseServiceDefinition({ ...valid, expose: { public: { host: "shop.example.com", path: "/v1.2/.well-known" } } }),
    ).not.toThrow();
  });

  it("GIVEN a secret given as a literal value WHEN parsed THEN it is refused without printing the value", () => {
    const text = refusal({ ...valid, secrets: { DB_PASSWORD: "hunter2-very-secret" } });
    expect(text).toContain("secrets.DB_PASSWORD: is a literal value (19 characters, not shown)");
    expect(text).not.toContain("hunter2");
  });

  it("GIVEN a secret-looking variable in env WHEN parsed THEN it is refused as a literal secret", () => {
    const text = refusal({
      ...valid,
      env: { STRIPE_API_KEY: "sk_live_123" },
      environments: { production: { env: { DB_PASSWORD: "x" } } },
    });
    expect(text).toContain("env.STRIPE_API_KEY: looks like a secret given as a literal value");
    expect(text).toContain("environments.production.env.DB_PASSWORD: looks like a secret");
    expect(text).not.toContain("sk_live_123");
  });
});
