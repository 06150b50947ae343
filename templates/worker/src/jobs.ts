import type { DependencyClient, Job, JobSource, Logger } from "@platform/service-runtime";

/**
 * Where the jobs come from: {{jobSource}}, over a small HTTP protocol. Replace it with
 * the protocol of your queue:
 * - `POST /jobs/claim` answers 200 with `{ id, payload }`, or 204 when there is no job;
 * - `POST /jobs/<id>/finish` with `{ outcome: "success" | "failure" }`.
 */
export function httpJobSource(client: DependencyClient): JobSource {
  return {
    async take() {
      const response = await client.request<Job>("POST", "/jobs/claim");
      if (response.status === 204) return undefined;
      if (!response.ok) throw new Error(`${client.name} answered ${response.status} to POST /jobs/claim`);
      return response.body;
    },
    async finish(job, outcome) {
      await client.postJson(`/jobs/${encodeURIComponent(job.id)}/finish`, { outcome });
    },
  };
}

/** What one job does. Throwing marks the job failed. */
export async function runJob(job: Job, log: Logger): Promise<void> {
  log.info({ payload: job.payload }, "working on the job");
}
