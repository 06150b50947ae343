import type { AddonName } from "./addon-names.js";

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

/** Where a chart comes from and which version is installed. */
export interface PinnedChart {
  /** The chart's name in its repository. */
  readonly chart: string;
  /** The chart repository's URL (`https://` index or `oci://` registry). */
  readonly repository: string;
  readonly version: string;
}

/** The pinned chart of each add-on. */
export const ADDON_CHARTS: { readonly [A in AddonName]: PinnedChart } = {
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
