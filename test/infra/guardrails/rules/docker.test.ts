import { beforeAll, describe, expect, it } from "vitest";
import { GUARDRAIL_RULES } from "../../../../infra/guardrails/index.js";
import { service } from "../../../support/platform.js";
import { guardrailsFixture, type GuardrailsFixture } from "../../../support/guardrails.js";

const ORDERS = "docker/orders/containers/replica-1";
const GATEWAY = "docker/gateway/containers/replica-1";
const CATALOG = "docker/catalog/containers/replica-1";
const PROMETHEUS = "docker/platform/monitoring/prometheus";
const JAEGER = "docker/platform/tracing/jaeger";
const DOCKER_RULES = GUARDRAIL_RULES.filter((rule) => rule.id.startsWith("DKR-"));

/** WHEN helper: the local stack with escape hatches on one container, checked. */
function containerWith(path: string, overrides: Record<string, unknown>): GuardrailsFixture {
  const fixture = guardrailsFixture("local");
  for (const [field, value] of Object.entries(overrides)) fixture.resource(path).addOverride(field, value);
  return fixture;
}

/** The messages one rule reports on one container. */
function messages(fixture: GuardrailsFixture, rule: string, path: string): string[] {
  return fixture
    .findingsOf(rule)
    .filter((f) => f.resource === fixture.address(path))
    .map((f) => `${f.level}: ${f.message}`);
}

describe("Docker rules (DKR-01 to DKR-11)", () => {
  let generated: GuardrailsFixture;
  beforeAll(() => {
    // GIVEN the generated local stack of the example catalogue
    generated = guardrailsFixture("local");
  });

  it("GIVEN the pack WHEN listed THEN it has the eleven Docker rules", () => {
    expect(DOCKER_RULES.map((rule) => rule.id)).toEqual([
      "DKR-01",
      "DKR-02",
      "DKR-03",
      "DKR-04",
      "DKR-05",
      "DKR-06",
      "DKR-07",
      "DKR-08",
      "DKR-09",
      "DKR-10",
      "DKR-11",
    ]);
  });

  it.each(DOCKER_RULES)(
    "GIVEN the generated containers (internal, public, Prometheus, Jaeger) WHEN $id checks them THEN they are compliant",
    (rule) => {
      for (const path of [ORDERS, GATEWAY, PROMETHEUS, JAEGER])
        expect(generated.outcome(rule, path)).toEqual({ status: "compliant" });
    },
  );

  it("GIVEN a privileged container on the host's network and processes WHEN checked THEN DKR-01 reports each", () => {
    const fixture = containerWith(ORDERS, { privileged: true, network_mode: "host", pid_mode: "host" });
    expect(messages(fixture, "DKR-01", ORDERS)).toEqual([
      "error: privileged is true, which gives the container every capability and the host's devices",
      'error: network_mode is "host", so the container shares the host\'s network stack',
      'error: pid_mode is "host", so the container shares the host\'s processes',
    ]);
  });

  it("GIVEN read_only removed WHEN checked THEN DKR-02 reports the provider's default", () => {
    expect(messages(containerWith(ORDERS, { read_only: undefined }), "DKR-02", ORDERS)).toEqual([
      "error: read_only is unset (the provider defaults it to false), so an intruder can change the image's files",
    ]);
  });

  it("GIVEN no-new-privileges replaced and seccomp unconfined WHEN checked THEN DKR-03 reports both", () => {
    const fixture = containerWith(ORDERS, {
      "security_opts.0": "label=disable",
      "security_opts.1": "seccomp=unconfined",
    });
    expect(messages(fixture, "DKR-03", ORDERS)).toEqual([
      "error: security_opts lacks no-new-privileges, so a process can gain privileges through setuid binaries",
      "error: security_opts has seccomp=unconfined, so the container's system calls are not filtered",
    ]);
  });

  it("GIVEN capabilities that keep the defaults and add SYS_ADMIN WHEN checked THEN DKR-04 reports both", () => {
    const fixture = containerWith(ORDERS, { "capabilities.drop.0": "CHOWN", "capabilities.add": ["SYS_ADMIN"] });
    expect(messages(fixture, "DKR-04", ORDERS)).toEqual([
      'error: capabilities.drop is ["CHOWN"], so the container keeps Docker\'s default capabilities (NET_RAW among them)',
      "error: capabilities.add has SYS_ADMIN; only NET_BIND_SERVICE may be added back",
    ]);
  });

  it("GIVEN no memory and no cpu limit WHEN checked THEN DKR-05 reports both", () => {
    expect(
      messages(containerWith(ORDERS, { memory: undefined, memory_swap: undefined, cpus: undefined }), "DKR-05", ORDERS),
    ).toEqual([
      "error: memory is unset, so the container may take all of the host's memory",
      "error: cpus is unset and cpu_quota is unset, so the container may take every core",
    ]);
  });

  it("GIVEN the restart policy left to the provider, or restarting for ever WHEN checked THEN DKR-06 reports it", () => {
    expect(messages(containerWith(ORDERS, { restart: undefined }), "DKR-06", ORDERS)).toEqual([
      'error: restart is unset (the provider defaults it to "no"), not "on-failure"',
    ]);
    expect(messages(containerWith(ORDERS, { restart: "always" }), "DKR-06", ORDERS)).toEqual([
      'error: restart is "always", not "on-failure"',
    ]);
    expect(messages(containerWith(ORDERS, { max_retry_count: 0 }), "DKR-06", ORDERS)).toEqual([
      "error: max_retry_count is 0; a crashing container restarts for ever",
    ]);
  });

  it("GIVEN no healthcheck, or one turned off WHEN checked THEN DKR-07 reports it", () => {
    expect(messages(containerWith(ORDERS, { healthcheck: undefined }), "DKR-07", ORDERS)).toEqual([
      "error: healthcheck.test is unset, so Docker never learns that the service hangs",
    ]);
    expect(messages(containerWith(ORDERS, { "healthcheck.test": undefined }), "DKR-07", ORDERS)).toEqual([
      "error: healthcheck.test is unset, so Docker never learns that the service hangs",
    ]);
  });

  it("GIVEN a pulled image whose spec gives no health command WHEN checked THEN DKR-07 warns that node may not be in it", () => {
    const fixture = guardrailsFixture("local", [service({ name: "cache", image: "redis:7.4.1", port: 6379 })]);
    expect(messages(fixture, "DKR-07", "docker/cache/containers/replica-1")).toEqual([
      'warning: healthcheck runs node, and image "redis:7.4.1" is pulled, not built from the platform\'s node base image: node may not be in it',
    ]);
    const checked = guardrailsFixture("local", [
      service({ name: "cache", image: "redis:7.4.1", port: 6379, health: { dockerCheck: ["redis-cli", "ping"] } }),
    ]);
    expect(messages(checked, "DKR-07", "docker/cache/containers/replica-1")).toEqual([]);
  });

  it("GIVEN no user, or root WHEN checked THEN DKR-08 reports it", () => {
    expect(messages(containerWith(ORDERS, { user: undefined }), "DKR-08", ORDERS)).toEqual([
      "error: user is unset, so the container runs as the image's user, root for most images",
    ]);
    expect(messages(containerWith(ORDERS, { user: "0:0" }), "DKR-08", ORDERS)).toEqual([
      'error: user is "0:0": the container runs as root',
    ]);
  });

  it("GIVEN the Docker socket, /etc and a device mounted WHEN checked THEN DKR-09 reports each", () => {
    const fixture = containerWith(ORDERS, {
      volumes: [{ host_path: "/var/run/docker.sock", container_path: "/var/run/docker.sock" }],
      mounts: [{ type: "bind", source: "/etc", target: "/host-etc" }],
      devices: [{ host_path: "/dev/kvm" }],
    });
    expect(messages(fixture, "DKR-09", ORDERS)).toEqual([
      'error: volume at "/var/run/docker.sock" mounts /var/run/docker.sock, the Docker socket, which is root on the host',
      'error: bind mount at "/host-etc" mounts /etc, a system path of the host (/etc)',
      'error: devices gives the container the host device "/dev/kvm"',
    ]);
  });

  it("GIVEN an internal service publishing a port on every interface WHEN checked THEN DKR-10 reports both", () => {
    const fixture = containerWith(CATALOG, { ports: [{ internal: 8080, external: 9000 }] });
    expect(messages(fixture, "DKR-10", CATALOG)).toEqual([
      "error: publishes port 9000 although catalog is internal",
      "error: port 9000 is published on every interface (ip unset), not 127.0.0.1",
    ]);
  });

  it("GIVEN the public gateway published on 0.0.0.0 and joined to the default bridge WHEN checked THEN DKR-10 reports both", () => {
    const fixture = containerWith(GATEWAY, { "ports.0.ip": "0.0.0.0", networks_advanced: [{ name: "bridge" }] });
    expect(messages(fixture, "DKR-10", GATEWAY)).toEqual([
      'error: port 8082 is published on "0.0.0.0", not 127.0.0.1',
      'error: joins network "bridge", which is not a network of this stack (Docker\'s built-in network)',
    ]);
  });

  it("GIVEN a container on no network of its own WHEN checked THEN DKR-10 reports the default bridge", () => {
    const fixture = guardrailsFixture("local");
    const container = fixture.resource(CATALOG);
    container.addOverride("networks_advanced", undefined);
    expect(messages(fixture, "DKR-10", CATALOG)).toEqual([
      "error: joins no network of its own, so Docker puts it on the default bridge with every other container",
    ]);
  });

  it("GIVEN a container running an image by name, and an image tagged latest WHEN checked THEN DKR-11 reports each", () => {
    expect(messages(containerWith(ORDERS, { image: "nginx:1.27.0" }), "DKR-11", ORDERS)).toEqual([
      'error: image is "nginx:1.27.0", not the image_id of a docker_image of this stack, so the engine runs whatever that name points to',
    ]);
    const fixture = guardrailsFixture("local");
    fixture.resource("docker/orders/image/image").addOverride("name", "platform-local/orders:latest");
    expect(messages(fixture, "DKR-11", ORDERS)).toEqual([
      `error: runs ${fixture.address("docker/orders/image/image")}, whose name "platform-local/orders:latest" uses the tag latest, which moves`,
    ]);
  });

  it("GIVEN PLATFORM_BASE_IMAGE=node:latest WHEN checked THEN DKR-11 reports every image built from it", () => {
    const fixture = guardrailsFixture("local", undefined, { PLATFORM_BASE_IMAGE: "node:latest" });
    expect(messages(fixture, "DKR-11", ORDERS)).toEqual([
      `error: builds ${fixture.address("docker/orders/image/image")} from BASE_IMAGE=node:latest, which uses the tag latest, which moves`,
    ]);
  });
});
