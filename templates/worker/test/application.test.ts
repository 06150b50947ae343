import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { dependencyUrlVariable, type RunningApplication } from "@platform/service-runtime";
import { startForTest } from "@platform/service-runtime/testing";
import { createApplication } from "../src/application.js";
import { MANIFEST } from "../src/manifest.js";

/** A job source speaking the protocol of src/jobs.ts, with `count` jobs to hand out. */
async function fakeJobSource(
  count: number,
): Promise<{ server: Server; url: string; finished: Array<{ id: string; outcome: string }> }> {
  const waiting = Array.from({ length: count }, (_, i) => ({ id: `job-${i + 1}`, payload: { n: i + 1 } }));
  const finished: Array<{ id: string; outcome: string }> = [];
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += String(chunk);
    const finish = /^\/jobs\/([^/]+)\/finish$/.exec(request.url ?? "");
    if (request.url === "/jobs/claim") {
      const job = waiting.shift();
      if (job) response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(job));
      else response.writeHead(204).end();
    } else if (finish) {
      finished.push({ id: decodeURIComponent(finish[1]!), outcome: (JSON.parse(body) as { outcome: string }).outcome });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    } else {
      response.writeHead(404).end();
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, finished };
}

describe(`${MANIFEST.name} worker`, () => {
  let service: RunningApplication | undefined;
  let source: Server | undefined;
  afterEach(async () => {
    await service?.stop();
    source?.close();
  });

  it("GIVEN a source with three jobs WHEN the worker runs THEN it finishes each one and counts them", async () => {
    const fake = await fakeJobSource(3);
    source = fake.server;
    const variables = Object.fromEntries(MANIFEST.dependencies.map((d) => [dependencyUrlVariable(d), fake.url]));
    service = await startForTest(createApplication(), { variables: { ...variables, WORKER_POLL_INTERVAL_MS: "20" } });
    while (fake.finished.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.finished).toEqual([
      { id: "job-1", outcome: "success" },
      { id: "job-2", outcome: "success" },
      { id: "job-3", outcome: "success" },
    ]);
    expect(await (await fetch(`${service.url}/metrics`)).text()).toContain('worker_jobs_total{outcome="success"} 3');
    expect(await service.stop()).toEqual({ clean: true });
  });
});
