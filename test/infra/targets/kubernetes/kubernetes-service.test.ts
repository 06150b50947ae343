import { beforeAll, describe, expect, it } from "vitest";
import { resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";

const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };
const named = (stack: StackJson, type: string, name: string) =>
  resourcesOfType(stack, type).find(({ values }) => values.metadata.name === name)!.values;
const reporter = { pod_selector: { match_labels: { "app.kubernetes.io/name": "reports" } } };

describe("a service that uses another's backing services, on Kubernetes", () => {
  let staging: StackJson;
  beforeAll(() => {
    // GIVEN orders owning a database and a Redis store, reports using both
    staging = synthPlatform(
      [
        service({
          name: "orders",
          build: {},
          port: 8080,
          backingServices: { db: { type: "postgres" }, cache: { type: "redis" } },
        }),
        service({ name: "reports", build: {}, port: 8081, uses: ["orders.db", "orders.cache"] }),
        service({ name: "catalog", build: {}, port: 8082 }),
      ],
      API,
    ).staging!;
  });

  it("THEN the reader's pods get ORDERS_DB_* and ORDERS_CACHE_* by reference to the owner's connection Secrets", () => {
    const env = named(staging, "kubernetes_deployment_v1", "reports").spec.template.spec.container[0].env as Array<
      Record<string, any>
    >;
    expect(env.find((e) => e.name === "ORDERS_DB_URL")).toEqual({
      name: "ORDERS_DB_URL",
      value_from: { secret_key_ref: { name: "orders-db-app", key: "uri" } },
    });
    expect(env.find((e) => e.name === "ORDERS_CACHE_PASSWORD")).toEqual({
      name: "ORDERS_CACHE_PASSWORD",
      value_from: { secret_key_ref: { name: "orders-cache-connection", key: "password" } },
    });
  });

  it("THEN the reader's Deployment (not its pods) says what it reads (platform.dev/uses), and no other Deployment does", () => {
    const reports = named(staging, "kubernetes_deployment_v1", "reports");
    expect(reports.metadata.annotations).toEqual({ "platform.dev/uses": "orders-cache,orders-db" });
    expect(reports.spec.template.metadata.annotations?.["platform.dev/uses"]).toBeUndefined();
    for (const other of ["orders", "catalog"])
      expect(named(staging, "kubernetes_deployment_v1", other).metadata.annotations).toBeUndefined();
  });

  it("THEN the resources' policies let the reader in on their ports, and the reader's policy lets it out to them", () => {
    expect(named(staging, "kubernetes_network_policy_v1", "orders-db").spec.ingress[0]).toEqual({
      from: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders" } } }, reporter],
      ports: [{ port: "5432", protocol: "TCP" }],
    });
    expect(named(staging, "kubernetes_network_policy_v1", "orders-cache").spec.ingress[0].from).toContainEqual(
      reporter,
    );
    const egress = named(staging, "kubernetes_network_policy_v1", "reports").spec.egress;
    expect(egress).toEqual(
      expect.arrayContaining([
        {
          to: [{ pod_selector: { match_labels: { "cnpg.io/cluster": "orders-db" } } }],
          ports: [{ port: "5432", protocol: "TCP" }],
        },
        {
          to: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders-cache" } } }],
          ports: [{ port: "6379", protocol: "TCP" }],
        },
      ]),
    );
    expect(JSON.stringify(named(staging, "kubernetes_network_policy_v1", "catalog").spec)).not.toContain("orders-");
  });
});
