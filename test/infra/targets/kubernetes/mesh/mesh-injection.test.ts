import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverServices } from "../../../../../infra/discover-services.js";
import { MESH_NAMES } from "../../../../../infra/mesh-settings.js";
import type { DiscoveredService } from "../../../../../infra/spec/model.js";
import {
  ISTIO_SCRAPE_CERTIFICATES,
  meshDataPodMetadata,
  meshIngressAnnotations,
  meshNamespaceMetadata,
  withMeshAnnotations,
} from "../../../../../infra/targets/kubernetes/mesh/mesh-injection.js";
import { ROOT } from "../../../../support/cli.js";
import { manifestObjectsOf } from "../../../../support/crd-validators.js";
import {
  LINKERD_MESH_VARIABLES,
  resourcesOfType,
  synthPlatform,
  type StackJson,
} from "../../../../support/platform.js";

/** The namespace's labels and annotations in a stack. */
function namespaceMetadata(stack: StackJson): { labels: Record<string, string>; annotations?: Record<string, string> } {
  const [namespace] = resourcesOfType(stack, "kubernetes_namespace_v1");
  return namespace!.values.metadata;
}

/**
 * The pod metadata of each data pod the stack runs, by kind: the CloudNativePG Cluster's
 * `inheritedMetadata`, the Redis StatefulSet's pod template, the RabbitmqCluster's override.
 */
function dataPodMetadata(
  stack: StackJson,
): Record<string, { labels?: Record<string, string>; annotations?: Record<string, string> }> {
  const manifests = manifestObjectsOf(stack).map(({ manifest }) => manifest);
  const cluster = manifests.find((m) => m.kind === "Cluster")!;
  const rabbitmq = manifests.find((m) => m.kind === "RabbitmqCluster")!;
  const [redis] = resourcesOfType(stack, "kubernetes_stateful_set_v1");
  return {
    postgres: cluster.spec.inheritedMetadata,
    redis: redis!.values.spec.template.metadata,
    queue: rabbitmq.spec.override.statefulSet.spec.template.metadata ?? {},
  };
}

describe("Which pods a mesh injects its proxy into", () => {
  let services: DiscoveredService[];
  let stacks: Record<string, Record<string, StackJson>>;
  beforeAll(async () => {
    // GIVEN the example catalogue, which runs a PostgreSQL database, a Redis store and a queue
    services = await discoverServices(ROOT);
    stacks = {
      istio: synthPlatform(services, { PLATFORM_MESH: "istio" }),
      linkerd: synthPlatform(services, LINKERD_MESH_VARIABLES),
    };
  });

  it.each(["staging", "production"])(
    "WITH PLATFORM_MESH=istio THEN the %s namespace is labelled for sidecar injection and each data pod opts out by its label",
    (environment) => {
      const stack = stacks.istio![environment]!;
      expect(namespaceMetadata(stack).labels["istio-injection"]).toBe("enabled");
      expect(namespaceMetadata(stack).annotations).toBeUndefined();
      for (const [kind, metadata] of Object.entries(dataPodMetadata(stack))) {
        expect(metadata.labels?.["sidecar.istio.io/inject"], kind).toBe("false");
        expect(metadata.annotations, kind).toBeUndefined();
      }
    },
  );

  it.each(["staging", "production"])(
    "WITH PLATFORM_MESH=linkerd THEN the %s namespace is annotated for injection, all-authenticated inbound, and each data pod opts out by its annotation",
    (environment) => {
      const stack = stacks.linkerd![environment]!;
      expect(namespaceMetadata(stack).annotations).toEqual({
        "linkerd.io/inject": "enabled",
        "config.linkerd.io/default-inbound-policy": "all-authenticated",
      });
      expect(namespaceMetadata(stack).labels["istio-injection"]).toBeUndefined();
      for (const [kind, metadata] of Object.entries(dataPodMetadata(stack))) {
        expect(metadata.annotations, kind).toEqual({ "linkerd.io/inject": "disabled" });
        expect(metadata.labels?.["sidecar.istio.io/inject"], kind).toBeUndefined();
      }
    },
  );

  it("WITH a mesh THEN the RabbitmqCluster's override keeps its restricted security contexts beside the pod metadata", () => {
    const rabbitmq = manifestObjectsOf(stacks.istio!.production!)
      .map(({ manifest }) => manifest)
      .find((m) => m.kind === "RabbitmqCluster")!;
    expect(rabbitmq.spec.override.statefulSet.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("WITH a mesh THEN the services' pods carry no opt-out: the mesh injects its proxy into them", () => {
    for (const mesh of ["istio", "linkerd"])
      for (const { address, values } of resourcesOfType(stacks[mesh]!.production!, "kubernetes_deployment_v1")) {
        const metadata = values.spec.template.metadata;
        expect(metadata.labels["sidecar.istio.io/inject"], `${mesh} ${address}`).toBeUndefined();
        expect(metadata.annotations?.["linkerd.io/inject"], `${mesh} ${address}`).toBeUndefined();
      }
  });

  it("WITH a mesh THEN cert-manager's HTTP-01 solver pods opt out of it through the ClusterIssuer's pod template, which still validates", () => {
    const issuerOf = (stack: StackJson) =>
      manifestObjectsOf(stack)
        .map(({ manifest }) => manifest)
        .find((m) => m.kind === "ClusterIssuer")!;
    expect(issuerOf(stacks.istio!.staging!).spec.acme.solvers[0].http01.ingress.podTemplate).toEqual({
      metadata: { labels: { "sidecar.istio.io/inject": "false" } },
    });
    expect(issuerOf(stacks.linkerd!.staging!).spec.acme.solvers[0].http01.ingress.podTemplate).toEqual({
      metadata: { annotations: { "linkerd.io/inject": "disabled" } },
    });
    expect(() => new ClusterIssuer(issuerOf(stacks.linkerd!.staging!) as any).validate()).not.toThrow();
  });

  it("WITH a mesh THEN each public Ingress has ingress-nginx call its Service through the mesh (with Istio, by the Service's in-mesh host); the internal services have no Ingress", () => {
    const ingressAnnotations = (stack: StackJson) =>
      resourcesOfType(stack, "kubernetes_ingress_v1").map(({ values }) => [
        values.metadata.name,
        values.metadata.annotations,
      ]);
    expect(ingressAnnotations(stacks.istio!.staging!)).toEqual([
      [
        "gateway",
        {
          "cert-manager.io/cluster-issuer": "letsencrypt",
          "nginx.ingress.kubernetes.io/service-upstream": "true",
          "nginx.ingress.kubernetes.io/upstream-vhost": "gateway.platform-staging.svc.cluster.local",
        },
      ],
    ]);
    expect(ingressAnnotations(stacks.linkerd!.production!)).toEqual([
      [
        "gateway",
        { "cert-manager.io/cluster-issuer": "letsencrypt", "nginx.ingress.kubernetes.io/service-upstream": "true" },
      ],
    ]);
    expect(meshIngressAnnotations("none", "gateway", "platform-staging")).toEqual({});
  });

  it("WITH Istio THEN each ServiceMonitor scrapes over TLS with the workload certificate the add-ons' Prometheus mounts (no host name check: SPIFFE identities); WITH Linkerd plain HTTP, its proxy does the TLS", () => {
    const endpointsOf = (stack: StackJson) =>
      manifestObjectsOf(stack)
        .map(({ manifest }) => manifest)
        .filter((m) => m.kind === "ServiceMonitor")
        .map((m) => m.spec.endpoints[0]);
    const istio = endpointsOf(stacks.istio!.production!);
    expect(istio.length).toBeGreaterThan(0);
    for (const endpoint of istio) {
      expect(endpoint.scheme).toBe("https");
      expect(endpoint.tlsConfig).toEqual({ ...ISTIO_SCRAPE_CERTIFICATES, insecureSkipVerify: true });
    }
    for (const endpoint of endpointsOf(stacks.linkerd!.production!)) {
      expect(endpoint.scheme).toBeUndefined();
      expect(endpoint.tlsConfig).toBeUndefined();
    }
  });

  it("GIVEN mesh none THEN nothing is added to the namespace or a data pod, and no annotations object is made", () => {
    expect(meshNamespaceMetadata("none")).toEqual({ labels: {}, annotations: {} });
    expect(meshDataPodMetadata("none")).toEqual({ labels: {}, annotations: {} });
    expect(withMeshAnnotations(undefined, meshDataPodMetadata("none"))).toBeUndefined();
    expect(withMeshAnnotations({ a: "b" }, meshDataPodMetadata("linkerd"))).toEqual({
      a: "b",
      "linkerd.io/inject": "disabled",
    });
    // Every mesh but none adds something to both.
    for (const mesh of MESH_NAMES.filter((m) => m !== "none")) {
      const all = (m: { labels: object; annotations: object }) => ({ ...m.labels, ...m.annotations });
      expect(Object.keys(all(meshNamespaceMetadata(mesh))).length, mesh).toBeGreaterThan(0);
      expect(Object.keys(all(meshDataPodMetadata(mesh))).length, mesh).toBeGreaterThan(0);
    }
  });

  it.each([
    ["istio", "istio-system", ["15012"]],
    ["linkerd", "linkerd", ["8080", "8086", "8090"]],
  ] as const)(
    "WITH PLATFORM_MESH=%s THEN the namespace's NetworkPolicies let every pod reach the control plane (namespace %s, ports %j), which its proxy needs to start, beside the default deny",
    (mesh, controlPlaneNamespace, ports) => {
      for (const environment of ["staging", "production"]) {
        const policies = resourcesOfType(stacks[mesh]![environment]!, "kubernetes_network_policy_v1").map(
          ({ values }) => values.spec,
        );
        // A policy that selects every pod of the namespace and lets its egress out to the control plane.
        const reached = policies
          .filter((spec) => Object.keys(spec.pod_selector).length === 0)
          .flatMap((spec) => spec.egress ?? [])
          .filter((rule: any) =>
            rule.to?.some(
              (peer: any) =>
                peer.namespace_selector?.match_labels?.["kubernetes.io/metadata.name"] === controlPlaneNamespace &&
                peer.pod_selector === undefined,
            ),
          )
          .flatMap((rule: any) => rule.ports.map((port: any) => `${port.protocol} ${port.port}`));
        expect(reached.sort(), environment).toEqual(ports.map((port) => `TCP ${port}`).sort());
      }
    },
  );

  it("GIVEN mesh none THEN no NetworkPolicy lets pods out to a mesh's control plane", () => {
    const policies = resourcesOfType(synthPlatform(services).staging!, "kubernetes_network_policy_v1");
    const namespaces = policies.flatMap(({ values }) =>
      (values.spec.egress ?? []).flatMap((rule: any) =>
        (rule.to ?? []).map((peer: any) => peer.namespace_selector?.match_labels?.["kubernetes.io/metadata.name"]),
      ),
    );
    expect(namespaces).not.toContain("istio-system");
    expect(namespaces).not.toContain("linkerd");
  });
});
