import { beforeAll, describe, expect, it } from "vitest";
import { resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";

const container = (stack: StackJson, name: string) =>
  resourcesOfType(stack, "docker_container").find(({ values }) => values.name === name)!;

describe("a service that uses another's backing services, on Docker (local)", () => {
  let local: StackJson;
  beforeAll(() => {
    // GIVEN orders owning a database and a queue, reports using both, catalog using none
    local = synthPlatform([
      service({
        name: "orders",
        build: {},
        port: 8080,
        backingServices: { db: { type: "postgres" }, jobs: { type: "queue", queues: ["orders-placed"] } },
      }),
      service({ name: "reports", build: {}, port: 8081, uses: ["orders.db", "orders.jobs"] }),
      service({ name: "catalog", build: {}, port: 8082 }),
    ]).local!;
  });

  it("THEN the reader joins each resource's network, and catalog joins none", () => {
    const members = (network: string) =>
      resourcesOfType(local, "docker_container")
        .filter(({ values }) => values.networks_advanced.some((n: any) => n.name === network))
        .map(({ values }) => values.name)
        .sort();
    expect(members("platform-local-orders-db")).toEqual([
      "platform-local-orders-1",
      "platform-local-orders-2",
      "platform-local-orders-db",
      "platform-local-reports-1",
      "platform-local-reports-2",
    ]);
    expect(members("platform-local-orders-jobs")).not.toContain("platform-local-catalog-1");
  });

  it("THEN the reader gets ORDERS_DB_* and ORDERS_JOBS_*, the same connection as the owner's, and starts after them", () => {
    const owner = container(local, "platform-local-orders-1").values.env as string[];
    const reader = container(local, "platform-local-reports-1");
    const env = reader.values.env as string[];
    const value = (list: string[], name: string) => list.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
    for (const part of ["HOST", "PORT", "DATABASE", "USER", "PASSWORD", "URL"])
      expect(value(env, `ORDERS_DB_${part}`)).toBe(value(owner, `DB_${part}`));
    expect(value(env, "ORDERS_JOBS_QUEUES")).toBe("orders-placed");
    expect(env.some((e) => e.startsWith("DB_"))).toBe(false);
    expect(reader.values.depends_on).toEqual(
      expect.arrayContaining([
        container(local, "platform-local-orders-db").address,
        container(local, "platform-local-orders-jobs").address,
      ]),
    );
  });

  it("THEN the reader's containers say what they read (platform.dev/uses), and no other container does", () => {
    const uses = (name: string) =>
      (container(local, name).values.labels as Array<{ label: string; value: string }>).find(
        (l) => l.label === "platform.dev/uses",
      )?.value;
    expect(uses("platform-local-reports-1")).toBe("orders-db,orders-jobs");
    expect(uses("platform-local-reports-2")).toBe("orders-db,orders-jobs");
    for (const other of ["platform-local-orders-1", "platform-local-catalog-1", "platform-local-orders-db"])
      expect(uses(other)).toBeUndefined();
  });
});
