import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TickBatchedDestination } from "../src/log-destination.js";

const LOGGER_MODULE = fileURLToPath(new URL("../src/logger.ts", import.meta.url));

/** Runs `body` (ES module code with `createLogger` in scope) in a new node process, as a service's main would. */
function runWithLogger(body: string): { stdout: string; status: number | null } {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER_MODULE)};\nconst log = createLogger({ serviceName: "s", environment: "test", logLevel: "info" });\n${body}`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", script], {
    encoding: "utf8",
  });
  return { stdout: result.stdout, status: result.status };
}

function messagesOf(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe("TickBatchedDestination", () => {
  it("GIVEN three lines written in one turn of the event loop WHEN the turn ends THEN they reach the sink in one write, in order", async () => {
    const writes: string[] = [];
    const destination = new TickBatchedDestination({ write: (chunk: string) => writes.push(chunk) });
    destination.write("a\n");
    destination.write("b\n");
    destination.write("c\n");
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(["a\nb\nc\n"]);
    destination.write("d\n");
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(["a\nb\nc\n", "d\n"]);
  });

  it("GIVEN lines not written yet WHEN flushed (pino's logger.flush) THEN they are written at once, and the callback called", () => {
    const writes: string[] = [];
    const destination = new TickBatchedDestination({ write: (chunk: string) => writes.push(chunk) });
    destination.write("a\n");
    let called = false;
    destination.flush(() => {
      called = true;
    });
    expect(writes).toEqual(["a\n"]);
    expect(called).toBe(true);
  });

  it("GIVEN a service's logger on stdout WHEN the process calls process.exit in the turn it logged THEN no line is lost", () => {
    const { stdout, status } = runWithLogger(`log.info("one"); log.error("two"); process.exit(3);`);
    expect(status).toBe(3);
    expect(messagesOf(stdout)).toEqual(["one", "two"]);
  });

  it("GIVEN a service's logger on stdout WHEN an uncaught exception ends the process in the turn it logged THEN no line is lost", () => {
    const { stdout, status } = runWithLogger(`log.info("before the crash"); throw new Error("crash");`);
    expect(status).toBe(1);
    expect(messagesOf(stdout)).toEqual(["before the crash"]);
  });

  it("GIVEN a service's logger on stdout WHEN the event loop ends on its own THEN every line is written", () => {
    const { stdout, status } = runWithLogger(`for (let i = 0; i < 1000; i++) log.info("line " + i);`);
    expect(status).toBe(0);
    expect(messagesOf(stdout)).toEqual(Array.from({ length: 1000 }, (_, i) => `line ${i}`));
  });
});
