import { beforeAll, describe, expect, it } from "vitest";
import { resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";
import { HARDENED_CONTAINER } from "./hardening.js";

/** The one resource of a type whose construct path holds `part`, with its address. */
function resourceAt(stack: StackJson, type: string, part: string): { address: string; values: Record<string, any> } {
  const matches = resourcesOfType(stack, type).filter(({ values }) =>
    String(values["//"]?.metadata?.path ?? "").includes(part),
  );
  if (matches.length !== 1) throw new Error(`expected one ${type} at ${part}, found ${matches.length}`);
  return matches[0]!;
}

const CACHE = "docker/orders/backing-services/cache/";

describe("a Redis backing service on Docker (local)", () => {
  let local: StackJson;
  beforeAll(() => {
    // GIVEN orders owning a Redis store (AOF, the default), catalog calling orders, and audit owning an RDB one
    local = synthPlatform([
      service({ name: "orders", build: {}, port: 8080, backingServices: { cache: { type: "redis" } } }),
      service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
      service({
        name: "audit",
        build: {},
        port: 8082,
        backingServices: { sessions: { type: "redis", persistence: "none", resources: { memory: "512Mi" } } },
      }),
    ]).local!;
  });

  it("THEN it runs from the pinned official image, by image id, hardened like every data container", () => {
    const image = resourceAt(local, "docker_image", `${CACHE}image`);
    expect(image.values).toMatchObject({ name: "redis:7.4.4-bookworm", keep_locally: true });
    const container = resourceAt(local, "docker_container", `${CACHE}container`).values;
    expect(container).toMatchObject({
      image: `\${${image.address}.image_id}`,
      name: "platform-local-orders-cache",
      user: "999:999",
      ...HARDENED_CONTAINER,
      memory: 256,
      memory_swap: 256,
      cpus: "1",
      wait: true,
    });
    expect(container.capabilities.add).toBeUndefined();
    expect(container.ports).toBeUndefined();
    expect(container.labels).toContainEqual({ label: "platform.dev/backing-service", value: "orders-cache" });
  });

  it("THEN Redis requires the generated password, given through REDISCLI_AUTH and passed to --requirepass from there", () => {
    const password = resourceAt(local, "random_password", `${CACHE}password`);
    const container = resourceAt(local, "docker_container", `${CACHE}container`).values;
    expect(container.env).toEqual([`REDISCLI_AUTH=\${${password.address}.result}`]);
    expect(container.command.slice(0, 4)).toEqual([
      "sh",
      "-c",
      'exec redis-server "$@" --requirepass "$REDISCLI_AUTH"',
      "redis-server",
    ]);
    expect(JSON.stringify(container.command)).not.toContain("random_password");
    expect(container.healthcheck.test).toEqual(["CMD-SHELL", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"]);
  });

  it("THEN the default persistence is an append-only file fsynced every second with no snapshots, and maxmemory is 3/4 of the limit", () => {
    const command = resourceAt(local, "docker_container", `${CACHE}container`).values.command as string[];
    const option = (name: string) => command[command.indexOf(name) + 1];
    expect(option("--appendonly")).toBe("yes");
    expect(option("--appendfsync")).toBe("everysec");
    expect(option("--save")).toBe("");
    expect(option("--maxmemory")).toBe("192mb");
    expect(option("--maxmemory-policy")).toBe("noeviction");
    const other = resourceAt(local, "docker_container", "docker/audit/backing-services/sessions/container").values;
    expect(other.command[other.command.indexOf("--appendonly") + 1]).toBe("no");
    expect(other.command[other.command.indexOf("--maxmemory") + 1]).toBe("384mb");
    expect(other.memory).toBe(512);
  });

  it("THEN its data is on a named volume at /data outside the state, on a network only the owner joins", () => {
    const container = resourceAt(local, "docker_container", `${CACHE}container`).values;
    expect(container.volumes).toEqual([{ volume_name: "platform-local-orders-cache-data", container_path: "/data" }]);
    expect(resourcesOfType(local, "docker_volume")).toEqual([]);
    const network = resourceAt(local, "docker_network", `${CACHE}network`).values;
    expect(network).toMatchObject({ name: "platform-local-orders-cache", internal: true });
    expect(network.labels).toContainEqual({ label: "platform.dev/backing-service", value: "orders-cache" });
    const members = resourcesOfType(local, "docker_container")
      .filter(({ values }) => values.networks_advanced.some((n: any) => n.name === "platform-local-orders-cache"))
      .map(({ values }) => values.name)
      .sort();
    expect(members).toEqual(["platform-local-orders-1", "platform-local-orders-2", "platform-local-orders-cache"]);
  });

  it("THEN the owner gets CACHE_HOST, _PORT, _USER, _PASSWORD and _URL (no database), and starts after the store", () => {
    const reference = `\${${resourceAt(local, "random_password", `${CACHE}password`).address}.result}`;
    const replica = resourceAt(local, "docker_container", "docker/orders/containers/replica-1").values;
    expect(replica.env.filter((e: string) => e.startsWith("CACHE_"))).toEqual([
      "CACHE_HOST=orders-cache",
      "CACHE_PORT=6379",
      "CACHE_USER=default",
      `CACHE_PASSWORD=${reference}`,
      `CACHE_URL=redis://default:${reference}@orders-cache:6379/0`,
    ]);
    expect(replica.depends_on).toContain(resourceAt(local, "docker_container", `${CACHE}container`).address);
    const catalog = resourceAt(local, "docker_container", "docker/catalog/containers/replica-1").values;
    expect(catalog.env.some((e: string) => e.startsWith("CACHE_"))).toBe(false);
  });
});
