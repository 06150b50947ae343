import {
  ConfigError,
  WorkerLoop,
  createLogger,
  loadWorkerSettings,
  type Job,
  type JobOutcome,
  type JobSource,
} from "@platform/service-runtime";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";

const log = createLogger({ serviceName: "test", environment: "test", logLevel: "silent" });

/** A source that hands out `jobs` once each and records the outcomes. */
function memorySource(
  jobs: Job[],
  failTakes = 0,
): JobSource & { outcomes: Array<[string, JobOutcome]>; takes: number } {
  const queue = [...jobs];
  const source = {
    outcomes: [] as Array<[string, JobOutcome]>,
    takes: 0,
    async take() {
      source.takes++;
      if (source.takes <= failTakes) throw new Error("source down");
      return queue.shift();
    },
    async finish(job: Job, outcome: JobOutcome) {
      source.outcomes.push([job.id, outcome]);
    },
  };
  return source;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("WorkerLoop", () => {
  it("GIVEN a job that throws WHEN run THEN it is reported failed and counted by outcome", async () => {
    const registry = new Registry();
    const source = memorySource([
      { id: "a", payload: 1 },
      { id: "b", payload: 2 },
    ]);
    const loop = new WorkerLoop({
      source,
      log,
      registry,
      settings: { pollIntervalMs: 5 },
      handler: async (job) => {
        if (job.id === "b") throw new Error("bad payload");
      },
    });
    loop.start();
    await until(() => source.outcomes.length === 2);
    await loop.stop();
    expect(source.outcomes).toEqual([
      ["a", "success"],
      ["b", "failure"],
    ]);
    const metrics = await registry.metrics();
    expect(metrics).toContain('worker_jobs_total{outcome="success"} 1');
    expect(metrics).toContain('worker_jobs_total{outcome="failure"} 1');
    expect(metrics).toContain('worker_job_duration_seconds_count{outcome="failure"} 1');
  });

  it("GIVEN a source that fails at first WHEN the loop runs THEN it retries and then takes the job", async () => {
    const source = memorySource([{ id: "a", payload: 1 }], 2);
    const loop = new WorkerLoop({
      source,
      log,
      registry: new Registry(),
      settings: { pollIntervalMs: 5 },
      handler: async () => undefined,
    });
    loop.start();
    await until(() => source.outcomes.length === 1);
    await loop.stop();
    expect(source.takes).toBeGreaterThanOrEqual(3);
    expect(source.outcomes).toEqual([["a", "success"]]);
  });

  it("GIVEN a job in progress WHEN the loop stops THEN the job finishes and no other is taken", async () => {
    let release: () => void = () => undefined;
    const source = memorySource([
      { id: "a", payload: 1 },
      { id: "b", payload: 2 },
    ]);
    const loop = new WorkerLoop({
      source,
      log,
      registry: new Registry(),
      settings: { pollIntervalMs: 5 },
      handler: () => new Promise<void>((resolve) => (release = resolve)),
    });
    loop.start();
    await until(() => source.takes === 1);
    const stopped = loop.stop();
    release();
    await stopped;
    expect(source.outcomes).toEqual([["a", "success"]]);
    expect(source.takes).toBe(1);
  });

  it("GIVEN a bad poll interval WHEN the settings are read THEN the variable, value and range are named", () => {
    expect(() => loadWorkerSettings({ WORKER_POLL_INTERVAL_MS: "soon" })).toThrow(ConfigError);
    expect(() => loadWorkerSettings({ WORKER_POLL_INTERVAL_MS: "soon" })).toThrow(
      'WORKER_POLL_INTERVAL_MS: must be a whole number from 1 to 600000 (got "soon")',
    );
    expect(loadWorkerSettings({})).toEqual({ pollIntervalMs: 1000 });
  });
});
