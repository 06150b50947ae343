import { beforeAll, describe, expect, it } from "vitest";
import { resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";

const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };
const named = (stack: StackJson, type: string, name: string) =>
  resourcesOfType(stack, type).find(({ values }) => values.metadata.name === name)!;
const rabbitmqCluster = (stack: StackJson, name: string) =>
  resourcesOfType(stack, "kubernetes_manifest").find(
    ({ values }) => values.manifest.kind === "RabbitmqCluster" && values.manifest.metadata.name === name,
  )!.values;

describe("a queue backing service on Kubernetes (staging, production)", () => {
  let stacks: Record<string, StackJson>;
  beforeAll(() => {
    // GIVEN orders owning a queue of 5Gi, catalog calling orders, billing with a managed broker in production
    stacks = synthPlatform(
      [
        service({
          name: "orders",
          build: {},
          port: 8080,
          backingServices: { jobs: { type: "queue", queues: ["orders-placed"], storage: "5Gi" } },
        }),
        service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
        service({
          name: "billing",
          build: {},
          port: 8082,
          backingServices: { events: { type: "queue", queues: ["invoices"] } },
          environments: {
            production: { backingServices: { events: { external: { secretName: "billing-amazon-mq" } } } },
          },
        }),
      ],
      API,
    );
  });

  it("THEN it is a RabbitmqCluster: one node in staging, three in production, its storage, resources and the pinned image", () => {
    const staging = rabbitmqCluster(stacks.staging!, "orders-jobs");
    expect(staging.manifest).toMatchObject({
      apiVersion: "rabbitmq.com/v1beta1",
      metadata: {
        name: "orders-jobs",
        namespace: "platform-staging",
        labels: { "platform.dev/owner": "orders", "platform.dev/backing-service": "orders-jobs" },
      },
      spec: {
        replicas: 1,
        image: "rabbitmq:4.1.0",
        persistence: { storage: "5Gi" },
        resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "1Gi" } },
      },
    });
    expect(staging.lifecycle).toEqual({ prevent_destroy: true });
    expect(rabbitmqCluster(stacks.production!, "orders-jobs").manifest.spec.replicas).toBe(3);
  });

  it("THEN its override gives the pod and both of the operator's containers every field the restricted profile requires", () => {
    // The namespaces enforce the Pod Security Standard "restricted"; the operator's own
    // StatefulSet does not meet it (rabbitmq/cluster-operator#1910), so the override must.
    for (const stack of [stacks.staging!, stacks.production!]) {
      const pod = rabbitmqCluster(stack, "orders-jobs").manifest.spec.override.statefulSet.spec.template.spec;
      expect(pod.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 999,
        runAsGroup: 999,
        fsGroup: 999,
        seccompProfile: { type: "RuntimeDefault" },
      });
      // Merged by name onto the operator's containers: exactly its two, nothing else.
      const containers = [...pod.initContainers, ...pod.containers] as Array<Record<string, any>>;
      expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual(["setup-container"]);
      expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(["rabbitmq"]);
      for (const container of containers) {
        expect(Object.keys(container).sort()).toEqual(["name", "securityContext"]);
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          runAsNonRoot: true,
        });
      }
    }
  });

  it("THEN the owner's pods get the connection from <cluster>-default-user by reference, the URL composed by Kubernetes, the queue names as a value", () => {
    const env = named(stacks.staging!, "kubernetes_deployment_v1", "orders").values.spec.template.spec.container[0]
      .env as Array<Record<string, any>>;
    const ref = (key: string) => ({ secret_key_ref: { name: "orders-jobs-default-user", key } });
    expect(env.filter((e) => e.name.startsWith("JOBS_"))).toEqual([
      { name: "JOBS_HOST", value_from: ref("host") },
      { name: "JOBS_PORT", value_from: ref("port") },
      { name: "JOBS_USER", value_from: ref("username") },
      { name: "JOBS_PASSWORD", value_from: ref("password") },
      { name: "JOBS_URL", value: "amqp://$(JOBS_USER):$(JOBS_PASSWORD)@$(JOBS_HOST):$(JOBS_PORT)" },
      { name: "JOBS_QUEUES", value: "orders-placed" },
    ]);
  });

  it("THEN its nodes accept 5672 only from the owner's pods, and each other; they reach each other and the API server", () => {
    const policy = named(stacks.staging!, "kubernetes_network_policy_v1", "orders-jobs").values;
    const nodes = { pod_selector: { match_labels: { "app.kubernetes.io/name": "orders-jobs" } } };
    expect(policy.spec).toEqual({
      pod_selector: nodes.pod_selector,
      policy_types: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders" } } }],
          ports: [{ port: "5672", protocol: "TCP" }],
        },
        { from: [nodes] },
      ],
      egress: [
        { to: [nodes] },
        {
          to: [{ ip_block: { cidr: "10.0.0.1/32" } }],
          ports: [
            { port: "443", protocol: "TCP" },
            { port: "6443", protocol: "TCP" },
          ],
        },
      ],
    });
    expect(named(stacks.staging!, "kubernetes_network_policy_v1", "orders").values.spec.egress).toContainEqual({
      to: [nodes],
      ports: [{ port: "5672", protocol: "TCP" }],
    });
  });

  it("THEN an external broker gets no RabbitmqCluster, and the owner reads the same keys from the given Secret", () => {
    const production = stacks.production!;
    expect(
      resourcesOfType(production, "kubernetes_manifest")
        .filter(({ values }) => values.manifest.kind === "RabbitmqCluster")
        .map(({ values }) => values.manifest.metadata.name),
    ).toEqual(["orders-jobs"]);
    const env = named(production, "kubernetes_deployment_v1", "billing").values.spec.template.spec.container[0]
      .env as Array<Record<string, any>>;
    expect(env.find((e) => e.name === "EVENTS_PASSWORD")).toEqual({
      name: "EVENTS_PASSWORD",
      value_from: { secret_key_ref: { name: "billing-amazon-mq", key: "password" } },
    });
  });
});
