import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import type { JsonObject } from "../synthesized-stack.js";
import { asInteger, block, blocks, isUnresolved, show } from "../values.js";

const REQUIRED_PROBES = [
  ["liveness_probe", "a hung process is never restarted"],
  ["readiness_probe", "traffic reaches pods that are not ready"],
] as const;
const PROBES = ["liveness_probe", "readiness_probe", "startup_probe"] as const;

/**
 * K8S-10 (error): every (non-init) container has a liveness and a readiness probe, and
 * every probe's port (http_get, tcp_socket, grpc) is one the container declares, by
 * name or number: a probe on an undeclared port fails for ever.
 * Anchor: kube-linter no-liveness-probe/no-readiness-probe/liveness-port/readiness-port, Polaris, checkov CKV_K8S_8/9.
 */
export const probesOnDeclaredPorts: ResourceRule = {
  id: "K8S-10",
  level: "error",
  scope: "resource",
  checks: "containers have liveness and readiness probes, on a port the container declares",
  anchor:
    "kube-linter no-liveness-probe, no-readiness-probe, liveness-port, readiness-port; Polaris; checkov CKV_K8S_8/9",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    for (const container of containersOf(pod.spec, { includeInit: false })) {
      for (const [probe, why] of REQUIRED_PROBES) {
        if (block(container.values[probe]) === undefined)
          problems.add(`${container.label} has no ${probe}, so ${why}`, `add a ${probe} (the spec's health paths)`);
      }
      const ports = blocks(container.values.port);
      const names = new Set(ports.map((p) => p.name).filter((n): n is string => typeof n === "string"));
      const numbers = new Set(
        ports.map((p) => asInteger(p.container_port)).filter((n): n is number => n !== undefined),
      );
      for (const probe of PROBES) {
        const values = block(container.values[probe]);
        if (values === undefined) continue;
        const handler = probeHandler(values);
        if (handler === undefined) {
          problems.add(
            `${container.label}: ${probe} has no handler (http_get, tcp_socket, grpc or exec)`,
            `give ${probe} an http_get on the container's port`,
          );
          continue;
        }
        if (handler.kind === "exec") continue;
        const port = handler.port;
        if (isUnresolved(port))
          problems.unresolved(
            `${container.label}: ${probe}.${handler.kind}.port`,
            port,
            "name the container's port as a literal",
          );
        else if (
          typeof port === "string" && !/^\d+$/.test(port) ? !names.has(port) : !numbers.has(asInteger(port) ?? NaN)
        ) {
          problems.add(
            `${container.label}: ${probe} probes port ${show(port)}, which the container does not declare (ports: ${[...names, ...numbers].map((p) => show(p)).join(", ") || "none"})`,
            `point ${probe}.${handler.kind}.port at a declared port name or number, or declare it`,
          );
        }
      }
    }
    return problems.outcome();
  },
};

function probeHandler(probe: JsonObject): { kind: string; port?: unknown } | undefined {
  for (const kind of ["http_get", "tcp_socket", "grpc"]) {
    const handler = block(probe[kind]);
    if (handler !== undefined) return { kind, port: handler.port };
  }
  return block(probe.exec) !== undefined ? { kind: "exec" } : undefined;
}
