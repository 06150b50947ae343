import { beforeAll, describe, expect, it } from "vitest";
import {
  exampleServices,
  resourceOf,
  resourcesOfType,
  service,
  synthPlatform,
  type StackJson,
} from "../../../support/platform.js";

describe("Kubernetes target", () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    // GIVEN a public gateway -> orders -> catalog catalogue WHEN synthesized
    stacks = synthPlatform(exampleServices());
  });

  it("THEN each environment has its namespace enforcing the restricted Pod Security Standard", () => {
    const [namespace] = resourcesOfType(stacks.staging!, "kubernetes_namespace_v1");
    expect(namespace!.values.metadata).toMatchObject({
      name: "platform-staging",
      labels: { "pod-security.kubernetes.io/enforce": "restricted" },
    });
    expect(resourcesOfType(stacks.production!, "kubernetes_namespace_v1")[0]!.values.metadata.name).toBe(
      "platform-production",
    );
  });

  it("THEN each Deployment meets the restricted Pod Security Standard", () => {
    const deployment = resourceOf(stacks.staging!, "kubernetes_deployment_v1", "orders");
    const pod = deployment.spec.template.spec;
    expect(pod.security_context).toEqual({
      run_as_non_root: true,
      run_as_user: "10001",
      run_as_group: "10001",
      fs_group: "10001",
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.service_account_name).toBe("orders");
    const [container] = pod.container;
    expect(container.security_context).toEqual({
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      run_as_non_root: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(container.volume_mount).toEqual([{ name: "tmp", mount_path: "/tmp" }]);
    expect(pod.volume).toEqual([{ name: "tmp", empty_dir: { size_limit: "64Mi" } }]);
  });

  it("THEN probes use the declared port, and requests and limits follow the spec", () => {
    const [container] = resourceOf(stacks.staging!, "kubernetes_deployment_v1", "orders").spec.template.spec.container;
    expect(container.port).toEqual([{ name: "http", container_port: 8081, protocol: "TCP" }]);
    expect(container.liveness_probe.http_get).toEqual({ path: "/healthz", port: "http" });
    expect(container.readiness_probe.http_get).toEqual({ path: "/readyz", port: "http" });
    expect(container.resources).toEqual({
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { cpu: "200m", memory: "256Mi" },
    });
    expect(container.image).toBe("registry.example.com/platform/orders:1.0.0");
  });

  it("THEN secrets are references to the secret store and dependencies are found by name", () => {
    const [container] = resourceOf(stacks.staging!, "kubernetes_deployment_v1", "orders").spec.template.spec.container;
    expect(container.env).toContainEqual({
      name: "DB_PASSWORD",
      value_from: { secret_key_ref: { name: "orders-db", key: "password" } },
    });
    expect(container.env).toContainEqual({ name: "CATALOG_URL", value: "http://catalog:8080" });
  });

  it("THEN the rollout is rolling, spread over nodes, and leaves the count to the HPA", () => {
    const deployment = resourceOf(stacks.staging!, "kubernetes_deployment_v1", "orders");
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.strategy).toEqual({
      type: "RollingUpdate",
      rolling_update: { max_surge: "25%", max_unavailable: "25%" },
    });
    expect(deployment.spec.template.spec.topology_spread_constraint[0]).toMatchObject({
      topology_key: "kubernetes.io/hostname",
      max_skew: 1,
    });
    expect(deployment.spec.selector.match_labels).toEqual({ "app.kubernetes.io/name": "orders" });
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.match_labels);
  });

  it("THEN the HPA scales between min and max on cpu and memory, and the PDB lets one pod go", () => {
    const hpa = resourceOf(stacks.staging!, "kubernetes_horizontal_pod_autoscaler_v2", "orders");
    expect(hpa.spec).toMatchObject({
      min_replicas: 2,
      max_replicas: 5,
      scale_target_ref: { api_version: "apps/v1", kind: "Deployment", name: "orders" },
    });
    expect(hpa.spec.metric.map((m: any) => [m.resource.name, m.resource.target.average_utilization])).toEqual([
      ["cpu", 70],
      ["memory", 75],
    ]);
    expect(hpa.spec.behavior.scale_down[0].stabilization_window_seconds).toBe(300);
    const pdb = resourceOf(stacks.staging!, "kubernetes_pod_disruption_budget_v1", "orders");
    expect(pdb.spec).toEqual({
      max_unavailable: "1",
      selector: { match_labels: { "app.kubernetes.io/name": "orders" } },
    });
    expect(Number(pdb.spec.max_unavailable)).toBeLessThan(hpa.spec.min_replicas);
  });

  it("THEN production overrides apply to production only", () => {
    expect(resourceOf(stacks.production!, "kubernetes_horizontal_pod_autoscaler_v2", "orders").spec).toMatchObject({
      min_replicas: 3,
      max_replicas: 9,
    });
    expect(
      resourceOf(stacks.production!, "kubernetes_deployment_v1", "orders").spec.template.spec.container[0].resources
        .requests,
    ).toEqual({ cpu: "500m", memory: "1Gi" });
    expect(resourceOf(stacks.staging!, "kubernetes_horizontal_pod_autoscaler_v2", "orders").spec.min_replicas).toBe(2);
  });

  it("THEN a fixed replica count sets replicas and makes no HPA", () => {
    const fixed = synthPlatform([service({ name: "batch", build: {}, port: 8080, scaling: { min: 3, max: 3 } })])
      .staging!;
    expect(resourceOf(fixed, "kubernetes_deployment_v1", "batch").spec.replicas).toBe("3");
    expect(resourcesOfType(fixed, "kubernetes_horizontal_pod_autoscaler_v2")).toEqual([]);
  });

  it("THEN the namespace denies all traffic by default and allows DNS", () => {
    const policies = resourcesOfType(stacks.staging!, "kubernetes_network_policy_v1").map((p) => p.values);
    const deny = policies.find((p) => p.metadata.name === "default-deny");
    expect(deny?.spec).toEqual({ pod_selector: {}, policy_types: ["Ingress", "Egress"] });
    const dns = policies.find((p) => p.metadata.name === "allow-dns");
    expect(dns?.spec.egress[0].ports).toEqual([
      { port: "53", protocol: "UDP" },
      { port: "53", protocol: "TCP" },
    ]);
  });

  it("THEN network rules allow exactly the dependency edges, and a service with no dependents receives no traffic from services", () => {
    const gateway = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "gateway").spec;
    const orders = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "orders").spec;
    const catalog = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "catalog").spec;
    const podSources = (spec: any) =>
      spec.ingress.flatMap((rule: any) =>
        rule.from.map((f: any) => f.pod_selector?.match_labels["app.kubernetes.io/name"]).filter(Boolean),
      );
    expect(podSources(catalog)).toEqual(["gateway", "orders"]);
    expect(podSources(orders)).toEqual(["gateway"]);
    expect(podSources(gateway)).toEqual([]);
    const egressTargets = (spec: any) =>
      (spec.egress ?? []).flatMap((rule: any) =>
        rule.to.map((t: any) => t.pod_selector?.match_labels["app.kubernetes.io/name"] ?? t.ip_block?.cidr),
      );
    expect(egressTargets(gateway)).toEqual(["catalog", "orders"]);
    expect(egressTargets(orders)).toEqual(["catalog", "203.0.113.0/24"]);
    expect(egressTargets(catalog)).toEqual([]);
    expect(catalog.ingress.at(-1)).toEqual({
      from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "monitoring" } } }],
      ports: [{ port: "8080", protocol: "TCP" }],
    });
  });

  it("THEN only the public service gets an Ingress, with its environment's host and path, and every Service is ClusterIP", () => {
    const ingresses = resourcesOfType(stacks.staging!, "kubernetes_ingress_v1");
    expect(ingresses).toHaveLength(1);
    expect(resourcesOfType(stacks.production!, "kubernetes_ingress_v1")[0]!.values.spec.rule[0].host).toBe(
      "shop.example.com",
    );
    expect(ingresses[0]!.values.spec.rule[0]).toMatchObject({
      host: "staging.shop.example.com",
      http: {
        path: [{ path: "/", path_type: "Prefix", backend: { service: { name: "gateway", port: { number: 8082 } } } }],
      },
    });
    expect(resourcesOfType(stacks.staging!, "kubernetes_service_v1").map((s) => s.values.spec.type)).toEqual([
      "ClusterIP",
      "ClusterIP",
      "ClusterIP",
    ]);
    const gatewayPolicy = resourceOf(stacks.staging!, "kubernetes_network_policy_v1", "gateway").spec;
    expect(gatewayPolicy.ingress[0].from[0].namespace_selector.match_labels["kubernetes.io/metadata.name"]).toBe(
      "ingress-nginx",
    );
  });

  it("THEN each public Ingress asks cert-manager's default ClusterIssuer for its host's certificate, kept in the Secret its tls names", () => {
    for (const [environment, host] of [
      ["staging", "staging.shop.example.com"],
      ["production", "shop.example.com"],
    ] as const) {
      const ingress = resourceOf(stacks[environment]!, "kubernetes_ingress_v1", "gateway");
      expect(ingress.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
      expect(ingress.spec.tls).toEqual([{ hosts: [host], secret_name: "gateway-tls" }]);
    }
  });

  it("GIVEN STAGING_CLUSTER_ISSUER=letsencrypt-staging WHEN synthesized THEN staging's Ingress names that issuer and production's keeps the default", () => {
    const given = synthPlatform(exampleServices(), { STAGING_CLUSTER_ISSUER: "letsencrypt-staging" });
    const issuerOf = (environment: string) =>
      resourceOf(given[environment]!, "kubernetes_ingress_v1", "gateway").metadata.annotations[
        "cert-manager.io/cluster-issuer"
      ];
    expect(issuerOf("staging")).toBe("letsencrypt-staging");
    expect(issuerOf("production")).toBe("letsencrypt");
  });

  it("THEN service accounts mount no token", () => {
    expect(
      resourceOf(stacks.staging!, "kubernetes_service_account_v1", "catalog").automount_service_account_token,
    ).toBe(false);
  });
});
