import { describe, expect, it } from "vitest";
import { exampleServices, resourceOf, synthPlatform, type StackJson } from "../../../support/platform.js";

/** The egress rules of a service's NetworkPolicy. */
function egressOf(stack: StackJson, name: string): unknown[] {
  return resourceOf(stack, "kubernetes_network_policy_v1", name).spec.egress ?? [];
}

/** The example catalogue synthesized with no tracing setting: the egress every service has anyway. */
const WITHOUT_COLLECTOR = synthPlatform(exampleServices());

/** The egress rules a service has in `stack` beyond those it has without a collector. */
function collectorEgress(stack: StackJson, name: string, environment = "production"): unknown[] {
  const before = egressOf(WITHOUT_COLLECTOR[environment]!, name).map((rule) => JSON.stringify(rule));
  return egressOf(stack, name).filter((rule) => !before.includes(JSON.stringify(rule)));
}

describe("NetworkPolicy egress to the OpenTelemetry collector", () => {
  it("GIVEN an in-cluster collector WHEN synthesized THEN each service may reach its namespace on its port, and nothing else is added", () => {
    const stacks = synthPlatform(exampleServices(), {
      PLATFORM_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318",
    });
    for (const environment of ["staging", "production"])
      for (const name of ["catalog", "gateway", "orders"])
        expect(collectorEgress(stacks[environment]!, name, environment), `${environment} ${name}`).toEqual([
          {
            to: [{ namespace_selector: { match_labels: { "kubernetes.io/metadata.name": "observability" } } }],
            ports: [{ port: "4318", protocol: "TCP" }],
          },
        ]);
  });

  it("GIVEN an external collector with its CIDR WHEN synthesized THEN each service may reach that CIDR on the URL's port", () => {
    const stacks = synthPlatform(exampleServices(), {
      PLATFORM_OTLP_ENDPOINT: "https://otlp.acme.com",
      PLATFORM_OTLP_CIDR: "198.51.100.0/24",
    });
    expect(collectorEgress(stacks.production!, "orders")).toEqual([
      { to: [{ ip_block: { cidr: "198.51.100.0/24" } }], ports: [{ port: "443", protocol: "TCP" }] },
    ]);
  });

  it("GIVEN no collector WHEN synthesized THEN no service gets egress on the OTLP port", () => {
    for (const environment of ["staging", "production"])
      for (const name of ["catalog", "gateway", "orders"])
        expect(
          egressOf(WITHOUT_COLLECTOR[environment]!, name).filter((rule: any) =>
            rule.ports.some((port: any) => port.port === "4318"),
          ),
        ).toEqual([]);
  });
});
