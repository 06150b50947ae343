import { defineConfig } from "vitest/config";

/**
 * `npm run test:containers`: the services built and run on a real Docker Engine. Kept
 * apart from `npm test`, which needs no engine. One file at a time: the files share the
 * engine and two cores, and each starts several containers.
 */
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/containers/**/*.test.ts"],
    globalSetup: ["test/containers/global-setup.ts"],
    fileParallelism: false,
    pool: "forks",
    // A test may build an image (npm ci inside) or wait out a healthcheck.
    testTimeout: 20 * 60_000,
    hookTimeout: 30 * 60_000,
    teardownTimeout: 5 * 60_000,
  },
});
