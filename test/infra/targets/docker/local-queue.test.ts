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

const JOBS = "docker/orders/backing-services/jobs/";

describe("a queue backing service on Docker (local)", () => {
  let local: StackJson;
  beforeAll(() => {
    // GIVEN orders owning a queue with two queues, and catalog calling orders
    local = synthPlatform([
      service({
        name: "orders",
        build: {},
        port: 8080,
        backingServices: { jobs: { type: "queue", queues: ["orders-placed", "orders.cancelled"] } },
      }),
      service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
    ]).local!;
  });

  it("THEN it runs RabbitMQ from the pinned official image, hardened, with a fixed host name (the node's name)", () => {
    const image = resourceAt(local, "docker_image", `${JOBS}image`);
    expect(image.values).toMatchObject({ name: "rabbitmq:4.1.0", keep_locally: true });
    const container = resourceAt(local, "docker_container", `${JOBS}container`).values;
    expect(container).toMatchObject({
      image: `\${${image.address}.image_id}`,
      name: "platform-local-orders-jobs",
      hostname: "orders-jobs",
      user: "999:999",
      read_only: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=64m" },
      capabilities: { drop: ["ALL"] },
      security_opts: ["no-new-privileges:true"],
      memory: 1024,
      memory_swap: 1024,
      cpus: "1",
    });
    expect(container.ports).toBeUndefined();
    expect(container.healthcheck.test).toEqual(["CMD", "rabbitmq-diagnostics", "-q", "check_port_connectivity"]);
    expect(container.labels).toContainEqual({ label: "platform.dev/backing-service", value: "orders-jobs" });
  });

  it("THEN its data (and Erlang cookie) is on a named volume at its home, outside the state", () => {
    const container = resourceAt(local, "docker_container", `${JOBS}container`).values;
    expect(container.volumes).toEqual([
      { volume_name: "platform-local-orders-jobs-data", container_path: "/var/lib/rabbitmq" },
    ]);
    expect(resourcesOfType(local, "docker_volume")).toEqual([]);
  });

  it("THEN the default user is the owner with the generated password, a reference in the JSON, and it logs (the upgrade log too) to standard output only", () => {
    const reference = `\${${resourceAt(local, "random_password", `${JOBS}password`).address}.result}`;
    const container = resourceAt(local, "docker_container", `${JOBS}container`).values;
    expect(container.env).toEqual([
      "RABBITMQ_DEFAULT_USER=orders",
      `RABBITMQ_DEFAULT_PASS=${reference}`,
      "RABBITMQ_LOGS=-",
      "RABBITMQ_UPGRADE_LOG=-",
    ]);
  });

  it("THEN the owner alone joins its network and gets JOBS_HOST, _PORT, _USER, _PASSWORD, _URL and _QUEUES", () => {
    const reference = `\${${resourceAt(local, "random_password", `${JOBS}password`).address}.result}`;
    const replica = resourceAt(local, "docker_container", "docker/orders/containers/replica-1").values;
    expect(replica.env.filter((e: string) => e.startsWith("JOBS_"))).toEqual([
      "JOBS_HOST=orders-jobs",
      "JOBS_PORT=5672",
      "JOBS_USER=orders",
      `JOBS_PASSWORD=${reference}`,
      `JOBS_URL=amqp://orders:${reference}@orders-jobs:5672`,
      "JOBS_QUEUES=orders-placed,orders.cancelled",
    ]);
    expect(replica.depends_on).toContain(resourceAt(local, "docker_container", `${JOBS}container`).address);
    const members = resourcesOfType(local, "docker_container")
      .filter(({ values }) => values.networks_advanced.some((n: any) => n.name === "platform-local-orders-jobs"))
      .map(({ values }) => values.name)
      .sort();
    expect(members).toEqual(["platform-local-orders-1", "platform-local-orders-2", "platform-local-orders-jobs"]);
  });
});
