import { beforeAll, describe, expect, it } from "vitest";
import { resourceRequestsAndLimits } from "../../../../infra/guardrails/rules/k8s-09-resource-requests-and-limits.js";
import { probesOnDeclaredPorts } from "../../../../infra/guardrails/rules/k8s-10-probes-on-declared-ports.js";
import { pinnedImage } from "../../../../infra/guardrails/rules/k8s-11-pinned-image.js";
import { noServiceAccountToken } from "../../../../infra/guardrails/rules/k8s-12-no-service-account-token.js";
import { environmentNamespace } from "../../../../infra/guardrails/rules/k8s-13-environment-namespace.js";
import { noLiteralSecrets } from "../../../../infra/guardrails/rules/k8s-14-no-literal-secrets.js";
import { service } from "../../../support/platform.js";
import { CONTAINER, guardrailsFixture, K8S, POD, type GuardrailsFixture } from "../../../support/guardrails.js";

const ORDERS = K8S.deployment("orders");
const SERVICE_MONITOR = "kubernetes/orders/monitoring/service-monitor";

function ordersWith(overrides: Record<string, unknown>): GuardrailsFixture {
  const fixture = guardrailsFixture("staging");
  for (const [field, value] of Object.entries(overrides)) fixture.resource(ORDERS).addOverride(field, value);
  return fixture;
}

describe("workload rules (K8S-09 to K8S-14)", () => {
  let generated: GuardrailsFixture;
  let deployment: string;
  beforeAll(() => {
    // GIVEN the generated staging stack of the example catalogue
    generated = guardrailsFixture("staging");
    deployment = generated.address(ORDERS);
  });

  it.each([
    resourceRequestsAndLimits,
    probesOnDeclaredPorts,
    pinnedImage,
    noServiceAccountToken,
    environmentNamespace,
    noLiteralSecrets,
  ])("GIVEN the generated Deployment WHEN $id checks it THEN it is compliant", (rule) => {
    expect(generated.outcome(rule, ORDERS)).toEqual({ status: "compliant" });
  });

  it("GIVEN every generated resource WHEN K8S-13 checks them THEN all are in the environment's namespace", () => {
    for (const path of [
      K8S.service("gateway"),
      K8S.ingress("gateway"),
      K8S.autoscaler("orders"),
      K8S.disruptionBudget("catalog"),
      K8S.defaultDeny,
      K8S.serviceAccount("orders"),
      SERVICE_MONITOR,
    ]) {
      expect(generated.outcome(environmentNamespace, path)).toEqual({ status: "compliant" });
    }
  });

  it("GIVEN a container without limits WHEN checked THEN K8S-09 reports the missing memory limit", () => {
    const fixture = ordersWith({ [`${CONTAINER}.resources.limits`]: undefined });
    expect(fixture.findingsOf("K8S-09")).toEqual([
      {
        rule: "K8S-09",
        level: "error",
        resource: deployment,
        message:
          'container "orders": resources.limits.memory is unset, so it can take the node\'s memory from its neighbours',
      },
    ]);
  });

  it("GIVEN a container without requests WHEN checked THEN K8S-09 reports cpu and memory", () => {
    const fixture = ordersWith({ [`${CONTAINER}.resources.requests`]: undefined });
    expect(fixture.findingsOf("K8S-09").map((f) => f.message)).toEqual([
      'container "orders": resources.requests.cpu is unset, so the scheduler cannot place it by its needs',
      'container "orders": resources.requests.memory is unset, so the scheduler cannot place it by its needs',
    ]);
  });

  it("GIVEN a zero memory limit and a zero cpu request WHEN checked THEN K8S-09 reports both as zero", () => {
    const fixture = ordersWith({
      [`${CONTAINER}.resources.limits.memory`]: "0Ki",
      [`${CONTAINER}.resources.requests.cpu`]: "0",
    });
    expect(fixture.findingsOf("K8S-09")).toEqual([
      {
        rule: "K8S-09",
        level: "error",
        resource: deployment,
        message:
          'container "orders": resources.requests.cpu is "0", zero, so the scheduler places it as if it needed nothing',
      },
      {
        rule: "K8S-09",
        level: "error",
        resource: deployment,
        message:
          'container "orders": resources.limits.memory is "0Ki", zero, which the runtime reads as no limit, so it can take the node\'s memory from its neighbours',
      },
    ]);
  });

  it("GIVEN a zero cpu limit WHEN checked THEN K8S-09 reports it, though a cpu limit is not required", () => {
    expect(
      ordersWith({ [`${CONTAINER}.resources.limits.cpu`]: "0m" })
        .findingsOf("K8S-09")
        .map((f) => f.message),
    ).toEqual([
      'container "orders": resources.limits.cpu is "0m", zero, which the runtime reads as no limit, so a runaway loop is not capped',
    ]);
  });

  it("GIVEN no readiness probe and a liveness probe on an undeclared port WHEN checked THEN K8S-10 reports both", () => {
    const fixture = ordersWith({
      [`${CONTAINER}.readiness_probe`]: undefined,
      [`${CONTAINER}.liveness_probe.http_get.port`]: "admin",
    });
    expect(fixture.findingsOf("K8S-10")).toEqual([
      {
        rule: "K8S-10",
        level: "error",
        resource: deployment,
        message: 'container "orders" has no readiness_probe, so traffic reaches pods that are not ready',
      },
      {
        rule: "K8S-10",
        level: "error",
        resource: deployment,
        message:
          'container "orders": liveness_probe probes port "admin", which the container does not declare (ports: "http", 8081)',
      },
    ]);
  });

  it("GIVEN a startup probe on a port number the container does not declare WHEN checked THEN K8S-10 reports it", () => {
    const fixture = ordersWith({ [`${CONTAINER}.startup_probe.http_get.port`]: 9000 });
    expect(fixture.findingsOf("K8S-10").map((f) => f.message)).toEqual([
      'container "orders": startup_probe probes port 9000, which the container does not declare (ports: "http", 8081)',
    ]);
  });

  it("GIVEN images tagged latest, untagged, or pinned by digest WHEN checked THEN K8S-11 reports the first two", () => {
    expect(ordersWith({ [`${CONTAINER}.image`]: "nginx:latest" }).findingsOf("K8S-11")).toEqual([
      {
        rule: "K8S-11",
        level: "error",
        resource: deployment,
        message: 'container "orders": image "nginx:latest" uses the tag latest, which moves',
      },
    ]);
    expect(
      ordersWith({ [`${CONTAINER}.image`]: "registry.example.com:5000/orders" })
        .findingsOf("K8S-11")
        .map((f) => f.message),
    ).toEqual(['container "orders": image "registry.example.com:5000/orders" has no tag, which means latest']);
    expect(
      ordersWith({ [`${CONTAINER}.image`]: `ghcr.io/acme/orders@sha256:${"a".repeat(64)}` }).findingsOf("K8S-11"),
    ).toEqual([]);
  });

  it("GIVEN an image Terraform computes WHEN checked THEN K8S-11 warns instead of passing it", () => {
    expect(ordersWith({ [`${CONTAINER}.image`]: "${var.image}" }).findingsOf("K8S-11")).toEqual([
      {
        rule: "K8S-11",
        level: "warning",
        resource: deployment,
        message: 'container "orders": image is computed by Terraform ("${var.image}") and cannot be checked at synth',
      },
    ]);
  });

  it("GIVEN the token automount left to the provider and the default service account WHEN checked THEN K8S-12 reports both", () => {
    const fixture = ordersWith({
      [`${POD}.automount_service_account_token`]: undefined,
      [`${POD}.service_account_name`]: "default",
    });
    expect(fixture.findingsOf("K8S-12")).toEqual([
      {
        rule: "K8S-12",
        level: "error",
        resource: deployment,
        message:
          "pod automount_service_account_token is unset (the provider defaults it to true), so every container gets an API token",
      },
      {
        rule: "K8S-12",
        level: "error",
        resource: deployment,
        message:
          'pod service_account_name is "default", so it runs as the namespace\'s default service account, shared by every pod',
      },
    ]);
  });

  it("GIVEN a service account named by reference to its ServiceAccount WHEN checked THEN K8S-12 follows the reference", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(ORDERS)
      .addOverride(
        `${POD}.service_account_name`,
        `\${${fixture.address(K8S.serviceAccount("orders"))}.metadata[0].name}`,
      );
    expect(fixture.findingsOf("K8S-12")).toEqual([]);
  });

  it("GIVEN a Service moved to the default namespace and a PDB with no namespace WHEN checked THEN K8S-13 reports both", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.service("catalog")).addOverride("metadata.namespace", "default");
    fixture.resource(K8S.disruptionBudget("catalog")).addOverride("metadata.namespace", undefined);
    expect(fixture.findingsOf("K8S-13")).toEqual([
      {
        rule: "K8S-13",
        level: "error",
        resource: fixture.address(K8S.disruptionBudget("catalog")),
        message:
          'metadata.namespace is unset, so it lands in "default", outside the environment\'s namespace "platform-staging"',
      },
      {
        rule: "K8S-13",
        level: "error",
        resource: fixture.address(K8S.service("catalog")),
        message:
          'metadata.namespace is "default", outside the environment\'s namespace "platform-staging" where the default deny and the restricted Pod Security Standard apply',
      },
    ]);
  });

  it("GIVEN a ServiceMonitor manifest moved to the monitoring namespace WHEN checked THEN K8S-13 reads the manifest's own metadata", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(SERVICE_MONITOR).addOverride("manifest.metadata.namespace", "monitoring");
    expect(fixture.findingsOf("K8S-13")).toEqual([
      {
        rule: "K8S-13",
        level: "error",
        resource: fixture.address(SERVICE_MONITOR),
        message:
          'metadata.namespace is "monitoring", outside the environment\'s namespace "platform-staging" where the default deny and the restricted Pod Security Standard apply',
      },
    ]);
  });

  it("GIVEN a password given as a literal env value WHEN checked THEN K8S-14 reports it without showing it", () => {
    const fixture = ordersWith({ [`${CONTAINER}.env`]: [{ name: "STRIPE_API_KEY", value: "sk_live_123" }] });
    const findings = fixture.findingsOf("K8S-14");
    expect(findings).toEqual([
      {
        rule: "K8S-14",
        level: "error",
        resource: deployment,
        message:
          'container "orders": env STRIPE_API_KEY is set by value (not shown), not by a reference to the secret store',
      },
    ]);
    expect(JSON.stringify(fixture.findings())).not.toContain("sk_live_123");
  });

  it("GIVEN a dependency whose URL variable looks secret-like (TOKEN_STORE_URL) WHEN checked THEN K8S-14 does not flag the plain URL", () => {
    const services = [
      service({ name: "token-store", build: {}, port: 8080 }),
      service({ name: "api", build: {}, port: 8081, dependsOn: ["token-store"] }),
    ];
    const fixture = guardrailsFixture("staging", services);
    expect(fixture.outcome(noLiteralSecrets, K8S.deployment("api"))).toEqual({ status: "compliant" });
  });
});
