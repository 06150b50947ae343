import { WorkerLoop, loadWorkerSettings, type Application } from "@platform/service-runtime";
import { httpJobSource, runJob } from "./jobs.js";
import { MANIFEST } from "./manifest.js";

/**
 * The worker: once the service is up, a loop takes jobs from {{jobSource}} and runs
 * them (src/jobs.ts); on shutdown it finishes the job in hand and takes no other. The
 * runtime around it (@platform/service-runtime) serves health, readiness and metrics.
 */
export function createApplication(): Application {
  let loop: WorkerLoop | undefined;
  return {
    manifest: MANIFEST,
    onStart(context) {
      loop = new WorkerLoop({
        source: httpJobSource(context.dependency("{{jobSource}}")),
        handler: runJob,
        log: context.log,
        registry: context.metrics.registry,
        settings: loadWorkerSettings(context.variables),
      });
      loop.start();
    },
    async onStop() {
      await loop?.stop();
    },
  };
}
