import type { Job, Logger } from "@platform/service-runtime";

/**
 * What one job does: its payload is the JSON another service published to this worker's
 * queue (`context.resource("{{name}}.queue").publishJson("jobs", payload)` in a service
 * whose service.ts has `uses: ["{{name}}.queue"]`). Throwing marks the job failed: it is
 * delivered once more, then dropped.
 */
export async function runJob(job: Job, log: Logger): Promise<void> {
  log.info({ payload: job.payload }, "working on the job");
}
