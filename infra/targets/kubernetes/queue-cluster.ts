import { Construct } from "constructs";
import type { KubernetesEnvironment } from "../../environments.js";
import { dataResourceName } from "../../spec/backing-services.js";
import { kubernetesQuantities, type QueueBackingService, type ServiceSpec } from "../../spec/model.js";
import { formatCpu, formatMemory } from "../../spec/quantity.js";
import { backingServiceLabels } from "../hardening.js";
import { RABBITMQ_IMAGE } from "../rabbitmq-server.js";
import { dataPodLabels } from "./connection-environment.js";
import { dataNetworkPolicy, tcp } from "./data-network-policy.js";
import { type MeshMetadata, meshDataPodMetadata } from "./mesh/mesh-injection.js";
import { Manifest, type NetworkPolicyV1, type NetworkPolicyV1SpecEgress } from "./resources.js";

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
};

/**
 * The `spec.override` of every `RabbitmqCluster`: the Pod Security Standard "restricted"
 * that the environment namespaces enforce (namespace-isolation.ts). Older operators give
 * the StatefulSet only `runAsUser: 999`, `fsGroup: 0` and leave the containers' security
 * contexts empty (rabbitmq/cluster-operator#1910), so the admission refuses every RabbitMQ
 * pod. The operator merges the override onto its StatefulSet (strategic merge, containers
 * by name: its `rabbitmq` container and `setup-container` init container), so each
 * container names itself and the fields set. uid/gid 999 is the image's `rabbitmq` user.
 */
const RESTRICTED_POD_OVERRIDE = {
  statefulSet: {
    spec: {
      template: {
        spec: {
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 999,
            fsGroup: 999,
            seccompProfile: { type: "RuntimeDefault" },
          },
          initContainers: [{ name: "setup-container", securityContext: RESTRICTED_CONTAINER }],
          containers: [{ name: "rabbitmq", securityContext: RESTRICTED_CONTAINER }],
        },
      },
    },
  },
};

/**
 * The `spec.override` of a `RabbitmqCluster` in an environment whose mesh puts `mesh` on the
 * data pods (mesh-injection.ts): {@link RESTRICTED_POD_OVERRIDE}, with the pod template's
 * labels and annotations when there are any (the operator merges them onto its pods').
 */
function podOverride(mesh: MeshMetadata): Record<string, unknown> {
  const hasLabels = Object.keys(mesh.labels).length > 0;
  const hasAnnotations = Object.keys(mesh.annotations).length > 0;
  if (!hasLabels && !hasAnnotations) return RESTRICTED_POD_OVERRIDE;
  const { template } = RESTRICTED_POD_OVERRIDE.statefulSet.spec;
  const metadata = {
    ...(hasLabels ? { labels: { ...mesh.labels } } : {}),
    ...(hasAnnotations ? { annotations: { ...mesh.annotations } } : {}),
  };
  return { statefulSet: { spec: { template: { metadata, ...template } } } };
}

/** Props of {@link QueueCluster}. */
export interface QueueClusterProps {
  /** The service that owns the queue: its pods alone may connect. */
  readonly owner: ServiceSpec;
  readonly resource: QueueBackingService;
  readonly environment: KubernetesEnvironment;
  /**
   * The services that read it (`uses`): its NetworkPolicy lets their pods in too.
   * @default [] - the owner alone
   */
  readonly users?: readonly string[];
}

/**
 * A queue a service owns, on Kubernetes: a `RabbitmqCluster` of the RabbitMQ cluster
 * operator (`<service>-<name>`, its nodes, storage and resources from the spec, the
 * pinned official image; the operator writes the connection to the `<name>-default-user`
 * Secret, keys host, port, username, password), which Terraform refuses to destroy
 * (`prevent_destroy`), and a NetworkPolicy for its pods: ingress on 5672 from the owner's
 * pods only and from the other nodes (clustering); egress to the other nodes and to the
 * Kubernetes API server (peer discovery). Its pods are made to pass the Pod Security
 * Standard "restricted" through its `spec.override` (see RESTRICTED_POD_OVERRIDE). The
 * operator (and its CRD) must be in the cluster.
 */
export class QueueCluster extends Construct {
  readonly clusterName: string;
  readonly cluster: Manifest;
  readonly networkPolicy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: QueueClusterProps) {
    super(scope, id);
    const { owner, resource, environment } = props;
    const namespace = environment.namespace;
    this.clusterName = dataResourceName(owner.name, resource.name);
    // The operator copies the RabbitmqCluster's labels onto the objects it makes.
    const labels = backingServiceLabels(this.clusterName, owner.name, environment.name, "queue");
    const { requests, limits } = resource.resources;

    this.cluster = new Manifest(this, "cluster", {
      manifest: {
        apiVersion: "rabbitmq.com/v1beta1",
        kind: "RabbitmqCluster",
        metadata: { name: this.clusterName, namespace, labels },
        spec: {
          replicas: resource.instances,
          image: RABBITMQ_IMAGE,
          persistence: { storage: resource.storage },
          resources: {
            requests: kubernetesQuantities(requests),
            limits: {
              memory: formatMemory(limits.memoryMiB),
              ...(limits.cpuMillis !== undefined ? { cpu: formatCpu(limits.cpuMillis) } : {}),
            },
          },
          // Left out of the environment's service mesh (see mesh-injection.ts); nothing with none.
          override: podOverride(meshDataPodMetadata(environment.kubernetes.mesh)),
        },
      },
      lifecycle: { preventDestroy: true },
    });

    const nodes = { podSelector: { matchLabels: dataPodLabels(owner.name, resource) } };
    const egress: NetworkPolicyV1SpecEgress[] = [{ to: [nodes] }];
    const { apiServer } = environment.kubernetes;
    if (apiServer) egress.push({ to: [{ ipBlock: { cidr: apiServer.cidr } }], ports: apiServer.ports.map(tcp) });
    this.networkPolicy = dataNetworkPolicy(this, "network-policy", {
      owner,
      resource,
      name: this.clusterName,
      namespace,
      labels,
      users: props.users,
      // Clustering: epmd, inter-node and CLI tool ports among the nodes.
      ingress: [{ from: [nodes] }],
      egress,
    });
  }
}
