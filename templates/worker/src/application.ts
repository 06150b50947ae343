import { QueueJobs, type Application, manifestOf } from "@platform/service-runtime";
import { runJob } from "./jobs.js";
import spec from "../service.js";

/** What the code knows of its spec, derived from service.ts. */
export const MANIFEST = manifestOf(spec);

/** The queue of its own resource "queue" that jobs arrive on. */
export const JOB_QUEUE = "jobs";

/**
 * The worker: once the service is up, it takes jobs from its own queue one at a time and
 * runs them (src/jobs.ts); on shutdown it finishes the job in hand and takes no other.
 * The runtime around it (@platform/service-runtime) serves health, readiness (false while
 * the queue is down) and metrics.
 */
export function createApplication(): Application<typeof MANIFEST> {
  let jobs: QueueJobs | undefined;
  return {
    manifest: MANIFEST,
    async onStart(context) {
      jobs = new QueueJobs({
        queue: context.resource("queue"),
        queueName: JOB_QUEUE,
        handler: runJob,
        log: context.log,
        registry: context.metrics.registry,
      });
      await jobs.start();
    },
    async onStop() {
      await jobs?.stop();
    },
  };
}
