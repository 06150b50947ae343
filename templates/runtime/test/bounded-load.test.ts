import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BoundedLoad, latencyMs, percentile, summarize, type LoadSample } from "../src/bounded-load.js";

/**
 * A server on 127.0.0.1 with a route that answers, one that refuses with Retry-After, one that
 * never answers, and one that answers when the test releases it (`heldAnswers`).
 */
let server: http.Server;
let base: string;
const heldAnswers: Array<() => void> = [];
beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === "/ok") response.end("fine");
    else if (request.url === "/held") heldAnswers.push(() => response.end("late"));
    else if (request.url === "/busy") response.writeHead(503, { "retry-after": "1" }).end('{"error":"busy"}');
    // /hang: never answers.
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sample = (ms: number, status: number): LoadSample => ({
  route: "r",
  startedAt: 1_000,
  endedAt: 1_000 + ms,
  status,
  body: "",
  retryAfter: null,
});

describe("percentile and summarize", () => {
  it("GIVEN 100 latencies 1..100 ms WHEN summed up THEN p50 is 50, p99 is 99 (nearest rank) and the error rate counts non-2xx and no answer", () => {
    const samples = Array.from({ length: 100 }, (_, i) => sample(i + 1, i < 90 ? 200 : i < 95 ? 502 : 0));
    expect(summarize(samples)).toEqual({ requests: 100, errorRate: 0.1, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 99)).toBeNaN();
  });
});

describe("BoundedLoad", () => {
  it("GIVEN a route that answers, one that refuses and one that hangs WHEN loaded THEN each answer is kept with its status and Retry-After, and a hang is recorded as no answer after the answer timeout", async () => {
    const load = BoundedLoad.start(
      ["ok", "busy", "hang"].map((name) => ({ name, connections: 1, request: () => ({ url: `${base}/${name}` }) })),
      { ratePerConnection: 50, maxRequests: 1_000, answerTimeoutMs: 300 },
    );
    await load.waitFor("answers of every route", 10_000, (samples) =>
      ["ok", "busy", "hang"].every((route) => samples.filter((s) => s.route === route).length >= 2),
    );
    await load.stop();
    expect(load.running).toBe(false);
    expect(load.of("ok").filter((s) => s.status !== 200 || s.body !== "fine")).toEqual([]);
    expect(load.of("busy").every((s) => s.status === 503 && s.retryAfter === "1")).toBe(true);
    for (const hang of load.of("hang")) {
      expect(hang).toMatchObject({ status: 0, body: "no answer: abandoned after 300 ms" });
      // Node's timers count whole milliseconds of the event loop's cached clock, which can lag
      // performance.now() by under a millisecond: seen here as 299.84 ms for a 300 ms timeout.
      expect(latencyMs(hang)).toBeGreaterThanOrEqual(299);
    }
  });

  it("GIVEN a cap of 4 requests WHEN the load reaches it THEN it stops by itself and a wait for more fails naming what it waited for", async () => {
    const load = BoundedLoad.start([{ name: "ok", connections: 2, request: () => ({ url: `${base}/ok` }) }], {
      ratePerConnection: 100,
      maxRequests: 4,
      answerTimeoutMs: 1_000,
    });
    await expect(load.waitFor("10 answers", 10_000, (samples) => samples.length >= 10)).rejects.toThrow(
      "the load ended (after 4 requests) before 10 answers; so far:\n  ok: 4 answers (200 x4); last: 200 fine",
    );
    await load.stop();
    expect(load.samples).toHaveLength(4);
  });

  it("GIVEN a cap of 1 request whose answer is late WHEN a wait for that answer starts before it comes THEN the wait ends with the answer, not with the load's end", async () => {
    const load = BoundedLoad.start([{ name: "held", connections: 1, request: () => ({ url: `${base}/held` }) }], {
      ratePerConnection: 100,
      maxRequests: 1,
      answerTimeoutMs: 10_000,
    });
    // The one request is sent (the cap is reached) and not answered yet.
    await expect.poll(() => heldAnswers.length).toBe(1);
    expect(load.running).toBe(false);
    const waited = load.waitFor("1 answer", 10_000, (samples) => samples.length >= 1);
    heldAnswers.shift()!();
    await expect(waited).resolves.toBeTypeOf("number");
    expect(load.samples.map((s) => [s.status, s.body])).toEqual([[200, "late"]]);
    await load.stop();
  });

  it("GIVEN a condition that never holds WHEN the budget passes THEN the wait fails naming it and the budget", async () => {
    const load = BoundedLoad.start([{ name: "ok", connections: 1, request: () => ({ url: `${base}/ok` }) }], {
      ratePerConnection: 20,
      maxRequests: 1_000,
      answerTimeoutMs: 1_000,
    });
    await expect(load.waitFor("a 500", 200, (samples) => samples.some((s) => s.status === 500))).rejects.toThrow(
      "a 500: not within 0.2s",
    );
    await load.stop();
  });
});
