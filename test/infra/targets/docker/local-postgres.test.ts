import { beforeAll, describe, expect, it } from "vitest";
import { resourcesOfType, service, synthPlatform, type StackJson } from "../../../support/platform.js";

/** The one resource of a type whose construct path holds `part`, with its address. */
function resourceAt(stack: StackJson, type: string, part: string): { address: string; values: Record<string, any> } {
  const matches = resourcesOfType(stack, type).filter(({ values }) =>
    String(values["//"]?.metadata?.path ?? "").includes(part),
  );
  if (matches.length !== 1) throw new Error(`expected one ${type} at ${part}, found ${matches.length}`);
  return matches[0]!;
}

const DB = "docker/orders/backing-services/db/";

describe("a PostgreSQL backing service on Docker (local)", () => {
  let local: StackJson;
  beforeAll(() => {
    // GIVEN orders owning a database, catalog calling orders, and gateway owning none
    local = synthPlatform(
      [
        service({ name: "orders", build: {}, port: 8080, backingServices: { db: { type: "postgres" } } }),
        service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
        service({
          name: "audit",
          build: {},
          port: 8082,
          backingServices: { events: { type: "postgres", version: 16 } },
        }),
        // (Kubernetes environments with a database need the API server's address.)
      ],
      { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" },
    ).local!;
  });

  it("THEN the database runs from the pinned official image of its major, by image id", () => {
    const image = resourceAt(local, "docker_image", `${DB}image`);
    expect(image.values).toMatchObject({ name: "postgres:17.6-bookworm", keep_locally: true });
    expect(resourceAt(local, "docker_container", `${DB}container`).values.image).toBe(`\${${image.address}.image_id}`);
    expect(resourceAt(local, "docker_image", "docker/audit/backing-services/events/image").values.name).toBe(
      "postgres:16.10-bookworm",
    );
  });

  it("THEN its container is hardened: postgres user, read-only root with tmpfs, no capabilities, no-new-privileges, limits", () => {
    const container = resourceAt(local, "docker_container", `${DB}container`).values;
    expect(container).toMatchObject({
      name: "platform-local-orders-db",
      user: "999:999",
      read_only: true,
      tmpfs: {
        "/var/run/postgresql": "rw,noexec,nosuid,nodev,size=1m",
        "/tmp": "rw,noexec,nosuid,nodev,size=64m",
      },
      capabilities: { drop: ["ALL"] },
      security_opts: ["no-new-privileges:true"],
      privileged: false,
      memory: 512,
      memory_swap: 512,
      cpus: "1",
      restart: "on-failure",
      max_retry_count: 5,
    });
    expect(container.capabilities.add).toBeUndefined();
    expect(container.ports).toBeUndefined();
  });

  it("THEN it has a pg_isready healthcheck on TCP, and Terraform waits for it to be healthy", () => {
    const container = resourceAt(local, "docker_container", `${DB}container`).values;
    expect(container.healthcheck.test).toEqual([
      "CMD",
      "pg_isready",
      "--host=127.0.0.1",
      "--port=5432",
      "--username=orders",
      "--dbname=orders",
    ]);
    expect(container).toMatchObject({ wait: true, wait_timeout: 120 });
  });

  it("THEN its data is on a named volume, mounted at PGDATA, that is not in Terraform's state (a destroy keeps it)", () => {
    const container = resourceAt(local, "docker_container", `${DB}container`).values;
    expect(container.volumes).toEqual([
      { volume_name: "platform-local-orders-db-data", container_path: "/var/lib/postgresql/data" },
    ]);
    expect(resourcesOfType(local, "docker_volume")).toEqual([]);
  });

  it("THEN it has an internal network of its own that only the owner's containers join", () => {
    const network = resourceAt(local, "docker_network", `${DB}network`).values;
    expect(network).toMatchObject({ name: "platform-local-orders-db", internal: true });
    const members = resourcesOfType(local, "docker_container")
      .filter(({ values }) => values.networks_advanced.some((n: any) => n.name === "platform-local-orders-db"))
      .map(({ values }) => values.name)
      .sort();
    expect(members).toEqual(["platform-local-orders-1", "platform-local-orders-2", "platform-local-orders-db"]);
    expect(resourceAt(local, "docker_container", `${DB}container`).values.networks_advanced).toEqual([
      { name: "platform-local-orders-db", aliases: ["orders-db"] },
    ]);
  });

  it("THEN the owner's containers get the connection variables and start after the database", () => {
    const password = resourceAt(local, "random_password", `${DB}password`);
    const reference = `\${${password.address}.result}`;
    const db = resourceAt(local, "docker_container", `${DB}container`);
    const replica = resourceAt(local, "docker_container", "docker/orders/containers/replica-1").values;
    expect(replica.env).toEqual(
      expect.arrayContaining([
        "DB_HOST=orders-db",
        "DB_PORT=5432",
        "DB_DATABASE=orders",
        "DB_USER=orders",
        `DB_PASSWORD=${reference}`,
        `DB_URL=postgresql://orders:${reference}@orders-db:5432/orders`,
      ]),
    );
    expect(replica.depends_on).toContain(db.address);
    const catalog = resourceAt(local, "docker_container", "docker/catalog/containers/replica-1").values;
    expect(catalog.env.some((e: string) => e.startsWith("DB_"))).toBe(false);
  });

  it("THEN the password is made by Terraform and appears in the JSON only as a reference to its result", () => {
    const passwords = resourcesOfType(local, "random_password");
    expect(passwords.map((p) => p.values)).toContainEqual(expect.objectContaining({ length: 32, special: false }));
    expect(Object.keys(local.provider ?? {})).toContain("random");
    const json = JSON.stringify(local);
    const mentions = [
      ...json.matchAll(/POSTGRES_PASSWORD=([^"]*)|_PASSWORD=([^"]*)|postgresql:\/\/[^:]+:([^@]*)@/g),
    ].map((m) => m[1] ?? m[2] ?? m[3]);
    expect(mentions.length).toBeGreaterThanOrEqual(4);
    for (const value of mentions) expect(value).toMatch(/^\$\{random_password\.[\w-]+\.result\}$/);
  });

  it("GIVEN no service with a backing service WHEN synthesized THEN there is no random provider, password or volume", () => {
    const plain = synthPlatform([service({ name: "orders", build: {}, port: 8080 })]).local!;
    expect(plain.provider?.random).toBeUndefined();
    expect(resourcesOfType(plain, "random_password")).toEqual([]);
    expect(resourcesOfType(plain, "docker_volume")).toEqual([]);
  });
});
