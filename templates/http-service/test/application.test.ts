import { dependencyUrlVariable, type RunningApplication } from "@platform/service-runtime";
import { startForTest } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "../src/application.js";
import { MANIFEST } from "../src/manifest.js";

describe(`${MANIFEST.name} routes`, () => {
  let service: RunningApplication;
  beforeAll(async () => {
    // No route calls a dependency yet: an address that refuses connections will do.
    const urls = Object.fromEntries(MANIFEST.dependencies.map((d) => [dependencyUrlVariable(d), "http://127.0.0.1:9"]));
    service = await startForTest(createApplication(), { variables: urls });
  });
  afterAll(() => service.stop());

  it("GIVEN the service WHEN /hello is called with a name THEN it answers with a greeting that names the service", async () => {
    const response = await fetch(`${service.url}/hello?name=Ada`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: `hello Ada, from ${MANIFEST.name}` });
  });
});
