// Preloaded by the benchmark (`--import` through NODE_OPTIONS) into every node process
// of a measured command: at exit, each process appends "<pid> <peak RSS in KiB> <user
// CPU µs> <system CPU µs>" to the file named by BENCH_PEAK_RSS_FILE. Plain JavaScript, so it loads without a TypeScript
// loader (npx and the cdktf CLI run without one).
import { appendFileSync } from "node:fs";

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      const usage = process.resourceUsage();
      appendFileSync(file, `${process.pid} ${usage.maxRSS} ${usage.userCPUTime} ${usage.systemCPUTime}\n`);
    } catch {
      // A measurement without this process's figure beats a failing command.
    }
  });
}
