import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { runCli } from "../../support/cli.js";
import {
  type KubernetesApiServerStandIn,
  selfSignedCertificate,
  startKubernetesApiServer,
  writeKubeconfig,
} from "../../support/kubernetes-api-server.js";
import { type ProviderRegistryStandIn, startProviderRegistry } from "../../support/provider-registry.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
let sandbox: string;
let registry: ProviderRegistryStandIn;
let ready: KubernetesApiServerStandIn;
let bare: KubernetesApiServerStandIn;
let closedUrl: string;
/** An API server name that resolves nowhere (the reserved .test domain): reached through a proxy, or not at all. */
const BEHIND_PROXY = "https://api.cluster.test:6443";

/** The CRDs the example services need in staging: the prometheus-operator's, CloudNativePG's, RabbitMQ's and cert-manager's. */
const EXAMPLE_CRDS = [
  "prometheusrules.monitoring.coreos.com",
  "servicemonitors.monitoring.coreos.com",
  "clusters.postgresql.cnpg.io",
  "rabbitmqclusters.rabbitmq.com",
  "clusterissuers.cert-manager.io",
];

beforeAll(async () => {
  sandbox = folder("doctor-cluster-");
  registry = await startProviderRegistry();
  // GIVEN a cluster with the namespace and every CRD; one with neither; an address where nothing listens
  ready = await startKubernetesApiServer(folder("doctor-ready-"), {
    token: "deployer-token",
    namespaces: ["platform-staging"],
    crds: EXAMPLE_CRDS,
  });
  bare = await startKubernetesApiServer(folder("doctor-bare-"), { token: "deployer-token" });
  const closed = await startKubernetesApiServer(folder("doctor-closed-"), { token: "t" });
  closedUrl = closed.url;
  await closed.close();
});
afterAll(async () => {
  await Promise.all([registry.close(), ready.close(), bare.close()]);
});

/** A user's machine: terraform 1.11.0 on PATH, the registry stand-in, and a kubeconfig whose context 'staging' is the cluster at `server`. */
function machine(name: string, server: string, ca: string): NodeJS.ProcessEnv {
  const terraform = path.join(sandbox, "terraform");
  writeFileSync(terraform, `#!/bin/sh\necho '{"terraform_version":"1.11.0","platform":"linux_amd64"}'\n`);
  chmodSync(terraform, 0o755);
  const kubeconfig = writeKubeconfig(path.join(sandbox, name), {
    server,
    context: "staging",
    ca,
    user: { token: "deployer-token" },
  });
  return {
    HOME: sandbox,
    PATH: `${sandbox}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    KUBECONFIG: kubeconfig,
    DOCTOR_PROVIDER_REGISTRY: registry.url,
    PLATFORM_KUBE_API_CIDR: "10.0.0.1/32",
  };
}

describe("npm run doctor -- staging, asking the cluster", () => {
  it("GIVEN a cluster that accepts the kubeconfig's token and has every CRD WHEN checking staging THEN the cluster lines pass and it exits 0", async () => {
    const env = machine("kubeconfig-ready", ready.url, ready.ca);
    const run = await runCli("tools/doctor.ts", ["staging"], { env });
    expect(run.stdout).toContain(
      `✓ cluster: the API server ${ready.url} (context 'staging' of ${env.KUBECONFIG}) answers (Kubernetes v1.31.4); user 'deployer' with a bearer token reads namespace platform-staging`,
    );
    expect(run.stdout).toContain(
      "✓ crds: installed: prometheusrules.monitoring.coreos.com, servicemonitors.monitoring.coreos.com, clusters.postgresql.cnpg.io, rabbitmqclusters.rabbitmq.com, clusterissuers.cert-manager.io",
    );
    expect(run.stdout).toContain("✓ secrets: the specs refer to no Secret the stack does not create");
    expect(run.stdout).toContain("staging: ready to deploy");
    expect(run.status, run.output).toBe(0);
  });

  it("GIVEN a cluster without the CRDs, and every add-on left to the add-ons stack (the default) WHEN checking staging THEN the crds line says the add-ons stack installs them, and it exits 0", async () => {
    const run = await runCli("tools/doctor.ts", ["staging"], { env: machine("kubeconfig-bare", bare.url, bare.ca) });
    expect(run.stdout).toContain(
      "✓ crds: installed by the add-ons stack: prometheusrules.monitoring.coreos.com, servicemonitors.monitoring.coreos.com, clusters.postgresql.cnpg.io, rabbitmqclusters.rabbitmq.com, clusterissuers.cert-manager.io",
    );
    expect(run.stdout).toContain("staging: ready to deploy");
    expect(run.status, run.output).toBe(0);
  });

  it("GIVEN a cluster without the CRDs, and STAGING_ADDONS naming the operators alone (the cluster has its own Prometheus and cert-manager) WHEN checking staging THEN the crds line names those the add-ons do not install with what installs them, and it exits 1", async () => {
    const env = {
      ...machine("kubeconfig-bare", bare.url, bare.ca),
      STAGING_ADDONS: "cloudnative-pg,rabbitmq-cluster-operator",
    };
    const run = await runCli("tools/doctor.ts", ["staging"], { env });
    expect(run.stdout).toContain(
      "installed by the add-ons stack: clusters.postgresql.cnpg.io, rabbitmqclusters.rabbitmq.com",
    );
    expect(run.stdout).toContain("clusterissuers.cert-manager.io (ClusterIssuer");
    expect(run.stdout).toContain("namespace platform-staging is not there yet (the deploy creates it)");
    expect(run.stdout).toContain(
      "✗ crds: not installed: prometheusrules.monitoring.coreos.com (PrometheusRule, for the recording rules and alerts (PLATFORM_SCRAPE=servicemonitor))",
    );
    expect(run.stdout).toContain("install the Prometheus operator (the kube-prometheus-stack chart)");
    expect(run.stdout).toContain("staging: 1 missing");
    expect(run.status).toBe(1);
  });

  it("GIVEN PLATFORM_MESH=linkerd installed by the add-ons and a cluster without Linkerd's identity issuer Secret WHEN checking staging THEN the mesh CRDs are the add-ons', the Secret is named with its kubectl fix, and it exits 1", async () => {
    const anchorFolder = folder("doctor-anchor-");
    selfSignedCertificate(anchorFolder);
    const env = {
      ...machine("kubeconfig-bare", bare.url, bare.ca),
      PLATFORM_MESH: "linkerd",
      PLATFORM_LINKERD_TRUST_ANCHOR_FILE: path.join(anchorFolder, "apiserver.crt"),
    };
    const run = await runCli("tools/doctor.ts", ["staging"], { env });
    expect(run.stdout).toMatch(/✓ crds: installed by the add-ons stack: .*servers\.policy\.linkerd\.io/);
    expect(run.stdout).toContain(
      "✗ secrets: linkerd-identity-issuer (read by Linkerd's identity service (linkerd-control-plane)) is not in linkerd; the pods that read them would never start: kubectl create namespace linkerd --dry-run=client -o yaml | kubectl apply -f - && kubectl create secret generic linkerd-identity-issuer -n linkerd --type=kubernetes.io/tls --from-file=ca.crt=... --from-file=tls.crt=... --from-file=tls.key=...",
    );
    expect(run.status, run.output).toBe(1);
  });

  it("GIVEN an API server nobody answers for WHEN checking staging THEN it says so with the kubeconfig and context, asks nothing more, and the deploy stops in its preflight", async () => {
    const env = machine("kubeconfig-closed", closedUrl, ready.ca);
    const run = await runCli("tools/doctor.ts", ["staging"], { env });
    expect(run.stdout).toContain(
      `✗ cluster: the API server ${closedUrl} (context 'staging' of ${env.KUBECONFIG}) is not reachable (connect ECONNREFUSED`,
    );
    expect(run.stdout).not.toContain("crds:");
    expect(run.stdout).not.toContain("secrets:");
    expect(run.status).toBe(1);

    const deploy = await runCli("tools/deploy.ts", ["deploy", "staging"], { env });
    expect(deploy.stdout).toContain(`✗ cluster: the API server ${closedUrl}`);
    expect(deploy.stderr.trimEnd().split("\n").at(-1)).toBe(
      "deploy staging: stopped by the preflight before any change; nothing was run. Fix the lines marked ✗ above and run again (npm run doctor -- staging checks them alone)",
    );
    expect(deploy.status).toBe(1);
  });

  it("GIVEN a kubeconfig cluster with a proxy-url, or HTTPS_PROXY set WHEN checking staging THEN the API server is not asked directly (it would not answer), the line names the proxy and kubectl's check, and no CRD or Secret line follows", async () => {
    const withProxyUrl = machine("kubeconfig-proxy-url", closedUrl, ready.ca);
    const config = parseYaml(readFileSync(withProxyUrl.KUBECONFIG!, "utf8"));
    config.clusters[0].cluster["proxy-url"] = "http://proxy.internal:3128";
    writeFileSync(withProxyUrl.KUBECONFIG!, stringifyYaml(config));
    const viaKubeconfig = await runCli("tools/doctor.ts", ["staging"], { env: withProxyUrl });
    expect(viaKubeconfig.stdout).toContain(
      `✓ cluster: the API server ${closedUrl} (context 'staging' of ${withProxyUrl.KUBECONFIG}) not checked through a proxy (the kubeconfig's proxy-url); check with kubectl get --raw /version --context staging; the CRDs and the Secrets the stack needs are not checked either`,
    );
    expect(viaKubeconfig.stdout).not.toContain("crds:");
    expect(viaKubeconfig.stdout).not.toContain("secrets:");
    expect(viaKubeconfig.status, viaKubeconfig.output).toBe(0);

    const env: NodeJS.ProcessEnv = {
      ...machine("kubeconfig-behind-proxy", BEHIND_PROXY, ready.ca),
      HTTPS_PROXY: "http://proxy.internal:3128",
    };
    const viaVariable = await runCli("tools/doctor.ts", ["staging"], { env });
    expect(viaVariable.stdout).toContain(
      `✓ cluster: the API server ${BEHIND_PROXY} (context 'staging' of ${env.KUBECONFIG}) not checked through a proxy (HTTPS_PROXY); check with kubectl get --raw /version`,
    );
    expect(viaVariable.stdout).not.toContain("crds:");
    expect(viaVariable.status, viaVariable.output).toBe(0);
  });

  it("GIVEN HTTPS_PROXY and NO_PROXY covering the API server's domain WHEN checking staging THEN the API server is asked directly (here it does not resolve), and it exits 1", async () => {
    const env: NodeJS.ProcessEnv = {
      ...machine("kubeconfig-no-proxy", BEHIND_PROXY, ready.ca),
      HTTPS_PROXY: "http://proxy.internal:3128",
      NO_PROXY: "localhost,.cluster.test",
    };
    const run = await runCli("tools/doctor.ts", ["staging"], { env });
    expect(run.stdout).toContain(
      `✗ cluster: the API server ${BEHIND_PROXY} (context 'staging' of ${env.KUBECONFIG}) is not reachable (`,
    );
    expect(run.stdout).not.toContain("through a proxy");
    expect(run.status).toBe(1);
  });

  it("GIVEN DOCTOR_SKIP_CLUSTER WHEN checking staging against the unreachable API server THEN it is not asked, and the line says so", async () => {
    const run = await runCli("tools/doctor.ts", ["staging"], {
      env: { ...machine("kubeconfig-skip", closedUrl, ready.ca), DOCTOR_SKIP_CLUSTER: "1" },
    });
    expect(run.stdout).toContain(
      "✓ cluster: not checked (DOCTOR_SKIP_CLUSTER is set): the API server, the CRDs and the Secrets the stack needs",
    );
    expect(run.status, run.output).toBe(0);
  });

  it("GIVEN --help WHEN asked THEN it names what is asked of the cluster and how to skip it", async () => {
    const run = await runCli("tools/doctor.ts", ["--help"], { env: { HOME: sandbox, PATH: "/usr/bin:/bin" } });
    expect(run.stdout).toContain("accepts them, the CustomResourceDefinitions the stack needs, and the Secrets the");
    expect(run.stdout).toContain(
      "DOCTOR_SKIP_CLUSTER        set (to anything), the doctor does not ask the cluster's API",
    );
    expect(run.status).toBe(0);
  });
});
