import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ADDON_NAMES, isMeshAddon } from "../../infra/addons/addon-names.js";
import { ADDON_CHARTS, ISTIO_VERSION, LINKERD_EDGE_VERSION, MESH_CHARTS } from "../../infra/addons/charts.js";
import { ISTIO_SCRAPE_CERTIFICATES } from "../../infra/targets/kubernetes/mesh/mesh-injection.js";
import { buildPlatformApp } from "../../infra/app.js";
import { withoutTokenTraces } from "../../infra/engine/cdk.js";
import { type KubernetesEnvironment, loadEnvironments } from "../../infra/environments.js";
import { renderAlertmanagerConfig } from "../../infra/monitoring/alertmanager-config.js";
import { exampleServices } from "../support/platform.js";
import { selfSignedCertificate } from "../support/kubernetes-api-server.js";
import { scratchFolders } from "../support/scratch.js";

const { folder } = scratchFolders();

type Json = Record<string, any>;

/** Synthesizes the example catalogue with `variables`; returns a reader of the stacks and the app. */
function synth(variables: Record<string, string> = {}) {
  const outdir = folder("addons-stack-");
  const built = withoutTokenTraces(() => {
    const app = buildPlatformApp({
      services: exampleServices(),
      environments: loadEnvironments(variables),
      outdir,
    });
    app.app.synth();
    return app;
  });
  const stack = (name: string): Json =>
    JSON.parse(readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { dependencies: string[] }>;
  };
  return { built, stack, manifest };
}

/** Each helm_release of a stack, by its release name. */
function releases(stack: Json): Map<string, Json> {
  return new Map(Object.values(stack.resource?.helm_release ?? {}).map((r: any) => [r.name, r]));
}

/** The values of a release, parsed from its one YAML document. */
function valuesOf(release: Json | undefined): Json {
  expect(release?.values).toHaveLength(1);
  return parse(release!.values[0]);
}

/** Whether a Kubernetes label selector (`matchLabels` only, as the platform writes them) selects `labels`. */
function selects(selector: { matchLabels: Record<string, string> }, labels: Record<string, string>): boolean {
  return Object.entries(selector.matchLabels).every(([key, value]) => labels[key] === value);
}

/** The kubernetes_manifest objects of a kind in a stack. */
function manifestsOfKind(stack: Json, kind: string): Json[] {
  return Object.values(stack.resource.kubernetes_manifest ?? {})
    .map((r: any) => r.manifest)
    .filter((m: any) => m.kind === kind);
}

describe("AddonsStack", () => {
  const { built, stack, manifest } = synth();

  it("GIVEN the default settings WHEN synthesized THEN each Kubernetes environment has an addons-<env> stack that its service stack depends on, and local has none", () => {
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "addons-production",
      "addons-staging",
      "local",
      "production",
      "staging",
    ]);
    expect(manifest.stacks.staging?.dependencies).toEqual(["addons-staging"]);
    expect(manifest.stacks.production?.dependencies).toEqual(["addons-production"]);
    expect(manifest.stacks.local?.dependencies).toEqual([]);
    expect(built.addonsStacks.map((s) => s.node.id)).toEqual(["addons-staging", "addons-production"]);
  });

  it("GIVEN the default settings WHEN synthesized THEN every add-on is one helm_release of its pinned chart, in the namespace the service stack expects it in, with its own state and the environment's kube context", () => {
    const addons = stack("addons-staging");
    const byName = releases(addons);
    // A mesh is installed only in an environment that has one (see below).
    const chartAddons = ADDON_NAMES.filter((name) => !isMeshAddon(name));
    expect([...byName.keys()].sort()).toEqual([...chartAddons].sort());
    for (const name of chartAddons) {
      expect(byName.get(name)).toMatchObject({ ...ADDON_CHARTS[name], create_namespace: true, atomic: true });
      expect(byName.get(name)?.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
    expect(Object.fromEntries([...byName].map(([name, r]) => [name, r.namespace]))).toEqual({
      "kube-prometheus-stack": "monitoring",
      "cert-manager": "cert-manager",
      "ingress-nginx": "ingress-nginx",
      "cloudnative-pg": "cnpg-system",
      "rabbitmq-cluster-operator": "rabbitmq-system",
    });
    expect(valuesOf(byName.get("cert-manager"))).toEqual({ crds: { enabled: true, keep: true } });
    expect(valuesOf(byName.get("ingress-nginx")).controller.ingressClassResource).toMatchObject({
      name: "nginx",
      enabled: true,
    });
    expect(addons.provider.helm).toEqual([
      { kubernetes: { config_context: "staging", config_path: "~/.kube/config" } },
    ]);
    expect(addons.terraform.backend.kubernetes.secret_suffix).toBe("platform-addons-staging");
    // As cdktf writes the kubernetes provider's: Terraform reads it as hashicorp/helm.
    expect(addons.terraform.required_providers.helm.source).toBe("helm");
  });

  it("GIVEN the service stack's ServiceMonitors, PrometheusRules and dashboard ConfigMaps WHEN the monitoring add-on is synthesized THEN its Prometheus selects every one of them and its Grafana sidecar reads every dashboard", () => {
    const service = stack("staging");
    const values = valuesOf(releases(stack("addons-staging")).get("kube-prometheus-stack"));
    const spec = values.prometheus.prometheusSpec;
    const namespaceLabels = { "kubernetes.io/metadata.name": "platform-staging" };
    const monitors = manifestsOfKind(service, "ServiceMonitor");
    const rules = manifestsOfKind(service, "PrometheusRule");
    expect(monitors.length).toBeGreaterThan(0);
    expect(rules.length).toBeGreaterThan(monitors.length - 1);
    for (const monitor of monitors) {
      expect(selects(spec.serviceMonitorSelector, monitor.metadata.labels), monitor.metadata.name).toBe(true);
      expect(monitor.metadata.namespace).toBe("platform-staging");
    }
    for (const rule of rules) {
      expect(selects(spec.ruleSelector, rule.metadata.labels), rule.metadata.name).toBe(true);
      expect(rule.metadata.namespace).toBe("platform-staging");
    }
    expect(selects(spec.serviceMonitorNamespaceSelector, namespaceLabels)).toBe(true);
    expect(selects(spec.ruleNamespaceSelector, namespaceLabels)).toBe(true);
    // A namespace of the other environment is not selected.
    expect(selects(spec.ruleNamespaceSelector, { "kubernetes.io/metadata.name": "platform-production" })).toBe(false);

    const sidecar = values.grafana.sidecar.dashboards;
    const dashboards = Object.values(service.resource.kubernetes_config_map_v1).filter((c: any) =>
      c.metadata.name.endsWith("-dashboard"),
    ) as Json[];
    expect(dashboards.length).toBe(monitors.length);
    for (const dashboard of dashboards) {
      expect(dashboard.metadata.labels[sidecar.label]).toBe(sidecar.labelValue);
      expect(sidecar.searchNamespace).toContain(dashboard.metadata.namespace);
    }
    expect(values.alertmanager.enabled).toBe(true);
  });

  it("GIVEN STAGING_ALERT_RECEIVERS WHEN synthesized THEN staging's Alertmanager routes each owner's alerts to its receiver, the rest to the default, as alertmanager.yml says, and mounts each receiver's Secret; production keeps the default alone", () => {
    const variables = { STAGING_ALERT_RECEIVERS: "team-orders=slack:orders-alerts,team-edge=pagerduty:edge-oncall" };
    const { built, stack: routed } = synth(variables);
    const staging = valuesOf(releases(routed("addons-staging")).get("kube-prometheus-stack")).alertmanager;
    const stagingEnvironment = loadEnvironments(variables, ["staging"])[0]!;
    expect(stagingEnvironment.target).toBe("kubernetes");
    expect(staging.config).toEqual(
      JSON.parse(
        JSON.stringify(
          renderAlertmanagerConfig(stagingEnvironment as KubernetesEnvironment, built.catalogues.get("staging")!),
        ),
      ),
    );
    const routes = staging.config.route.routes.map((r: Json) => [r.matchers, r.receiver]);
    expect(routes).toContainEqual([['owner="team-orders"'], "slack/orders-alerts"]);
    expect(routes).toContainEqual([['owner="team-edge"'], "pagerduty/edge-oncall"]);
    expect(staging.config.route.receiver).toBe("slack/platform-alerts");
    expect(staging.alertmanagerSpec.secrets).toEqual(["edge-oncall", "orders-alerts", "platform-alerts"]);
    const production = valuesOf(releases(routed("addons-production")).get("kube-prometheus-stack")).alertmanager;
    expect(production.alertmanagerSpec.secrets).toEqual(["platform-alerts"]);
    expect(production.config.route.routes.map((r: Json) => r.receiver)).not.toContain("slack/orders-alerts");
  });

  it("GIVEN STAGING_ADDONS=ingress-nginx WHEN synthesized THEN staging's add-ons stack installs that alone, and its service stack makes no ClusterIssuer (the cluster's cert-manager has its own), while production's does", () => {
    const { stack: skipped } = synth({ STAGING_ADDONS: "ingress-nginx" });
    expect([...releases(skipped("addons-staging")).keys()]).toEqual(["ingress-nginx"]);
    expect(manifestsOfKind(skipped("staging"), "ClusterIssuer")).toEqual([]);
    expect(manifestsOfKind(skipped("production"), "ClusterIssuer").map((m) => m.metadata.name)).toEqual([
      "letsencrypt",
    ]);
    const { stack: none } = synth({ STAGING_ADDONS: "none" });
    expect(none("addons-staging").resource).toBeUndefined();
  });

  it("GIVEN the add-ons stacks WHEN the guardrails check them THEN they run like on the other stacks, find nothing in helm releases, and report under the stack's name", () => {
    expect(built.guardrails.environments).toEqual([
      "local",
      "addons-staging",
      "staging",
      "addons-production",
      "production",
    ]);
    expect(built.guardrails.findingsOf("addons-staging")).toEqual([]);
    expect(built.guardrails.findingsOf("addons-production")).toEqual([]);
  });

  it("GIVEN no mesh WHEN synthesized THEN no mesh release, no release waits for another, and ingress-nginx and Prometheus get no mesh value", () => {
    const byName = releases(stack("addons-staging"));
    const meshReleases = Object.values(MESH_CHARTS).flatMap((charts) => charts.map((c) => c.release));
    expect([...byName.keys()].filter((name) => meshReleases.includes(name))).toEqual([]);
    expect([...byName.values()].filter((r) => r.depends_on !== undefined)).toEqual([]);
    expect(valuesOf(byName.get("ingress-nginx")).controller).not.toHaveProperty("podAnnotations");
    expect(valuesOf(byName.get("kube-prometheus-stack")).prometheus.prometheusSpec).not.toHaveProperty("podMetadata");
  });

  describe("with PLATFORM_MESH=istio", () => {
    const { built, stack: meshed } = synth({ PLATFORM_MESH: "istio" });
    const byName = releases(meshed("addons-staging"));
    const addressOf = (name: string) =>
      `helm_release.${Object.entries(meshed("addons-staging").resource.helm_release).find(([, r]: [string, any]) => r.name === name)![0]}`;

    it("GIVEN the environment's mesh WHEN synthesized THEN Istio's base chart, its CNI plugin, then istiod, of the pinned version from Istio's repository in istio-system, and ingress-nginx and kube-prometheus-stack after istiod; no Linkerd", () => {
      expect(byName.get("istio-base")).toMatchObject({
        chart: "base",
        repository: "https://istio-release.storage.googleapis.com/charts",
        version: ISTIO_VERSION,
        namespace: "istio-system",
        atomic: true,
      });
      expect(byName.get("istiod")).toMatchObject({
        chart: "istiod",
        version: ISTIO_VERSION,
        namespace: "istio-system",
      });
      expect(byName.get("istio-cni")).toMatchObject({
        chart: "cni",
        version: ISTIO_VERSION,
        namespace: "istio-system",
      });
      expect(byName.get("istio-base")?.depends_on).toBeUndefined();
      expect(byName.get("istio-cni")?.depends_on).toEqual([addressOf("istio-base")]);
      expect(byName.get("istiod")?.depends_on).toEqual([addressOf("istio-cni")]);
      expect(valuesOf(byName.get("istiod"))).toEqual({ pilot: { cni: { enabled: true } } });
      for (const name of ["ingress-nginx", "kube-prometheus-stack"])
        expect(byName.get(name)?.depends_on, name).toEqual([addressOf("istiod")]);
      expect(byName.get("cert-manager")?.depends_on).toBeUndefined();
      expect([...byName.keys()].filter((name) => name.startsWith("linkerd"))).toEqual([]);
      expect(releases(meshed("addons-production")).has("istiod")).toBe(true);
      expect(built.guardrails.findingsOf("addons-staging")).toEqual([]);
    });

    it("GIVEN Istio WHEN synthesized THEN the ingress controller's pods get a sidecar that intercepts no inbound port and nginx calls the Services", () => {
      const controller = valuesOf(byName.get("ingress-nginx")).controller;
      expect(controller.podLabels).toEqual({ "sidecar.istio.io/inject": "true" });
      expect(controller.podAnnotations).toEqual({ "traffic.sidecar.istio.io/includeInboundPorts": "" });
      // Calling the Services is each public Ingress's annotation (mesh-injection.ts), not the controller's.
      expect(controller).not.toHaveProperty("config");
      expect(controller.ingressClassResource.name).toBe("nginx");
    });

    it("GIVEN Istio WHEN synthesized THEN Prometheus gets a sidecar that intercepts nothing and writes its certificate to a memory volume that Prometheus mounts where ISTIO_SCRAPE_CERTIFICATES points", () => {
      const spec = valuesOf(byName.get("kube-prometheus-stack")).prometheus.prometheusSpec;
      expect(spec.podMetadata.labels).toEqual({ "sidecar.istio.io/inject": "true" });
      const annotations = spec.podMetadata.annotations;
      expect(annotations["traffic.sidecar.istio.io/includeInboundPorts"]).toBe("");
      expect(annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"]).toBe("");
      const outputFolder = parse(annotations["proxy.istio.io/config"]).proxyMetadata.OUTPUT_CERTS;
      const [sidecarMount] = JSON.parse(annotations["sidecar.istio.io/userVolumeMount"]);
      expect(sidecarMount.mountPath).toBe(outputFolder);
      expect(spec.volumes).toEqual([{ name: sidecarMount.name, emptyDir: { medium: "Memory" } }]);
      expect(spec.volumeMounts).toHaveLength(1);
      expect(spec.volumeMounts[0].name).toBe(sidecarMount.name);
      for (const file of Object.values(ISTIO_SCRAPE_CERTIFICATES))
        expect(path.posix.dirname(file)).toBe(spec.volumeMounts[0].mountPath);
      // The platform's selectors stay.
      expect(spec.serviceMonitorSelector).toEqual({ matchLabels: { "app.kubernetes.io/part-of": "platform" } });
    });
  });

  describe("with PLATFORM_MESH=linkerd", () => {
    const anchorFolder = folder("linkerd-anchor-");
    selfSignedCertificate(anchorFolder);
    const anchorFile = path.join(anchorFolder, "apiserver.crt");
    const { built, stack: meshed } = synth({
      PLATFORM_MESH: "linkerd",
      PLATFORM_LINKERD_TRUST_ANCHOR_FILE: anchorFile,
    });
    const byName = releases(meshed("addons-staging"));

    it("GIVEN the environment's mesh WHEN synthesized THEN linkerd-crds (with the Gateway API CRDs), linkerd2-cni (in linkerd-cni), then linkerd-control-plane of the pinned edge version in linkerd, relying on the CNI plugin, with the trust anchor of the file and the issuer from its kubernetes.io/tls Secret, and ingress-nginx and kube-prometheus-stack after it; no Istio", () => {
      for (const name of ["linkerd-crds", "linkerd-control-plane"])
        expect(byName.get(name), name).toMatchObject({
          chart: name,
          repository: "https://helm.linkerd.io/edge",
          version: LINKERD_EDGE_VERSION,
          namespace: "linkerd",
          atomic: true,
        });
      expect(valuesOf(byName.get("linkerd-crds"))).toEqual({ installGatewayAPI: true });
      expect(byName.get("linkerd2-cni")).toMatchObject({
        chart: "linkerd2-cni",
        version: LINKERD_EDGE_VERSION,
        namespace: "linkerd-cni",
      });
      expect(byName.get("linkerd2-cni")?.depends_on[0]).toMatch(/^helm_release\.linkerd_linkerd-crds_/);
      expect(valuesOf(byName.get("linkerd-control-plane"))).toEqual({
        cniEnabled: true,
        identityTrustAnchorsPEM: readFileSync(anchorFile, "utf8"),
        identity: { issuer: { scheme: "kubernetes.io/tls" } },
      });
      const controlPlane = byName.get("linkerd-control-plane")!;
      expect(controlPlane.depends_on).toHaveLength(1);
      expect(controlPlane.depends_on[0]).toMatch(/^helm_release\.linkerd_linkerd2-cni_/);
      for (const name of ["ingress-nginx", "kube-prometheus-stack"])
        expect(byName.get(name)?.depends_on?.[0], name).toMatch(/^helm_release\.linkerd_linkerd-control-plane_/);
      expect([...byName.keys()].filter((name) => name.startsWith("istio"))).toEqual([]);
      expect(built.guardrails.findingsOf("addons-staging")).toEqual([]);
    });

    it("GIVEN Linkerd WHEN synthesized THEN the ingress controller and Prometheus are injected with the proxy, and nginx calls the Services", () => {
      const controller = valuesOf(byName.get("ingress-nginx")).controller;
      expect(controller.podAnnotations).toEqual({ "linkerd.io/inject": "enabled" });
      // Calling the Services is each public Ingress's annotation (mesh-injection.ts), not the controller's.
      expect(controller).not.toHaveProperty("config");
      expect(controller).not.toHaveProperty("podLabels");
      const spec = valuesOf(byName.get("kube-prometheus-stack")).prometheus.prometheusSpec;
      expect(spec.podMetadata).toEqual({ annotations: { "linkerd.io/inject": "enabled" } });
      expect(spec).not.toHaveProperty("volumes");
    });

    it("GIVEN STAGING_ADDONS leaving Linkerd out (the cluster has it) WHEN synthesized without a trust anchor for staging THEN staging installs no Linkerd and nothing waits for it, yet its ingress controller and Prometheus still join the mesh", () => {
      const { stack: own } = synth({
        PLATFORM_MESH: "linkerd",
        STAGING_ADDONS: "kube-prometheus-stack,ingress-nginx",
        PRODUCTION_MESH: "none",
      });
      const staging = releases(own("addons-staging"));
      expect([...staging.keys()].sort()).toEqual(["ingress-nginx", "kube-prometheus-stack"]);
      expect([...staging.values()].map((r) => r.depends_on)).toEqual([undefined, undefined]);
      expect(valuesOf(staging.get("ingress-nginx")).controller.podAnnotations).toEqual({
        "linkerd.io/inject": "enabled",
      });
    });
  });
});
