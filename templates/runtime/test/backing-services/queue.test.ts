import { defineManifest, QueueJobs, type Application, type RunningApplication } from "@platform/service-runtime";
import { startForTest } from "@platform/service-runtime/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BackingServer, startRabbitmq } from "../../src/test-servers.js";

// A queue resource against a real broker (Debian's rabbitmq-server) on loopback.

const manifest = defineManifest({
  name: "mailer",
  port: 8080,
  dependencies: [],
  backingServices: { jobs: { type: "queue", queues: ["mail.send", "mail.bounce"] } },
  health: { liveness: "/healthz", readiness: "/readyz" },
  metricsPath: "/metrics",
});
const application: Application<typeof manifest> = { manifest };

let server: BackingServer;
const running: RunningApplication[] = [];

beforeAll(async () => {
  server = await startRabbitmq();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});
afterAll(async () => {
  await server?.remove();
});

async function start(): Promise<RunningApplication<typeof manifest>> {
  const service = await startForTest(application, { variables: { JOBS_URL: server.url } });
  running.push(service);
  return service;
}

async function readiness(service: RunningApplication): Promise<[number, unknown]> {
  const response = await fetch(`${service.url}/readyz`);
  return [response.status, await response.json()];
}

/** Resolves with the next `count` bodies `consume` hands to the handler it is given. */
function received(count: number): {
  bodies: unknown[];
  done: Promise<unknown[]>;
  handler: (body: unknown) => Promise<void>;
} {
  const bodies: unknown[] = [];
  let resolve: (bodies: unknown[]) => void = () => undefined;
  const done = new Promise<unknown[]>((r) => (resolve = r));
  return {
    bodies,
    done,
    async handler(body) {
      bodies.push(body);
      if (bodies.length === count) resolve(bodies);
    },
  };
}

describe("a queue resource", () => {
  it("GIVEN a broker WHEN a message is published THEN a consumer receives its JSON body, and the declared queues are durable quorum queues", async () => {
    const service = await start();
    const jobs = service.context.resource("jobs");
    const consumer = received(1);
    await jobs.consumeJson("mail.send", consumer.handler);
    await jobs.publishJson("mail.send", { to: "a@example.com" });
    expect(await consumer.done).toEqual([{ to: "a@example.com" }]);
    // Asserting a declared queue as not durable fails: the runtime declared it durable.
    const probe = await start();
    await expect(probe.context.resource("jobs").channel.assertQueue("mail.bounce", { durable: false })).rejects.toThrow(
      /PRECONDITION_FAILED - inequivalent arg 'durable'/,
    );
    // Asserting it as a classic queue fails too: the runtime declared it a quorum queue.
    const classic = await start();
    await expect(
      classic.context.resource("jobs").channel.assertQueue("mail.bounce", {
        durable: true,
        arguments: { "x-queue-type": "classic" },
      }),
    ).rejects.toThrow(/PRECONDITION_FAILED - inequivalent arg 'x-queue-type'/);
    expect(await readiness(service)).toEqual([200, { status: "ready" }]);
  });

  it("GIVEN a handler that fails WHEN a message arrives THEN it is delivered once more, then dropped", async () => {
    const service = await start();
    const jobs = service.context.resource("jobs");
    const attempts: unknown[] = [];
    let second: () => void = () => undefined;
    const failedTwice = new Promise<void>((resolve) => (second = resolve));
    await jobs.consumeJson("mail.bounce", async (body) => {
      attempts.push(body);
      if (attempts.length === 2) setImmediate(second);
      throw new Error("cannot send");
    });
    await jobs.publishJson("mail.bounce", { n: 1 });
    await failedTwice;
    await running.pop()!.stop();
    const after = await start();
    expect((await after.context.resource("jobs").channel.checkQueue("mail.bounce")).messageCount).toBe(0);
    expect(attempts).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it("GIVEN a queue not in the manifest WHEN published to THEN the error lists the declared queues", async () => {
    const service = await start();
    await expect(service.context.resource("jobs").publishJson("mail.sned", {})).rejects.toThrow(
      'jobs: queue "mail.sned" is not in backingServices.jobs.queues of service.ts; declared: mail.send, mail.bounce',
    );
  });

  it("GIVEN a channel the broker closes after a channel error WHEN the connection lives THEN a new channel is set up and consumes again", async () => {
    const service = await start();
    const jobs = service.context.resource("jobs");
    const consumer = received(1);
    await jobs.consumeJson("mail.send", consumer.handler);
    const broken = jobs.channel;
    const closed = new Promise((resolve) => broken.once("close", resolve));
    // Checking a queue that does not exist is a channel error: the broker closes the channel.
    await expect(broken.checkQueue("no-such-queue")).rejects.toThrow(/NOT_FOUND/);
    await closed;
    while ((await readiness(service))[0] !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(jobs.channel).not.toBe(broken);
    await jobs.publishJson("mail.send", { after: "channel error" });
    expect(await consumer.done).toEqual([{ after: "channel error" }]);
  });

  it("GIVEN a running consumer WHEN the broker stops THEN readiness names the resource, and WHEN it is back THEN it is ready and consumes again", async () => {
    const service = await start();
    const jobs = service.context.resource("jobs");
    const consumer = received(1);
    await jobs.consumeJson("mail.send", consumer.handler);
    await server.stop();
    try {
      expect(await readiness(service)).toEqual([503, { status: "backing-service-down", down: ["jobs"] }]);
      await expect(jobs.publishJson("mail.send", {})).rejects.toThrow(
        "jobs: the queue connection is down; reconnecting",
      );
    } finally {
      await server.start();
    }
    // amqplib reconnects on its own schedule (at most 2 s apart): wait for it.
    while ((await readiness(service))[0] !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    await jobs.publishJson("mail.send", { after: "restart" });
    expect(await consumer.done).toEqual([{ after: "restart" }]);
  });
});

describe("jobs from a queue (QueueJobs)", () => {
  it("GIVEN jobs on the queue, one of which always fails WHEN consumed as jobs THEN each runs with the message's id, the good ones count as successes, the bad one fails twice (delivered once more) and is dropped", async () => {
    const service = await start();
    const jobs = service.context.resource("jobs");
    const seen: Array<{ id: string; payload: unknown }> = [];
    let settle: () => void = () => undefined;
    const allRun = new Promise<void>((resolve) => (settle = resolve));
    const worker = new QueueJobs({
      queue: jobs,
      queueName: "mail.send",
      log: service.context.log,
      registry: service.context.metrics.registry,
      async handler(job) {
        seen.push(job);
        // Two good jobs, and the bad one delivered twice.
        if (seen.length === 4) settle();
        if ((job.payload as { to: string }).to === "bad") throw new Error("cannot send");
      },
    });
    await worker.start();
    for (const to of ["a@example.com", "bad", "b@example.com"]) await jobs.publishJson("mail.send", { to });
    await allRun;
    await worker.stop();
    expect(seen.map((job) => (job.payload as { to: string }).to).sort()).toEqual([
      "a@example.com",
      "b@example.com",
      "bad",
      "bad",
    ]);
    expect(seen.every((job) => /^[0-9a-f-]{36}$/.test(job.id))).toBe(true);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('worker_jobs_total{outcome="success"} 2');
    expect(metrics).toContain('worker_jobs_total{outcome="failure"} 2');
  });
});

describe("stopping a consumer while it handles a message", () => {
  it("GIVEN a job in hand WHEN the consumer is stopped before it finishes THEN it finishes, is acknowledged and is not delivered again", async () => {
    const service = await start();
    const jobs = service.context.resource("jobs");
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const inHand = new Promise<void>((resolve) => (started = resolve));
    let runs = 0;
    await jobs.consumeJson("mail.bounce", async () => {
      runs++;
      started();
      await gate;
    });
    await jobs.publishJson("mail.bounce", { to: "c@example.com" });
    await inHand;
    const stopping = jobs.stopConsuming();
    release();
    await stopping;
    // Another replica's view of the queue: nothing is left on it to run again.
    const probe = await start();
    const { messageCount } = await probe.context.resource("jobs").channel.checkQueue("mail.bounce");
    expect([runs, messageCount]).toEqual([1, 0]);
  });
});
