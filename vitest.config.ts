import { readFileSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * What a test file contains when it starts processes: CLIs, synths, git, promtool, Prometheus,
 * terraform, a service's bundle, PostgreSQL, Redis, RabbitMQ.
 */
const STARTS_PROCESSES =
  /\b(runCli|copyRepository|spawn|spawnSync|execFile|execFileSync|promtool|startPrometheus|valuesThroughTerraform|startBundledService|startPostgres|startRedis|startRabbitmq)\b/;

/**
 * Files that start processes first, the rest after them. They are the slow ones (seconds
 * each, against milliseconds), and the two workers finish together only if the long files
 * do not come last. Vitest orders by the durations of the previous run when it has them
 * (kept in node_modules/.vite); a fresh clone has none, and its fallback, the largest file
 * first, put the slowest file (bench.test.ts, a short one) near the end.
 */
class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const startsProcesses = (file: TestSpecification) => STARTS_PROCESSES.test(readFileSync(file.moduleId, "utf8"));
    return [...sorted.filter(startsProcesses), ...sorted.filter((file) => !startsProcesses(file))];
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "templates/runtime/test/**/*.test.ts", "services/*/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/containers/**"],
    // The run's own temporary folder (TMPDIR), removed at its end: see test/global-setup.ts.
    globalSetup: ["test/global-setup.ts"],
    // A budget is the ceiling for a test that hangs, not a measure of speed: the tests wait on
    // events. At 30 s, one run at load average 15 (two suites and six other sessions on two
    // cores) lost a RabbitMQ restart in the middle of queue.test.ts (and the two tests after
    // it, which found the broker still down); the infra-diff and worktree tests came close.
    // A healthy run is not slower for it; a hung test reports later.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Threads: a worker thread starts cheaper than a forked process (about 5 s less CPU over
    // the suite in two A/B runs). The tests' own processes are real processes either way; no
    // test changes directory or sends itself a signal, which a thread could not.
    pool: "threads",
    // Vitest's default is one worker less than the cores: one worker on this 2-core machine,
    // although most slow files wait on the processes they start (synths, git, promtool) or on
    // Prometheus' scrapes. A third worker fills those waits (measured: 2 workers 92-95 s,
    // 3 workers 82 s, at load average 8; about 5 s more CPU for its own imports).
    maxWorkers: 3,
    // Each worker loads cdktf, the providers and zod once for all its files instead of once
    // per file (that import was a third of the suite's CPU time). Safe here: no test mocks
    // modules, and the tests that set an environment variable put its earlier value back.
    isolate: false,
    sequence: { sequencer: SlowFilesFirst },
  },
});
