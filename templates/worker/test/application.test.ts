import { dependencyUrlVariable, type RunningApplication } from "@platform/service-runtime";
import { type ManifestServers, startForTest, startServersFor } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication, JOB_QUEUE, MANIFEST } from "../src/application.js";

describe(`${MANIFEST.name} worker`, () => {
  let servers: ManifestServers | undefined;
  let service: RunningApplication<typeof MANIFEST> | undefined;
  beforeAll(async () => {
    // Its queue, and any other backing service, is a real server on loopback (Debian's packages).
    servers = await startServersFor(MANIFEST);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await servers?.remove();
  });

  it("GIVEN three jobs published to its queue WHEN the worker runs THEN it runs each one and counts them", async () => {
    // No job calls a dependency yet: an address that refuses connections will do.
    const urls = Object.fromEntries(MANIFEST.dependencies.map((d) => [dependencyUrlVariable(d), "http://127.0.0.1:9"]));
    service = await startForTest(createApplication(), { variables: { ...urls, ...servers!.variables } });
    const queue = service.context.resource("queue");
    for (const n of [1, 2, 3]) await queue.publishJson(JOB_QUEUE, { n });
    const succeeded = async () =>
      /worker_jobs_total\{outcome="success"\} 3\b/.test(await (await fetch(`${service!.url}/metrics`)).text());
    while (!(await succeeded())) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await service.stop()).toEqual({ clean: true });
  });
});
