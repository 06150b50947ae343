import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_JAEGER_IMAGE } from "../../../../infra/environments.js";
import { exampleServices, resourcesOfType, synthPlatform, type StackJson } from "../../../support/platform.js";
import { HARDENED_PLATFORM_CONTAINER } from "./hardening.js";

describe("The local Jaeger (tracing backend)", () => {
  let local: StackJson;
  let jaeger: Record<string, any>;
  beforeAll(() => {
    // GIVEN the example catalogue WHEN the local environment is synthesized
    local = synthPlatform(exampleServices()).local!;
    jaeger = resourcesOfType(local, "docker_container").find((r) => r.values.name === "platform-local-jaeger")!.values;
  });

  it("THEN it runs the pinned Jaeger image, by tag and digest, pulled and kept, by image id", () => {
    expect(DEFAULT_JAEGER_IMAGE).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    const image = resourcesOfType(local, "docker_image").find((r) => r.values.name === DEFAULT_JAEGER_IMAGE);
    expect(image?.values).toMatchObject({ name: DEFAULT_JAEGER_IMAGE, keep_locally: true });
    expect(image?.values.build).toBeUndefined();
    expect(jaeger.image).toBe(`\${${image!.address}.image_id}`);
  });

  it("THEN it is hardened like the services: its image's non-root user, read-only root, tmpfs /tmp, no capabilities, no new privileges, limits, a healthcheck", () => {
    expect(jaeger).toMatchObject({
      ...HARDENED_PLATFORM_CONTAINER,
      memory: 512,
      memory_swap: 512,
      cpus: "0.5",
      healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:13133/status"] },
    });
    expect(jaeger.capabilities.add).toBeUndefined();
    expect(jaeger.volumes).toBeUndefined();
  });

  it("THEN its UI alone is published, on 127.0.0.1:16686; the OTLP receiver is reached only on the services' networks", () => {
    expect(jaeger.ports).toEqual([{ internal: 16686, external: 16686, ip: "127.0.0.1", protocol: "tcp" }]);
    expect(jaeger.networks_advanced.map((n: any) => n.name).sort()).toEqual([
      "platform-local-catalog",
      "platform-local-gateway",
      "platform-local-orders",
      "platform-local-outside",
    ]);
    // Every service replica is on its own network, which Jaeger joins: its endpoint resolves there.
    for (const { values } of resourcesOfType(local, "docker_container").filter((r) =>
      (r.values.env as string[] | undefined)?.some((line) => line.startsWith("OTEL_EXPORTER_OTLP_ENDPOINT=")),
    )) {
      const own = `platform-local-${values.labels.find((l: any) => l.label === "app.kubernetes.io/name").value}`;
      expect(values.networks_advanced.map((n: any) => n.name)).toContain(own);
      expect(values.env).toContain("OTEL_EXPORTER_OTLP_ENDPOINT=http://platform-local-jaeger:4318");
    }
  });
});
