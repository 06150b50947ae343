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

  const members = (network: string) =>
    resourcesOfType(local, "docker_container")
      .filter(({ values }) => values.networks_advanced.some((n: any) => n.name === network))
      .map(({ values }) => values.name)
      .sort();

  it("THEN the owner's network to each resource holds the owner's containers and the resource only", () => {
    expect(members("platform-local-orders-db")).toEqual([
      "platform-local-orders-1",
      "platform-local-orders-2",
      "platform-local-orders-db",
    ]);
    expect(members("platform-local-orders-jobs")).toEqual([
      "platform-local-orders-1",
      "platform-local-orders-2",
      "platform-local-orders-jobs",
    ]);
  });

  it("THEN the reader has a network of its own to each resource, shared with the resource only, which answers there to the same name", () => {
    for (const data of ["orders-db", "orders-jobs"]) {
      const name = `platform-local-reports-to-${data}`;
      expect(members(name)).toEqual([`platform-local-${data}`, "platform-local-reports-1", "platform-local-reports-2"]);
      const network = resourcesOfType(local, "docker_network").find(({ values }) => values.name === name)!;
      expect(network.values.internal).toBe(true);
      expect(network.values.labels).toEqual(
        expect.arrayContaining([
          { label: "platform.dev/backing-service", value: data },
          { label: "platform.dev/reader", value: "reports" },
        ]),
      );
      const attached = container(local, `platform-local-${data}`).values.networks_advanced.find(
        (n: any) => n.name === name,
      );
      expect(attached.aliases).toEqual([data]);
    }
  });

  it("THEN catalog, which uses nothing, joins no network of the resources", () => {
    const joined = container(local, "platform-local-catalog-1").values.networks_advanced.map((n: any) => n.name);
    expect(joined.filter((name: string) => name.includes("orders"))).toEqual([]);
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
