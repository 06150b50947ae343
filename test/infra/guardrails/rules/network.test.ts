import { beforeAll, describe, expect, it } from "vitest";
import { networkIsolation } from "../../../../infra/guardrails/rules/k8s-21-network-isolation.js";
import { noOpenCidr } from "../../../../infra/guardrails/rules/k8s-22-no-open-cidr.js";
import { clusterIpServices } from "../../../../infra/guardrails/rules/k8s-23-cluster-ip-services.js";
import { ingressTlsFromCertManager } from "../../../../infra/guardrails/rules/net-01-ingress-tls-from-cert-manager.js";
import { guardrailsFixture, K8S, type GuardrailsFixture } from "../../../support/guardrails.js";

describe("network rules (K8S-21 to K8S-23)", () => {
  let generated: GuardrailsFixture;
  beforeAll(() => {
    // GIVEN the generated staging stack of the example catalogue
    generated = guardrailsFixture("staging");
  });

  it("GIVEN the generated Deployments, policies, Services and Ingress WHEN checked THEN they are compliant", () => {
    for (const name of ["catalog", "orders", "gateway"]) {
      expect(generated.outcome(networkIsolation, K8S.deployment(name))).toEqual({ status: "compliant" });
      expect(generated.outcome(networkIsolation, K8S.networkPolicy(name))).toEqual({ status: "compliant" });
      expect(generated.outcome(noOpenCidr, K8S.networkPolicy(name))).toEqual({ status: "compliant" });
      expect(generated.outcome(clusterIpServices, K8S.service(name))).toEqual({ status: "compliant" });
    }
    expect(generated.outcome(clusterIpServices, K8S.ingress("gateway"))).toEqual({ status: "compliant" });
  });

  it("GIVEN an allow rule added to the namespace's default deny WHEN checked THEN K8S-21 reports every Deployment", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.defaultDeny).addOverride("spec.egress", [{ to: [{ ip_block: { cidr: "10.0.0.0/8" } }] }]);
    const message =
      'namespace "platform-staging" has no default-deny NetworkPolicy, so pods no policy selects accept and send any traffic';
    expect(fixture.findingsOf("K8S-21")).toEqual(
      ["catalog", "gateway", "orders"].map((name) => ({
        rule: "K8S-21",
        level: "error",
        resource: fixture.address(K8S.deployment(name)),
        message,
      })),
    );
  });

  it("GIVEN the default deny narrowed to no pod and the orders policy made egress-only WHEN checked THEN K8S-21 reports orders' open ingress", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.defaultDeny)
      .addOverride("spec.pod_selector.match_labels", { "app.kubernetes.io/name": "nothing" });
    fixture.resource(K8S.networkPolicy("orders")).addOverride("spec.policy_types.0", "Egress");
    const orders = fixture.address(K8S.deployment("orders"));
    expect(
      fixture
        .findingsOf("K8S-21")
        .filter((f) => f.resource === orders || f.resource === fixture.address(K8S.defaultDeny)),
    ).toEqual([
      {
        rule: "K8S-21",
        level: "error",
        resource: fixture.address(K8S.defaultDeny),
        message:
          'pod_selector (app.kubernetes.io/name=nothing) selects no pods of this stack in namespace "platform-staging"',
      },
      {
        rule: "K8S-21",
        level: "error",
        resource: orders,
        message:
          'namespace "platform-staging" has no default-deny NetworkPolicy, so pods no policy selects accept and send any traffic',
      },
      {
        rule: "K8S-21",
        level: "error",
        resource: orders,
        message: "no NetworkPolicy selects its pods for Ingress, so that traffic is not restricted",
      },
    ]);
  });

  it("GIVEN a service policy whose pod selector is misspelt WHEN checked THEN K8S-21 reports the dangling policy", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.networkPolicy("orders"))
      .addOverride("spec.pod_selector.match_labels", { "app.kubernetes.io/name": "ordres" });
    expect(fixture.findingsOf("K8S-21")).toEqual([
      {
        rule: "K8S-21",
        level: "error",
        resource: fixture.address(K8S.networkPolicy("orders")),
        message:
          'pod_selector (app.kubernetes.io/name=ordres) selects no pods of this stack in namespace "platform-staging"',
      },
    ]);
  });

  it("GIVEN the policy that lets the ingress controller reach cert-manager's HTTP-01 solver pods WHEN checked THEN K8S-21 accepts it while an Ingress asks cert-manager for its certificate, and reports it once none does", () => {
    expect(generated.outcome(networkIsolation, K8S.acmeSolverPolicy)).toEqual({ status: "compliant" });
    const fixture = guardrailsFixture("staging");
    const withoutIssuer = fixture.findingsAfter("K8S-21", (json) => {
      for (const ingress of Object.values(json.resource.kubernetes_ingress_v1!)) delete ingress.metadata.annotations;
    });
    expect(withoutIssuer).toEqual([
      {
        rule: "K8S-21",
        level: "error",
        resource: fixture.address(K8S.acmeSolverPolicy),
        message:
          'pod_selector (acme.cert-manager.io/http01-solver=true) selects no pods of this stack in namespace "platform-staging"',
      },
    ]);
  });

  it("GIVEN ingress from 0.0.0.0/0 and egress to ::/0 WHEN checked THEN K8S-22 reports both rules", () => {
    const fixture = guardrailsFixture("staging");
    const policy = fixture.resource(K8S.networkPolicy("orders"));
    policy.addOverride("spec.ingress", [{ from: [{ ip_block: { cidr: "0.0.0.0/0" } }] }]);
    policy.addOverride("spec.egress", [{ to: [{ ip_block: { cidr: "::/0" } }] }]);
    // Overrides append to lists: orders has 2 ingress rules (gateway, monitoring) and 2 egress rules (catalog, the
    // payment CIDR).
    expect(fixture.findingsOf("K8S-22")).toEqual([
      {
        rule: "K8S-22",
        level: "error",
        resource: fixture.address(K8S.networkPolicy("orders")),
        message: "ingress rule 3 allows ip_block 0.0.0.0/0: every address on the internet",
      },
      {
        rule: "K8S-22",
        level: "error",
        resource: fixture.address(K8S.networkPolicy("orders")),
        message: "egress rule 3 allows ip_block ::/0: every address on the internet",
      },
    ]);
  });

  it("GIVEN egress to the metadata endpoint, half the internet and a CIDR with host bits WHEN checked THEN K8S-22 reports each with the spec's own reason", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.networkPolicy("orders"))
      .addOverride("spec.egress", [
        { to: [{ ip_block: { cidr: "169.254.169.254/32" } }] },
        { to: [{ ip_block: { cidr: "0.0.0.0/1" } }, { ip_block: { cidr: "128.0.0.0/1" } }] },
        { to: [{ ip_block: { cidr: "10.0.0.1/8" } }] },
      ]);
    const at = fixture.address(K8S.networkPolicy("orders"));
    // Overrides append to lists: orders' own 2 egress rules (catalog, the payment CIDR) come first.
    expect(fixture.findingsOf("K8S-22")).toEqual([
      {
        rule: "K8S-22",
        level: "error",
        resource: at,
        message:
          "egress rule 3 allows ip_block 169.254.169.254/32, which overlaps 169.254.169.254/32, the cloud metadata endpoint (AWS, GCP, Azure), which hands out the node's credentials",
      },
      {
        rule: "K8S-22",
        level: "error",
        resource: at,
        message: "egress rule 4 allows ip_block 0.0.0.0/1, which is wider than /8 (2147483648 addresses)",
      },
      {
        rule: "K8S-22",
        level: "error",
        resource: at,
        message: "egress rule 4 allows ip_block 128.0.0.0/1, which is wider than /8 (2147483648 addresses)",
      },
      {
        rule: "K8S-22",
        level: "error",
        resource: at,
        message: "egress rule 5 allows ip_block 10.0.0.1/8, which has host bits set (its network is 10.0.0.0/8)",
      },
    ]);
  });

  it("GIVEN egress to a private /8 WHEN checked THEN K8S-22 finds it compliant", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.networkPolicy("orders"))
      .addOverride("spec.egress", [{ to: [{ ip_block: { cidr: "10.0.0.0/8" } }] }]);
    expect(fixture.outcome(noOpenCidr, K8S.networkPolicy("orders"))).toEqual({ status: "compliant" });
  });

  it("GIVEN egress to an IPv6 network other than ::/0 WHEN checked THEN K8S-22 warns that it cannot check it instead of passing it", () => {
    const fixture = guardrailsFixture("staging");
    fixture
      .resource(K8S.networkPolicy("orders"))
      .addOverride("spec.egress", [{ to: [{ ip_block: { cidr: "fd00:ec2::254/128" } }] }]);
    expect(fixture.findingsOf("K8S-22")).toEqual([
      {
        rule: "K8S-22",
        level: "warning",
        resource: fixture.address(K8S.networkPolicy("orders")),
        message:
          'egress rule 3 allows ip_block "fd00:ec2::254/128", which is not an IPv4 CIDR, so its range cannot be checked',
      },
    ]);
  });

  it("GIVEN a LoadBalancer Service whose selector is misspelt WHEN checked THEN K8S-23 reports both", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.service("catalog")).addOverride("spec.type", "LoadBalancer");
    fixture.resource(K8S.service("catalog")).addOverride("spec.selector", { "app.kubernetes.io/name": "catalgo" });
    expect(fixture.findingsOf("K8S-23")).toEqual([
      {
        rule: "K8S-23",
        level: "error",
        resource: fixture.address(K8S.service("catalog")),
        message:
          'spec.type is "LoadBalancer", not ClusterIP, so the Service may be reachable from outside the cluster without the Ingress',
      },
      {
        rule: "K8S-23",
        level: "error",
        resource: fixture.address(K8S.service("catalog")),
        message:
          'spec.selector (app.kubernetes.io/name=catalgo) selects no pods of this stack in namespace "platform-staging"',
      },
    ]);
  });

  it("GIVEN an Ingress routing to a Service the stack does not define WHEN checked THEN K8S-23 reports it", () => {
    const fixture = guardrailsFixture("staging");
    fixture.resource(K8S.ingress("gateway")).addOverride("spec.rule.0.http.path.0.backend.service.name", "gateway-v2");
    expect(fixture.findingsOf("K8S-23")).toEqual([
      {
        rule: "K8S-23",
        level: "error",
        resource: fixture.address(K8S.ingress("gateway")),
        message: 'routes to Service "gateway-v2", which this stack does not define in namespace "platform-staging"',
      },
    ]);
  });
});

describe("NET-01: an Ingress serves TLS from a certificate something creates", () => {
  type Json = { resource: Record<string, Record<string, any>> };
  /** WHEN helper: NET-01's findings on staging after `change` edits the gateway's Ingress (and the stack). */
  const findingsWhen = (change: (ingress: Record<string, any>, json: Json) => void) => {
    const fixture = guardrailsFixture("staging");
    const address = fixture.address(K8S.ingress("gateway"));
    const findings = fixture.findingsAfter("NET-01", (json) => {
      const [type, name] = address.split(".") as [string, string];
      change((json as unknown as Json).resource[type]![name]!, json as unknown as Json);
    });
    return findings.map((f) => {
      expect(f).toMatchObject({ level: "error", resource: address });
      return f.message;
    });
  };

  it("GIVEN the generated Ingress of staging and of production (cert-manager annotation, tls of its host) WHEN checked THEN it is compliant", () => {
    for (const environment of ["staging", "production"]) {
      const fixture = guardrailsFixture(environment);
      expect(fixture.outcome(ingressTlsFromCertManager, K8S.ingress("gateway"))).toEqual({ status: "compliant" });
      expect(fixture.findingsOf("NET-01")).toEqual([]);
    }
  });

  it("GIVEN the Ingress without its tls block WHEN checked THEN NET-01 fails it as plain HTTP", () => {
    expect(
      findingsWhen((ingress) => {
        delete ingress.spec.tls;
      }),
    ).toEqual(["has no tls block, so its hosts are served over plain HTTP"]);
  });

  it("GIVEN the Ingress with its tls but without the cert-manager annotation WHEN checked THEN NET-01 fails it: its Secret is created by nothing", () => {
    expect(
      findingsWhen((ingress) => {
        delete ingress.metadata.annotations;
      }),
    ).toEqual([
      'tls names Secret "gateway-tls", which nothing creates: the Ingress has no cert-manager issuer annotation (cert-manager.io/cluster-issuer or cert-manager.io/issuer) and the stack defines no such Secret in namespace "platform-staging"',
    ]);
  });

  it("GIVEN a rule host the tls block does not list, and a tls block without secret_name WHEN checked THEN NET-01 names each", () => {
    expect(
      findingsWhen((ingress) => {
        ingress.spec.tls = [{ hosts: ["www.example.com"] }];
      }),
    ).toEqual([
      'host "staging.shop.example.com" is in no tls block, so it is served over plain HTTP',
      "tls block 1 names no secret_name, so no certificate is served for it",
    ]);
  });

  it("GIVEN no annotation but a TLS Secret of that name that the stack defines (a certificate kept by hand) WHEN checked THEN it is compliant", () => {
    expect(
      findingsWhen((ingress, json) => {
        delete ingress.metadata.annotations;
        json.resource.kubernetes_secret_v1 = {
          gateway_tls: { metadata: { name: "gateway-tls", namespace: "platform-staging" }, type: "kubernetes.io/tls" },
        };
      }),
    ).toEqual([]);
  });
});
