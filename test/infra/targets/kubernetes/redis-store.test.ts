import { beforeAll, describe, expect, it } from "vitest";
import { resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";

const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };
const named = (stack: StackJson, type: string, name: string) =>
  resourcesOfType(stack, type).find(({ values }) => values.metadata.name === name)!;

describe("a Redis backing service on Kubernetes (staging, production)", () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    // GIVEN orders owning a 5Gi Redis store, catalog calling orders, billing with a managed one in production
    stacks = synthPlatform(
      [
        service({
          name: "orders",
          build: {},
          port: 8080,
          backingServices: { cache: { type: "redis", storage: "5Gi" } },
        }),
        service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
        service({
          name: "billing",
          build: {},
          port: 8082,
          backingServices: { cache: { type: "redis" } },
          environments: {
            production: { backingServices: { cache: { external: { secretName: "billing-elasticache" } } } },
          },
        }),
      ],
      API,
    );
  });

  it("THEN it is one hardened StatefulSet with a claim of the declared storage, which Terraform refuses to destroy", () => {
    const { values } = named(stacks.staging!, "kubernetes_stateful_set_v1", "orders-cache");
    expect(values.lifecycle).toEqual({ prevent_destroy: true });
    expect(values.metadata.labels).toMatchObject({
      "app.kubernetes.io/name": "orders-cache",
      "platform.dev/owner": "orders",
      "platform.dev/backing-service": "orders-cache",
    });
    expect(values.spec).toMatchObject({ service_name: "orders-cache", replicas: "1" });
    expect(values.spec.volume_claim_template).toEqual([
      {
        metadata: { name: "data", labels: values.metadata.labels },
        spec: { access_modes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } },
      },
    ]);
    const pod = values.spec.template.spec;
    expect(pod).toMatchObject({
      automount_service_account_token: false,
      security_context: {
        run_as_non_root: true,
        run_as_user: "999",
        run_as_group: "999",
        fs_group: "999",
        seccomp_profile: { type: "RuntimeDefault" },
      },
    });
    const [container] = pod.container;
    expect(container).toMatchObject({
      image: "redis:7.4.4-bookworm",
      security_context: {
        allow_privilege_escalation: false,
        privileged: false,
        read_only_root_filesystem: true,
        run_as_non_root: true,
        capabilities: { drop: ["ALL"] },
        seccomp_profile: { type: "RuntimeDefault" },
      },
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "256Mi" } },
      volume_mount: [
        { name: "data", mount_path: "/data" },
        { name: "tmp", mount_path: "/tmp" },
      ],
    });
    for (const probe of ["liveness_probe", "readiness_probe", "startup_probe"])
      expect(container[probe].exec.command).toEqual(["sh", "-c", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"]);
  });

  it("THEN the password is generated into the connection Secret and reaches Redis only by secret_key_ref", () => {
    const secret = named(stacks.staging!, "kubernetes_secret_v1", "orders-cache-connection").values;
    const password = resourcesOfType(stacks.staging!, "random_password").filter(({ values }) =>
      String(values["//"]?.metadata?.path).includes("kubernetes/orders/backing-services/cache/"),
    );
    expect(password.map(({ values }) => values)).toEqual([expect.objectContaining({ length: 32, special: false })]);
    const reference = `\${${password[0]!.address}.result}`;
    expect(secret.data).toEqual({
      host: "orders-cache",
      port: "6379",
      user: "default",
      password: reference,
      uri: `redis://default:${reference}@orders-cache:6379/0`,
    });
    expect(secret.metadata.labels["platform.dev/backing-service"]).toBe("orders-cache");
    const container = named(stacks.staging!, "kubernetes_stateful_set_v1", "orders-cache").values.spec.template.spec
      .container[0];
    expect(container.env).toEqual([
      { name: "REDISCLI_AUTH", value_from: { secret_key_ref: { name: "orders-cache-connection", key: "password" } } },
    ]);
    expect(JSON.stringify(container.command)).not.toContain("random_password");
    expect(Object.keys(stacks.staging!.provider ?? {})).toContain("random");
  });

  it("THEN a headless ClusterIP Service selects its pod on 6379", () => {
    const { spec } = named(stacks.staging!, "kubernetes_service_v1", "orders-cache").values;
    expect(spec).toMatchObject({
      type: "ClusterIP",
      cluster_ip: "None",
      selector: { "app.kubernetes.io/name": "orders-cache" },
      port: [{ port: 6379, target_port: "6379" }],
    });
  });

  it("THEN only the owner's pods reach it on 6379, it reaches nothing, and the owner's policy allows it", () => {
    const policy = named(stacks.staging!, "kubernetes_network_policy_v1", "orders-cache").values;
    expect(policy.spec).toEqual({
      pod_selector: { match_labels: { "app.kubernetes.io/name": "orders-cache" } },
      policy_types: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders" } } }],
          ports: [{ port: "6379", protocol: "TCP" }],
        },
      ],
    });
    expect(named(stacks.staging!, "kubernetes_network_policy_v1", "orders").values.spec.egress).toContainEqual({
      to: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders-cache" } } }],
      ports: [{ port: "6379", protocol: "TCP" }],
    });
    const catalog = named(stacks.staging!, "kubernetes_network_policy_v1", "catalog").values.spec.egress ?? [];
    expect(JSON.stringify(catalog)).not.toContain("orders-cache");
  });

  it("THEN the owner's pods get CACHE_HOST, _PORT, _USER, _PASSWORD and _URL only by secret_key_ref", () => {
    const env = named(stacks.staging!, "kubernetes_deployment_v1", "orders").values.spec.template.spec.container[0]
      .env as Array<Record<string, any>>;
    expect(env.filter((e) => e.name.startsWith("CACHE_"))).toEqual(
      [
        ["CACHE_HOST", "host"],
        ["CACHE_PORT", "port"],
        ["CACHE_USER", "user"],
        ["CACHE_PASSWORD", "password"],
        ["CACHE_URL", "uri"],
      ].map(([name, key]) => ({ name, value_from: { secret_key_ref: { name: "orders-cache-connection", key } } })),
    );
  });

  it("THEN an external store gets no StatefulSet, Secret or password, and the owner reads the same keys from the given Secret", () => {
    const production = stacks.production!;
    expect(resourcesOfType(production, "kubernetes_stateful_set_v1").map(({ values }) => values.metadata.name)).toEqual(
      ["orders-cache"],
    );
    const env = named(production, "kubernetes_deployment_v1", "billing").values.spec.template.spec.container[0]
      .env as Array<Record<string, any>>;
    expect(env.find((e) => e.name === "CACHE_URL")).toEqual({
      name: "CACHE_URL",
      value_from: { secret_key_ref: { name: "billing-elasticache", key: "uri" } },
    });
  });
});
