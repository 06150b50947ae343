import { describe, expect, it } from "vitest";
import {
  containerCreateRequest,
  durationNanoseconds,
  networkCreateRequest,
  type ReferenceResolver,
} from "./engine-requests.js";
import { imagesCreatedBy, runImageTag } from "./image-build.js";

const resolver: ReferenceResolver = {
  nameFor: (name) => `ct-1-${name}`,
  imageFor: (address) => `sha256:image-of-${address}`,
  networkFor: (address) => `ct-1-network-of-${address}`,
  networkNamed: (name) => `ct-1-${name}`,
  variableValue: (name) => `value-of-${name}`,
  randomPasswordValue: (address) => `password-of-${address}`,
};
const runLabels = { "platform.test/run": "ct-1" };

describe("engine requests from the local stack", () => {
  it("GIVEN a hardened docker_container WHEN translated THEN every setting reaches the Engine request as the provider sends it", () => {
    const request = containerCreateRequest(
      {
        address: "docker_container.orders_1",
        values: {
          "//": { metadata: { path: "local/docker/orders/workload/container-1" } },
          name: "platform-local-orders-1",
          image: "${docker_image.orders_image.image_id}",
          user: "10001:10001",
          read_only: true,
          tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
          capabilities: { drop: ["ALL"] },
          security_opts: ["no-new-privileges:true"],
          memory: 256,
          cpus: "0.4",
          env: ["PORT=8080", "DATABASE_PASSWORD=${var.orders_database_password}"],
          healthcheck: {
            test: ["CMD", "node", "/app/healthcheck.js"],
            interval: "10s",
            timeout: "3s",
            start_period: "1m30s",
            retries: 3,
          },
          restart: "on-failure",
          max_retry_count: 5,
          labels: [{ label: "app.kubernetes.io/name", value: "orders" }],
          networks_advanced: [
            { name: "${docker_network.orders.name}", aliases: ["orders"] },
            { name: "platform-local-orders-to-catalog" },
          ],
          ports: [{ internal: 8080, external: 8081, ip: "127.0.0.1" }],
          destroy_grace_seconds: 30,
          must_run: true,
          depends_on: ["docker_image.orders_image"],
        },
      },
      resolver,
      runLabels,
    );
    expect(request.name).toBe("ct-1-platform-local-orders-1");
    expect(request.graceSeconds).toBe(30);
    expect(request.body).toEqual({
      Image: "sha256:image-of-docker_image.orders_image",
      User: "10001:10001",
      Env: ["PORT=8080", "DATABASE_PASSWORD=value-of-orders_database_password"],
      Healthcheck: {
        Test: ["CMD", "node", "/app/healthcheck.js"],
        Interval: 10e9,
        Timeout: 3e9,
        StartPeriod: 90e9,
        Retries: 3,
      },
      Labels: { "app.kubernetes.io/name": "orders", "platform.test/run": "ct-1" },
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: {
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges:true"],
        Memory: 256 * 1024 * 1024,
        NanoCpus: 400_000_000,
        RestartPolicy: { Name: "on-failure", MaximumRetryCount: 5 },
        PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
        NetworkMode: "ct-1-network-of-docker_network.orders",
      },
      NetworkingConfig: { EndpointsConfig: { "ct-1-network-of-docker_network.orders": { Aliases: ["orders"] } } },
    });
    expect(request.endpoints.map((e) => e.network)).toEqual([
      "ct-1-network-of-docker_network.orders",
      "ct-1-platform-local-orders-to-catalog",
    ]);
    expect(request.publishedPorts).toEqual([
      { containerPort: "8080/tcp", hostIp: "127.0.0.1", declaredHostPort: "8081" },
    ]);
  });

  it("GIVEN a database container with a named volume and a random_password WHEN translated THEN the volume is a bind of the run's volume and the password the run's test value", () => {
    const request = containerCreateRequest(
      {
        address: "docker_container.orders_db",
        values: {
          name: "platform-local-orders-db",
          image: "${docker_image.postgres.image_id}",
          env: ["POSTGRES_PASSWORD=${random_password.orders_db_password.result}"],
          volumes: [{ container_path: "/var/lib/postgresql/data", volume_name: "platform-local-orders-db-data" }],
          networks_advanced: [{ name: "platform-local-orders-db", aliases: ["orders-db"] }],
        },
      },
      resolver,
      runLabels,
    );
    expect(request.body.Env).toEqual(["POSTGRES_PASSWORD=password-of-random_password.orders_db_password"]);
    expect(request.body.Volumes).toEqual({ "/var/lib/postgresql/data": {} });
    expect(request.body.HostConfig.Binds).toEqual(["ct-1-platform-local-orders-db-data:/var/lib/postgresql/data:rw"]);
    expect(request.namedVolumes).toEqual(["ct-1-platform-local-orders-db-data"]);
  });

  it("GIVEN a volume that binds a host path WHEN translated THEN it is refused: the run mounts named volumes only", () => {
    const values = {
      name: "x",
      image: "${docker_image.x.image_id}",
      networks_advanced: [{ name: "${docker_network.n.name}" }],
      volumes: [{ container_path: "/data", host_path: "/srv/data" }],
    };
    expect(() => containerCreateRequest({ address: "docker_container.x", values }, resolver, runLabels)).toThrow(
      "docker_container.x.volumes[0]: the container tests mount named volumes only; they do not map host_path",
    );
  });

  it("GIVEN a docker_container attribute the harness does not know WHEN translated THEN it fails naming the attribute", () => {
    const values = {
      name: "x",
      image: "${docker_image.x.image_id}",
      networks_advanced: [{ name: "${docker_network.n.name}" }],
      gpus: "all",
    };
    expect(() => containerCreateRequest({ address: "docker_container.x", values }, resolver, runLabels)).toThrow(
      'docker_container.x.gpus: the container tests do not know this docker_container attribute (value "all"); map it in test/containers/support/engine-requests.ts as the provider passes it to the engine',
    );
  });

  it("GIVEN a container on no declared network WHEN translated THEN it is refused: the run creates every network it uses", () => {
    expect(() =>
      containerCreateRequest(
        { address: "docker_container.x", values: { name: "x", image: "${docker_image.x.image_id}" } },
        resolver,
        runLabels,
      ),
    ).toThrow(
      "docker_container.x: declares no network; the container tests run containers only on networks they create",
    );
  });

  it("GIVEN an internal docker_network with options WHEN translated THEN the Engine request keeps them and adds the run's labels", () => {
    const request = networkCreateRequest(
      {
        address: "docker_network.outside",
        values: {
          name: "platform-local-outside",
          internal: false,
          options: { "com.docker.network.bridge.enable_icc": "false" },
          labels: [{ label: "a", value: "b" }],
        },
      },
      resolver,
      runLabels,
    );
    expect(request).toEqual({
      Name: "ct-1-platform-local-outside",
      Internal: false,
      Options: { "com.docker.network.bridge.enable_icc": "false" },
      Labels: { a: "b", "platform.test/run": "ct-1" },
      CheckDuplicate: true,
    });
  });

  it("GIVEN Go durations WHEN parsed THEN they are nanoseconds, and anything else is refused", () => {
    expect(durationNanoseconds("1m30s", "h.interval")).toBe(90e9);
    expect(durationNanoseconds("500ms", "h.interval")).toBe(5e8);
    expect(() => durationNanoseconds("10", "h.interval")).toThrow(
      'h.interval: "10" is not a duration; accepted: Go durations like "10s", "1m30s", "500ms"',
    );
  });

  it("GIVEN a reference the harness cannot resolve WHEN translated THEN it fails naming the reference", () => {
    const values = {
      name: "x",
      image: "${data.docker_image.x.id}",
      networks_advanced: [{ name: "${docker_network.n.name}" }],
    };
    expect(() => containerCreateRequest({ address: "docker_container.x", values }, resolver, runLabels)).toThrow(
      "docker_container.x.image: the reference ${data.docker_image.x.id} is not understood by the container tests",
    );
  });
});

describe("image builds", () => {
  it("GIVEN classic builder output WHEN read THEN the images its COPY and RUN steps created are listed, not the cached ones or the base", () => {
    const output = [
      "Step 1/4 : FROM platform-test/node-base:20 AS build",
      " ---> 4903ad0ef486",
      "Step 2/4 : WORKDIR /app",
      " ---> Using cache",
      " ---> 1aca1a891283",
      "Step 3/4 : COPY x .",
      " ---> 7be620a26cf6",
      "Step 4/4 : RUN node --check x",
      " ---> Running in 5c1d2e3f4a5b",
      "Removing intermediate container 5c1d2e3f4a5b",
      " ---> c951ba851e4f",
      "Successfully built c951ba851e4f",
    ].join("\n");
    expect(imagesCreatedBy(output)).toEqual(["7be620a26cf6", "c951ba851e4f"]);
  });

  it("GIVEN a declared image name WHEN the run tags it THEN the run id is appended to its tag", () => {
    const run = { id: "ct-1", startedAt: 0 };
    expect(runImageTag("platform-local/orders:1.0.0", run)).toBe("platform-local/orders:1.0.0-ct-1");
    expect(runImageTag("localhost:5000/orders", run)).toBe("localhost:5000/orders:latest-ct-1");
  });
});
