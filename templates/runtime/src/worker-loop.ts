import { setTimeout as sleep } from "node:timers/promises";
import { Counter, Histogram, type Registry } from "prom-client";
import { METRICS_CONTRACT } from "../../../infra/monitoring/metrics-contract.js";
import { RUNTIME_VARIABLES } from "../../../infra/spec/runtime-defaults.js";
import { ConfigError, readInteger, type Variables } from "./config.js";
import type { QueueClient } from "./backing-services/queue-client.js";
import type { Logger } from "./logger.js";

/** A unit of work. */
export interface Job {
  readonly id: string;
  readonly payload: unknown;
}

/** How a job ended, as the `outcome` label of the job metrics. */
export type JobOutcome = "success" | "failure";

/** Where jobs come from, and where their outcome goes. */
export interface JobSource {
  /** The next job, or undefined when there is none now. */
  take(): Promise<Job | undefined>;
  /** Reports how a job ended, so the source can retry or forget it. */
  finish(job: Job, outcome: JobOutcome): Promise<void>;
}

/** Does one job; throwing marks it failed. */
export type JobHandler = (job: Job, log: Logger) => Promise<void>;

/** Settings of the loop, from the environment. */
export interface WorkerSettings {
  /** Wait after finding no job, or after the source failed. */
  readonly pollIntervalMs: number;
}

/** Reads WORKER_POLL_INTERVAL_MS (default 1000); throws a `ConfigError` when it is bad. */
export function loadWorkerSettings(variables: Variables): WorkerSettings {
  const problems: string[] = [];
  const pollIntervalMs = readInteger(
    variables,
    RUNTIME_VARIABLES.workerPollIntervalMs,
    1_000,
    { min: 1, max: 600_000 },
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return { pollIntervalMs };
}

/** Props of {@link WorkerLoop}. */
export interface WorkerLoopProps {
  readonly source: JobSource;
  readonly handler: JobHandler;
  readonly log: Logger;
  /** The service's metrics registry, which gets the job metrics of the contract. */
  readonly registry: Registry;
  readonly settings: WorkerSettings;
}

/** The job metrics of the contract (`worker_jobs_total`, `worker_job_duration_seconds`) in a registry. */
class JobMetrics {
  private readonly jobs: Counter<"outcome">;
  private readonly duration: Histogram<"outcome">;

  constructor(registry: Registry) {
    const { jobs, jobDuration } = METRICS_CONTRACT;
    this.jobs = new Counter({ name: jobs.name, help: jobs.help, labelNames: jobs.labels, registers: [registry] });
    this.duration = new Histogram({
      name: jobDuration.name,
      help: jobDuration.help,
      labelNames: jobDuration.labels,
      buckets: [...jobDuration.buckets],
      registers: [registry],
    });
  }

  /** Runs a job with the handler, counts and times it, logs its end; resolves with its outcome. */
  async run(job: Job, handler: JobHandler, parentLog: Logger): Promise<JobOutcome> {
    const log = parentLog.child({ jobId: job.id });
    const started = process.hrtime.bigint();
    let outcome: JobOutcome = "success";
    try {
      await handler(job, log);
    } catch (error) {
      outcome = "failure";
      log.error({ err: error }, "job failed");
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.jobs.inc({ outcome });
    this.duration.observe({ outcome }, seconds);
    log.info({ outcome, durationMs: Math.round(seconds * 1000) }, "job finished");
    return outcome;
  }
}

/**
 * Takes one job at a time from the source and runs it; a replica does one job at a
 * time, so the platform scales the work by adding replicas on CPU. Counts each job by
 * outcome, with its duration. On stop it takes no new job and waits for the one it runs.
 */
export class WorkerLoop {
  private readonly metrics: JobMetrics;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly props: WorkerLoopProps) {
    this.metrics = new JobMetrics(props.registry);
  }

  /** Starts taking jobs. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Takes no new job, and resolves once the job in progress has finished. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { source, log, settings } = this.props;
    while (!this.abort.signal.aborted) {
      let job: Job | undefined;
      try {
        job = await source.take();
      } catch (error) {
        log.warn({ err: error }, "taking a job failed; retrying after the poll interval");
      }
      if (job) await this.run(job);
      else await sleep(settings.pollIntervalMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  private async run(job: Job): Promise<void> {
    const log = this.props.log.child({ jobId: job.id });
    const outcome = await this.metrics.run(job, this.props.handler, this.props.log);
    try {
      await this.props.source.finish(job, outcome);
    } catch (error) {
      log.warn({ err: error, outcome }, "reporting the outcome failed; the source will hand the job out again");
    }
  }
}

/** Props of {@link QueueJobs}. */
export interface QueueJobsProps {
  /** The queue backing service, `context.resource(name)`. */
  readonly queue: QueueClient;
  /** The queue to take jobs from: one of the resource's declared queues. */
  readonly queueName: string;
  readonly handler: JobHandler;
  readonly log: Logger;
  /** The service's metrics registry, which gets the job metrics of the contract. */
  readonly registry: Registry;
}

/**
 * Runs each message of a queue as a job, one at a time, counted and timed like the
 * polling loop's jobs. A job that fails is rejected: the queue client delivers it once
 * more, then drops it (see `QueueClient.consumeJson`). The job's id is the message's
 * `messageId` (which `publishJson` sets), or its delivery tag.
 */
export class QueueJobs {
  private readonly metrics: JobMetrics;
  private started: Promise<void> | undefined;

  constructor(private readonly props: QueueJobsProps) {
    this.metrics = new JobMetrics(props.registry);
  }

  /** Subscribes to the queue: jobs start arriving. */
  start(): Promise<void> {
    this.started ??= this.props.queue.consumeJson(this.props.queueName, async (payload, message) => {
      const id = String(message.properties.messageId ?? `${this.props.queueName}-${message.fields.deliveryTag}`);
      const outcome = await this.metrics.run({ id, payload }, this.props.handler, this.props.log);
      if (outcome === "failure") throw new Error(`job ${id} failed`);
    });
    return this.started;
  }

  /** Takes no new job, and resolves once the job in progress has finished. */
  async stop(): Promise<void> {
    await this.props.queue.stopConsuming();
  }
}
