import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../environments.js";
import { PLATFORM_MANAGED_LABELS } from "../hardening.js";
import {
  MESH_CONTROL_PLANE,
  MESH_CONTROL_PLANE_POLICY,
  meshNamespaceMetadata,
  withMeshAnnotations,
} from "./mesh/mesh-injection.js";
import { NamespaceV1, NetworkPolicyV1 } from "./resources.js";

/** Props of {@link NamespaceIsolation}. */
export interface NamespaceIsolationProps {
  readonly environment: KubernetesEnvironment;
}

/**
 * The environment's namespace, enforcing the Pod Security Standard "restricted", with
 * a default-deny NetworkPolicy for every pod in it and one exception every pod needs:
 * DNS to the cluster's resolver in kube-system. With a service mesh, the namespace carries
 * what makes the mesh inject its proxy into the services' pods (see mesh-injection.ts), and
 * a second exception: egress to the mesh's control plane, without which no proxy starts.
 */
export class NamespaceIsolation extends Construct {
  readonly namespace: NamespaceV1;

  constructor(scope: Construct, id: string, props: NamespaceIsolationProps) {
    super(scope, id);
    const { environment } = props;
    const mesh = meshNamespaceMetadata(environment.kubernetes.mesh);
    const labels = {
      ...PLATFORM_MANAGED_LABELS,
      "platform.dev/environment": environment.name,
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      ...mesh.labels,
    };
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: { name: environment.namespace, labels, annotations: withMeshAnnotations(undefined, mesh) },
    });

    const metadata = (name: string) => ({
      name,
      namespace: environment.namespace,
      labels: { ...PLATFORM_MANAGED_LABELS },
    });
    new NetworkPolicyV1(this, "default-deny", {
      metadata: metadata("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      dependsOn: [this.namespace],
    });
    new NetworkPolicyV1(this, "allow-dns", {
      metadata: metadata("allow-dns"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { port: "53", protocol: "UDP" },
              { port: "53", protocol: "TCP" },
            ],
          },
        ],
      },
      dependsOn: [this.namespace],
    });
    const { mesh: meshName } = environment.kubernetes;
    if (meshName !== "none") {
      const controlPlane = MESH_CONTROL_PLANE[meshName];
      new NetworkPolicyV1(this, MESH_CONTROL_PLANE_POLICY, {
        metadata: metadata(MESH_CONTROL_PLANE_POLICY),
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": controlPlane.namespace } } }],
              ports: controlPlane.ports.map((port) => ({ port: String(port), protocol: "TCP" })),
            },
          ],
        },
        dependsOn: [this.namespace],
      });
    }
  }
}
