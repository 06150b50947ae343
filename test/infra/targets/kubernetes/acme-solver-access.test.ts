import { describe, expect, it } from "vitest";
import { ACME_HTTP01_SOLVER_PORT } from "../../../../infra/targets/kubernetes/acme-solver-access.js";
import { exampleServices, service } from "../../../support/platform.js";
import { guardrailsFixture, type RenderedStack } from "../../../support/guardrails.js";

/** The NetworkPolicies of a rendered stack, by their name. */
function policies(json: RenderedStack): Map<string, any> {
  return new Map(
    Object.values(json.resource.kubernetes_network_policy_v1 ?? {}).map((p: any) => [p.metadata.name, p] as const),
  );
}

/** The stack of `environment` built from `services`, rendered to JSON. */
function rendered(environment: string, services = exampleServices()): RenderedStack {
  let json: RenderedStack | undefined;
  guardrailsFixture(environment, services).findingsAfter("K8S-21", (stack) => {
    json = stack;
  });
  return json!;
}

describe("AcmeSolverAccess: cert-manager's HTTP-01 solver pods behind the namespace's default deny", () => {
  it.each(["staging", "production"])(
    "GIVEN a public service (gateway) WHEN %s is synthesized THEN one policy lets the ingress controller's namespace reach the solver pods on their port, ingress only",
    (environment) => {
      const policy = policies(rendered(environment)).get("acme-http01-solver");
      expect(policy?.spec).toEqual({
        pod_selector: { match_labels: { "acme.cert-manager.io/http01-solver": "true" } },
        policy_types: ["Ingress"],
        ingress: [
          {
            from: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
            ports: [{ port: String(ACME_HTTP01_SOLVER_PORT), protocol: "TCP" }],
          },
        ],
      });
      expect(policy.metadata.namespace).toBe(`platform-${environment}`);
    },
  );

  it("GIVEN no public service WHEN staging is synthesized THEN there is no such policy (no Ingress asks for a certificate)", () => {
    const internal = [service({ name: "worker", build: {}, port: 8080 })];
    expect([...policies(rendered("staging", internal)).keys()]).not.toContain("acme-http01-solver");
  });
});
