import { beforeAll, describe, expect, it } from "vitest";
import { TRACING_VARIABLES } from "../../../infra/targets/tracing-environment.js";
import { exampleServices, resourceOf, resourcesOfType, synthPlatform, type StackJson } from "../../support/platform.js";

/** The OTEL_* variables of a service's Deployment. */
function kubernetesTracing(stack: StackJson, name: string): Record<string, string> {
  const [container] = resourceOf(stack, "kubernetes_deployment_v1", name).spec.template.spec.container;
  return Object.fromEntries(
    container.env.filter((e: any) => e.name.startsWith("OTEL_")).map((e: any) => [e.name, e.value]),
  );
}

/** The OTEL_* variables of each replica container of a service. */
function dockerTracing(stack: StackJson, name: string): Array<Record<string, string>> {
  return resourcesOfType(stack, "docker_container")
    .map((r) => r.values)
    .filter((c) => String(c["//"].metadata.path).startsWith(`local/docker/${name}/`))
    .map((c) =>
      Object.fromEntries(
        (c.env as string[])
          .filter((line) => line.startsWith("OTEL_"))
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      ),
    );
}

const COLLECTOR = "http://otel-collector.observability.svc:4318";

describe("The OTEL_* variables, per environment, on both targets", () => {
  let withCollector: Record<string, StackJson>;
  let withoutCollector: Record<string, StackJson>;
  beforeAll(() => {
    // GIVEN the example catalogue WHEN synthesized with a collector (and production's ratio lowered), and without one
    withCollector = synthPlatform(exampleServices(), {
      PLATFORM_OTLP_ENDPOINT: COLLECTOR,
      PRODUCTION_TRACE_SAMPLING_RATIO: "0.05",
    });
    withoutCollector = synthPlatform(exampleServices());
  });

  it("THEN every local replica exports to the local Jaeger, records every trace, and names its service", () => {
    for (const name of ["catalog", "gateway", "orders"]) {
      const replicas = dockerTracing(withoutCollector.local!, name);
      expect(replicas.length).toBeGreaterThan(0);
      for (const variables of replicas)
        expect(variables).toEqual({
          OTEL_SERVICE_NAME: name,
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://platform-local-jaeger:4318",
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
          OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
          OTEL_TRACES_SAMPLER_ARG: "1",
          OTEL_PROPAGATORS: "tracecontext,baggage",
        });
    }
  });

  it("THEN with PLATFORM_OTLP_ENDPOINT, staging and production export to it, each at its own ratio", () => {
    expect(kubernetesTracing(withCollector.staging!, "orders")).toEqual({
      OTEL_SERVICE_NAME: "orders",
      OTEL_EXPORTER_OTLP_ENDPOINT: COLLECTOR,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "1",
      OTEL_PROPAGATORS: "tracecontext,baggage",
    });
    expect(kubernetesTracing(withCollector.production!, "catalog")).toMatchObject({
      OTEL_SERVICE_NAME: "catalog",
      OTEL_EXPORTER_OTLP_ENDPOINT: COLLECTOR,
      OTEL_TRACES_SAMPLER_ARG: "0.05",
    });
    expect(Object.keys(kubernetesTracing(withCollector.production!, "catalog"))).toEqual([...TRACING_VARIABLES]);
  });

  it("THEN without PLATFORM_OTLP_ENDPOINT, staging and production services get no OTEL_* variable: tracing is off", () => {
    for (const environment of ["staging", "production"])
      for (const name of ["catalog", "gateway", "orders"])
        expect(kubernetesTracing(withoutCollector[environment]!, name), `${environment} ${name}`).toEqual({});
  });
});
