import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequiredCustomResourceDefinition } from "../../../infra/targets/kubernetes/required-crds.js";
import { checkCustomResourceDefinitions } from "../../../tools/doctor/custom-resource-definitions.js";
import type { ClusterConnection } from "../../../tools/doctor/kubeconfig.js";
import {
  connectWithToken,
  type KubernetesApiServerStandIn,
  startKubernetesApiServer,
} from "../../support/kubernetes-api-server.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
let apiServer: KubernetesApiServerStandIn;
let deployer: ClusterConnection;
let reader: ClusterConnection;

const SERVICE_MONITOR: RequiredCustomResourceDefinition = {
  name: "servicemonitors.monitoring.coreos.com",
  kind: "ServiceMonitor",
  neededBy: "each service's scrape (PLATFORM_SCRAPE=servicemonitor)",
  installedBy: "the Prometheus operator (the kube-prometheus-stack chart), or set PLATFORM_SCRAPE=annotations",
  addon: "kube-prometheus-stack",
};
const POSTGRES_CLUSTER: RequiredCustomResourceDefinition = {
  name: "clusters.postgresql.cnpg.io",
  kind: "Cluster",
  neededBy: "the PostgreSQL databases of orders",
  installedBy: "the CloudNativePG operator (the cloudnative-pg chart)",
  addon: "cloudnative-pg",
};

beforeAll(async () => {
  const sandbox = folder("doctor-crds-");
  // GIVEN a cluster with the prometheus-operator's CRDs and not CloudNativePG's
  apiServer = await startKubernetesApiServer(sandbox, {
    token: "deployer-token",
    forbiddenToken: "reader-token",
    crds: ["servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"],
  });
  deployer = await connectWithToken(apiServer, sandbox, "deployer-token");
  reader = await connectWithToken(apiServer, sandbox, "reader-token");
});
afterAll(() => apiServer.close());

describe("checkCustomResourceDefinitions", () => {
  it("GIVEN every CRD the stack needs is installed WHEN checked THEN the line passes, naming them, as asked of the API server", async () => {
    const result = await checkCustomResourceDefinitions(deployer, [SERVICE_MONITOR]);
    expect(result).toEqual({ ok: true, line: "crds: installed: servicemonitors.monitoring.coreos.com" });
    expect(apiServer.requests.at(-1)).toBe(
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servicemonitors.monitoring.coreos.com",
    );
  });

  it("GIVEN a CRD that is not installed WHEN checked THEN the line names it, what needs it and what installs it", async () => {
    const result = await checkCustomResourceDefinitions(deployer, [SERVICE_MONITOR, POSTGRES_CLUSTER]);
    expect(result).toEqual({
      ok: false,
      line: "crds: not installed: clusters.postgresql.cnpg.io (Cluster, for the PostgreSQL databases of orders); installed: servicemonitors.monitoring.coreos.com; terraform plan fails on an object whose CRD is missing: install the CloudNativePG operator (the cloudnative-pg chart)",
    });
  });

  it("GIVEN the missing CRD is among those the add-ons stack installs WHEN checked THEN it is an info, not a failure", async () => {
    const result = await checkCustomResourceDefinitions(
      deployer,
      [SERVICE_MONITOR, POSTGRES_CLUSTER],
      ["clusters.postgresql.cnpg.io"],
    );
    expect(result).toEqual({
      ok: true,
      line: "crds: installed: servicemonitors.monitoring.coreos.com; installed by the add-ons stack: clusters.postgresql.cnpg.io",
    });
  });

  it("GIVEN a user who may not read CRDs WHEN checked THEN the line says which right to ask for", async () => {
    const result = await checkCustomResourceDefinitions(reader, [SERVICE_MONITOR]);
    expect(result.ok).toBe(false);
    expect(result.line).toContain(
      "crds: user 'deployer' may not read CustomResourceDefinitions (403: customresourcedefinitions \"servicemonitors.monitoring.coreos.com\" is forbidden",
    );
    expect(result.line).toContain(
      "ask the cluster's admin for 'get' on customresourcedefinitions.apiextensions.k8s.io",
    );
  });

  it("GIVEN a stack that needs no CRD WHEN checked THEN the line passes without asking", async () => {
    const asked = apiServer.requests.length;
    expect(await checkCustomResourceDefinitions(deployer, [])).toEqual({
      ok: true,
      line: "crds: the stack needs no CustomResourceDefinition",
    });
    expect(apiServer.requests.length).toBe(asked);
  });
});
