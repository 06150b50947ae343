import { CONTAINER_TYPES } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, blocks, isUnresolved, show } from "../values.js";

/** The address published ports are bound to: the developer's machine only. */
export const LOOPBACK = "127.0.0.1";
/** Networks Docker creates itself: the default bridge joins every container to every other. */
const BUILT_IN_NETWORKS = new Set(["bridge", "default", "host", "none"]);

/**
 * DKR-10 (error): a container publishes ports only when it belongs to a public service
 * (`expose: { public }`) or to the platform itself (the local Prometheus), only on
 * 127.0.0.1 (unset means every interface: the office Wi-Fi could reach it), never all
 * of them (`publish_all_ports`); and it joins only user-defined networks of the stack,
 * never Docker's default bridge (where every container reaches every other).
 * Anchor: CIS Docker Benchmark 5.14 (5.13 in older versions), 5.7.
 */
export const dockerLocalPortsAndUserNetworks: ResourceRule = {
  id: "DKR-10",
  level: "error",
  scope: "resource",
  checks: "ports published only by public services, on 127.0.0.1; containers on user-defined networks only",
  anchor: "CIS Docker 5.14",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource, context) {
    const problems = new Problems();
    const ports = blocks(resource.values.ports);
    const service = resource.service;
    if (ports.length > 0 && service !== undefined && !context.environment.publicServices.has(service)) {
      problems.add(
        `publishes port ${ports.map((p) => show(p.external ?? p.internal)).join(", ")} although ${service} is internal`,
        "remove ports; only services with expose: { public } are published",
      );
    }
    for (const port of ports) {
      const ip = port.ip;
      if (isUnresolved(ip)) problems.unresolved("ports.ip", ip, `bind the port on ${LOOPBACK}`);
      else if (ip !== LOOPBACK) {
        problems.add(
          `port ${show(port.external ?? port.internal)} is published on ${ip === undefined ? "every interface (ip unset)" : show(ip)}, not ${LOOPBACK}`,
          `set ip = "${LOOPBACK}" on the port`,
        );
      }
    }
    if (asBoolean(resource.values.publish_all_ports) === true)
      problems.add(
        "publish_all_ports is true, so every exposed port of the image is published",
        "remove publish_all_ports",
      );

    const mode = resource.values.network_mode;
    const networks = blocks(resource.values.networks_advanced);
    if (typeof mode === "string" && BUILT_IN_NETWORKS.has(mode)) {
      if (mode !== "host")
        problems.add(
          `network_mode is "${mode}": Docker's built-in network`,
          "remove network_mode and attach the container to the service's networks (networks_advanced)",
        );
    } else if ((mode === undefined || mode === null) && networks.length === 0) {
      problems.add(
        "joins no network of its own, so Docker puts it on the default bridge with every other container",
        "attach it to the service's networks (networks_advanced)",
      );
    }
    const stackNetworks = context.stack.memo(
      "docker-network-names",
      (stack) => new Set(stack.ofType("docker_network").map((n) => n.values.name)),
    );
    for (const network of networks) {
      const name = network.name;
      const referenced = context.stack.referencedBy(name)?.resource.type === "docker_network";
      if (isUnresolved(name) && !referenced)
        problems.unresolved(
          "networks_advanced.name",
          name,
          "name the network as a literal or by reference to its docker_network",
        );
      else if (typeof name === "string" && !referenced && !stackNetworks.has(name)) {
        problems.add(
          `joins network ${show(name)}, which is not a network of this stack${BUILT_IN_NETWORKS.has(name) ? " (Docker's built-in network)" : ""}`,
          "attach it only to the service's own networks (the platform's docker_network resources)",
        );
      }
    }
    return problems.outcome();
  },
};
