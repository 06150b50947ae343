import type { ServiceMeshName } from "../mesh-settings.js";
import type { ChartAddonName } from "./addon-names.js";

/**
 * The Helm chart of each add-on, pinned: each version is one constant here, so that a
 * bump is a one-line change that `infra:diff` shows as a change of the `addons-<env>`
 * stacks. None of these charts was ever installed from this repository (no cluster and
 * no chart repository are reachable here): the versions are published ones, chosen from
 * the charts' release lists, not tried.
 */

/** kube-prometheus-stack: the Prometheus operator, Prometheus, Alertmanager and Grafana. */
export const KUBE_PROMETHEUS_STACK_VERSION = "75.15.0";
/** cert-manager (its chart's versions carry the `v`). */
export const CERT_MANAGER_VERSION = "v1.18.0";
/** ingress-nginx (controller 1.13). */
export const INGRESS_NGINX_VERSION = "4.13.0";
/** CloudNativePG's operator chart (operator 1.27). */
export const CLOUDNATIVE_PG_VERSION = "0.26.0";
/** Bitnami's chart of the RabbitMQ cluster operator. */
export const RABBITMQ_CLUSTER_OPERATOR_VERSION = "4.4.34";
/**
 * Istio's `base`, `cni` and `istiod` charts (one version for all, as Istio releases them): 1.29.6,
 * a release tag of istio/istio (July 2026); not tried here.
 */
export const ISTIO_VERSION = "1.29.6";
/**
 * Linkerd's `linkerd-crds`, `linkerd2-cni` and `linkerd-control-plane` charts of the edge release
 * edge-26.8.3: open-source Linkerd publishes edge releases only, and linkerd2's
 * bin/compute-edge-version stamps every chart of tag `edge-YY.M.N` with the version
 * `20YY.M.N` at release (the Chart.yaml files in the repository say `0.0.0-undefined`);
 * not tried here.
 */
export const LINKERD_EDGE_VERSION = "2026.8.3";

/** Where a chart comes from and which version is installed. */
export interface PinnedChart {
  /** The chart's name in its repository. */
  readonly chart: string;
  /** The chart repository's URL (`https://` index or `oci://` registry). */
  readonly repository: string;
  readonly version: string;
}

/** A chart of an add-on that installs several, under a release name of its own. */
export interface ReleasedChart extends PinnedChart {
  /** The `helm_release` name, and its construct id under the add-on's. */
  readonly release: string;
  /**
   * The namespace it is installed in, when not the add-on's.
   * @default the add-on's namespace
   */
  readonly namespace?: string;
}

/** The pinned chart of each add-on that is one chart. */
export const ADDON_CHARTS: { readonly [A in ChartAddonName]: PinnedChart } = {
  "kube-prometheus-stack": {
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: KUBE_PROMETHEUS_STACK_VERSION,
  },
  "cert-manager": {
    chart: "cert-manager",
    repository: "https://charts.jetstack.io",
    version: CERT_MANAGER_VERSION,
  },
  "ingress-nginx": {
    chart: "ingress-nginx",
    repository: "https://kubernetes.github.io/ingress-nginx",
    version: INGRESS_NGINX_VERSION,
  },
  "cloudnative-pg": {
    chart: "cloudnative-pg",
    repository: "https://cloudnative-pg.github.io/charts",
    version: CLOUDNATIVE_PG_VERSION,
  },
  "rabbitmq-cluster-operator": {
    chart: "rabbitmq-cluster-operator",
    repository: "oci://registry-1.docker.io/bitnamicharts",
    version: RABBITMQ_CLUSTER_OPERATOR_VERSION,
  },
};

const ISTIO_CHARTS = "https://istio-release.storage.googleapis.com/charts";
const LINKERD_EDGE_CHARTS = "https://helm.linkerd.io/edge";

/**
 * The charts of each mesh, in the order they are installed: its CRDs first, then its CNI
 * plugin, then its control plane (which would not start without the CRDs, and which injects
 * proxies that rely on the plugin).
 *
 * The CNI plugin sets up each meshed pod's traffic redirection from the node, so that the
 * pods need no init container with NET_ADMIN and NET_RAW: the environment's namespace
 * enforces the Pod Security Standard "restricted", which refuses those capabilities (Istio
 * documents its plugin for namespaces that enforce "baseline", Linkerd its own for clusters
 * that do not grant NET_ADMIN). The plugin's DaemonSet mounts the node's CNI folders, so its
 * own namespace must allow privileged pods (`istio-system`; Linkerd's `linkerd-cni`).
 */
export const MESH_CHARTS: {
  readonly [M in ServiceMeshName]: readonly [ReleasedChart, ReleasedChart, ReleasedChart];
} = {
  istio: [
    { release: "istio-base", chart: "base", repository: ISTIO_CHARTS, version: ISTIO_VERSION },
    { release: "istio-cni", chart: "cni", repository: ISTIO_CHARTS, version: ISTIO_VERSION },
    { release: "istiod", chart: "istiod", repository: ISTIO_CHARTS, version: ISTIO_VERSION },
  ],
  linkerd: [
    { release: "linkerd-crds", chart: "linkerd-crds", repository: LINKERD_EDGE_CHARTS, version: LINKERD_EDGE_VERSION },
    {
      release: "linkerd2-cni",
      chart: "linkerd2-cni",
      repository: LINKERD_EDGE_CHARTS,
      version: LINKERD_EDGE_VERSION,
      namespace: "linkerd-cni",
    },
    {
      release: "linkerd-control-plane",
      chart: "linkerd-control-plane",
      repository: LINKERD_EDGE_CHARTS,
      version: LINKERD_EDGE_VERSION,
    },
  ],
};
