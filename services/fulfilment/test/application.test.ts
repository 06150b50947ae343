import type { RunningApplication } from "@platform/service-runtime";
import { type ManifestServers, startForTest, startServersFor } from "@platform/service-runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication, JOB_QUEUE, MANIFEST } from "../src/application.js";

describe("fulfilment, on a real RabbitMQ", () => {
  const logs: Array<Record<string, unknown>> = [];
  let servers: ManifestServers | undefined;
  let service: RunningApplication<typeof MANIFEST> | undefined;
  beforeAll(async () => {
    servers = await startServersFor(MANIFEST);
    service = await startForTest(createApplication(), { variables: servers.variables, logs });
  });
  afterAll(async () => {
    await service?.stop();
    await servers?.remove();
  });

  const metric = async (outcome: string) =>
    new RegExp(`worker_jobs_total\\{outcome="${outcome}"\\} (\\d+)`).exec(
      await (await fetch(`${service!.url}/metrics`)).text(),
    )?.[1];

  it("GIVEN two order-placed jobs and one that is not WHEN published to its queue THEN it prepares both orders, and the bad job fails twice (delivered once more) before it is dropped", async () => {
    const queue = service!.context.resource("queue");
    await queue.publishJson(JOB_QUEUE, { type: "order-placed", orderId: "o-1", productId: "cup", quantity: 2 });
    await queue.publishJson(JOB_QUEUE, { type: "refund", orderId: "o-0" });
    await queue.publishJson(JOB_QUEUE, { type: "order-placed", orderId: "o-2", productId: "beans", quantity: 1 });
    while ((await metric("success")) !== "2" || (await metric("failure")) !== "2")
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logs.filter((line) => line.msg === "order ready for shipping").map((line) => line.orderId)).toEqual([
      "o-1",
      "o-2",
    ]);
  });
});
