import { dependencyUrlVariable, OPENAPI_PATH, type RunningApplication } from "@platform/service-runtime";
import { type ManifestServers, startForTest, startServersFor } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication, MANIFEST } from "../src/application.js";

describe(`${MANIFEST.name}'s API (src/api.ts)`, () => {
  let servers: ManifestServers | undefined;
  let service: RunningApplication<typeof MANIFEST> | undefined;
  beforeAll(async () => {
    // No operation calls a dependency yet: an address that refuses connections will do.
    const urls = Object.fromEntries(MANIFEST.dependencies.map((d) => [dependencyUrlVariable(d), "http://127.0.0.1:9"]));
    // Its backing services are real servers on loopback (PostgreSQL, Redis, RabbitMQ from Debian's packages).
    servers = await startServersFor(MANIFEST);
    // startForTest checks every answer against the contract too: one it does not declare is a 500.
    service = await startForTest(createApplication(), { variables: { ...urls, ...servers.variables } });
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await servers?.remove();
  });

  it("GIVEN the service WHEN /hello is called with a name THEN it answers with a greeting that names the service", async () => {
    const response = await fetch(`${service!.url}/hello?name=Ada`);
    expect([response.status, await response.json()]).toEqual([200, { message: `hello Ada, from ${MANIFEST.name}` }]);
  });

  it("GIVEN the service WHEN /hello is called with no name THEN it greets the world", async () => {
    const response = await fetch(`${service!.url}/hello`);
    expect([response.status, await response.json()]).toEqual([200, { message: `hello world, from ${MANIFEST.name}` }]);
  });

  it("GIVEN an empty name WHEN /hello is called THEN the contract refuses it with 400 naming the field and what is accepted", async () => {
    const response = await fetch(`${service!.url}/hello?name=`);
    const body = (await response.json()) as { error: string };
    expect(response.status).toBe(400);
    expect(body.error).toMatch(/^query\.name: got ""; accepted: /);
  });

  it("GIVEN the service WHEN its OpenAPI document is read THEN it declares GET /hello", async () => {
    const response = await fetch(`${service!.url}${OPENAPI_PATH}`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(response.status).toBe(200);
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.paths["/hello"]).toHaveProperty("get.operationId", "sayHello");
  });
});
