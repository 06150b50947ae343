import { dependencyUrlVariable, type RunningApplication } from "@platform/service-runtime";
import { type ManifestServers, startForTest, startServersFor } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "../src/application.js";
import { MANIFEST } from "../src/application.js";

describe(`${MANIFEST.name} routes`, () => {
  let servers: ManifestServers | undefined;
  let service: RunningApplication | undefined;
  beforeAll(async () => {
    // No route calls a dependency yet: an address that refuses connections will do.
    const urls = Object.fromEntries(MANIFEST.dependencies.map((d) => [dependencyUrlVariable(d), "http://127.0.0.1:9"]));
    // Its backing services are real servers on loopback (PostgreSQL, Redis, RabbitMQ from Debian's packages).
    servers = await startServersFor(MANIFEST);
    service = await startForTest(createApplication(), { variables: { ...urls, ...servers.variables } });
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await servers?.remove();
  });

  it("GIVEN the service WHEN /hello is called with a name THEN it answers with a greeting that names the service", async () => {
    const response = await fetch(`${service!.url}/hello?name=Ada`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: `hello Ada, from ${MANIFEST.name}` });
  });
});
