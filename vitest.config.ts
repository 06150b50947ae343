import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "templates/runtime/test/**/*.test.ts", "services/*/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/containers/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker less than the cores: one worker on this 2-core machine,
    // although most slow files wait on the processes they start (synths, git, promtool).
    maxWorkers: 2,
    // Each worker loads cdktf, the providers and zod once for all its files instead of once
    // per file (that import was a third of the suite's CPU time). Safe here: no test mocks
    // modules, and the one that sets an environment variable restores it.
    isolate: false,
  },
});
