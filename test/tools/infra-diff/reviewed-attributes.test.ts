import { describe, expect, it } from "vitest";
import { compareStacks } from "../../../tools/infra-diff/resource-changes.js";
import { REVIEWED_ATTRIBUTES, reviewedAttributes } from "../../../tools/infra-diff/reviewed-attributes.js";
import type { ConfigBlock, StackSnapshot } from "../../../tools/infra-diff/stack-snapshot.js";
import { manifestIn, meshStack, type MeshStackJson } from "../../support/mesh-stacks.js";

/** A synthesized Ingress, as cdktf writes it (a block with one item is a list of one). */
const INGRESS = {
  metadata: { name: "payments", namespace: "platform-staging", labels: { "app.kubernetes.io/name": "payments" } },
  spec: {
    ingress_class_name: "nginx",
    rule: [
      {
        host: "pay.example.com",
        http: {
          path: [
            { path: "/", path_type: "Prefix", backend: { service: { name: "payments", port: { number: 8090 } } } },
          ],
        },
      },
    ],
    tls: [{ hosts: ["pay.example.com"], secret_name: "payments-tls" }],
  },
};

function block(address: string, type: string, values: Record<string, unknown>): ConfigBlock {
  return { address, kind: "resource", type, owner: "payments", constructPath: "staging/kubernetes/payments/x", values };
}

function stack(...blocks: ConfigBlock[]): StackSnapshot {
  return { environment: "staging", blocks: new Map(blocks.map((b) => [b.address, b])) };
}

describe("reviewedAttributes", () => {
  it("GIVEN a new Ingress WHEN its reviewed attributes are read THEN its class, host, path, backend and TLS are there, and its metadata is not", () => {
    expect(reviewedAttributes("kubernetes_ingress_v1", INGRESS).map((a) => [a.path, a.after])).toEqual([
      ["spec.ingress_class_name", "nginx"],
      ["spec.rule.host", "pay.example.com"],
      ["spec.rule.http.path.path", "/"],
      ["spec.rule.http.path.backend.service", { name: "payments", port: { number: 8090 } }],
      ["spec.tls", { hosts: ["pay.example.com"], secret_name: "payments-tls" }],
    ]);
  });

  it("GIVEN a list of several blocks WHEN read THEN each block is its own line, keyed by name when every item has one, else by position", () => {
    const policy = {
      spec: {
        pod_selector: { match_labels: { "app.kubernetes.io/name": "payments" } },
        ingress: [{ from: [{ namespace_selector: {} }] }, { from: [{ pod_selector: {} }] }],
      },
    };
    expect(reviewedAttributes("kubernetes_network_policy_v1", policy).map((a) => a.path)).toEqual([
      "spec.pod_selector",
      "spec.ingress[0]",
      "spec.ingress[1]",
    ]);
    const container = { image: "x:1", networks_advanced: [{ name: "own" }, { name: "outside" }] };
    expect(reviewedAttributes("docker_container", container).map((a) => [a.path, a.after])).toEqual([
      ["image", "x:1"],
      ["networks_advanced[own].name", "own"],
      ["networks_advanced[outside].name", "outside"],
    ]);
  });

  it("GIVEN a type the table does not list WHEN read THEN nothing is shown", () => {
    expect(REVIEWED_ATTRIBUTES.kubernetes_config_map_v1).toBeUndefined();
    expect(reviewedAttributes("kubernetes_config_map_v1", { data: { "dashboard.json": "{}" } })).toEqual([]);
  });
});

describe("compareStacks", () => {
  it("GIVEN a head that creates an Ingress WHEN compared THEN the created resource carries its reviewed attributes as values after", () => {
    const ingress = block("kubernetes_ingress_v1.payments", "kubernetes_ingress_v1", INGRESS);
    const [created] = compareStacks(stack(), stack(ingress)).changes;
    expect(created!.action).toBe("create");
    expect(created!.attributes).toContainEqual({
      path: "spec.rule.host",
      schemaPath: "spec.rule.host",
      after: "pay.example.com",
      forcesReplacement: false,
    });
  });

  it("GIVEN an attribute that forces replacement WHEN compared THEN the reason names it with its value before and after", () => {
    const image = (name: string) => block("docker_image.prometheus", "docker_image", { name, keep_locally: false });
    const [replaced] = compareStacks(
      stack(image("platform-local/prometheus:f08378915169")),
      stack(image("platform-local/prometheus:f4022b0612be")),
    ).changes;
    expect(replaced!.replacementReasons).toEqual([
      "name (platform-local/prometheus:f08378915169 -> platform-local/prometheus:f4022b0612be) cannot be updated in place",
    ]);
  });

  it("GIVEN an attribute added that forces replacement WHEN compared THEN its side before reads (none)", () => {
    const container = (env: string[]) => block("docker_container.c", "docker_container", { image: "x:1", env });
    const [replaced] = compareStacks(stack(container(["A=1"])), stack(container(["A=1", "B=2"]))).changes;
    expect(replaced!.replacementReasons).toEqual(["env ((none) -> B=2) cannot be updated in place"]);
  });
});

describe("reviewedAttributes of service mesh objects", () => {
  const istio = meshStack("staging", "istio");
  const linkerd = meshStack("staging", "linkerd");
  const shown = (stack: MeshStackJson, kind: string, name: string) =>
    reviewedAttributes("kubernetes_manifest", { manifest: manifestIn(stack, kind, name) }).map((a) => [
      a.path,
      a.after,
    ]);

  it("GIVEN a new Istio AuthorizationPolicy WHEN read THEN its selector, action and each rule (principals, namespaces, ports) are shown", () => {
    const policy = manifestIn(istio, "AuthorizationPolicy", "orders");
    expect(shown(istio, "AuthorizationPolicy", "orders")).toEqual([
      ["manifest.kind", "AuthorizationPolicy"],
      ["manifest.spec.selector", { matchLabels: { "app.kubernetes.io/name": "orders" } }],
      ["manifest.spec.action", "ALLOW"],
      ["manifest.spec.rules[0]", policy.spec.rules[0]],
      ["manifest.spec.rules[1]", policy.spec.rules[1]],
    ]);
    expect(JSON.stringify(policy.spec.rules[0])).toContain("cluster.local/ns/platform-staging/sa/gateway");
  });

  it("GIVEN a new PeerAuthentication and DestinationRule WHEN read THEN their mutual TLS modes are shown", () => {
    expect(shown(istio, "PeerAuthentication", "default")).toEqual([
      ["manifest.kind", "PeerAuthentication"],
      ["manifest.spec.mtls", { mode: "STRICT" }],
    ]);
    expect(shown(istio, "DestinationRule", "orders")).toContainEqual([
      "manifest.spec.trafficPolicy.tls",
      { mode: "ISTIO_MUTUAL" },
    ]);
  });

  it("GIVEN new Linkerd objects WHEN read THEN a Server shows its pods and port, a MeshTLSAuthentication its identities, an AuthorizationPolicy its target and authentications", () => {
    expect(shown(linkerd, "Server", "orders")).toEqual([
      ["manifest.kind", "Server"],
      ["manifest.spec.podSelector", { matchLabels: { "app.kubernetes.io/name": "orders" } }],
      ["manifest.spec.port", "http"],
    ]);
    expect(shown(linkerd, "MeshTLSAuthentication", "orders-callers")).toEqual([
      ["manifest.kind", "MeshTLSAuthentication"],
      ["manifest.spec.identityRefs[gateway]", { kind: "ServiceAccount", name: "gateway" }],
      ["manifest.spec.identityRefs[reports]", { kind: "ServiceAccount", name: "reports" }],
    ]);
    expect(shown(linkerd, "MeshTLSAuthentication", "orders-monitoring")).toContainEqual([
      "manifest.spec.identities",
      ["*.monitoring.serviceaccount.identity.linkerd.cluster.local"],
    ]);
    expect(shown(linkerd, "AuthorizationPolicy", "orders-callers")).toEqual([
      ["manifest.kind", "AuthorizationPolicy"],
      ["manifest.spec.targetRef", { group: "policy.linkerd.io", kind: "Server", name: "orders" }],
      [
        "manifest.spec.requiredAuthenticationRefs",
        { group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "orders-callers" },
      ],
    ]);
  });
});
