import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchReport, Measurement } from "../../tools/bench/report.js";
import { temporaryFolder } from "../../tools/bench/workspace.js";
import { ROOT, runCli } from "../support/cli.js";

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

const NOT_AVAILABLE = /^not available \(.+\)$/;
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/** Every figure of a measurement: its wall time, CPU time and peak RSS, median, min and max. */
function figuresOf(measurement: Measurement): unknown[] {
  return [measurement.wallMs, measurement.cpuMs, measurement.peakRssMiB].flatMap((spread) => [
    spread.median,
    spread.min,
    spread.max,
  ]);
}

describe("npm run bench", () => {
  it("GIVEN tiny sizes, one run and cdktf, http and the tests skipped WHEN run THEN it prints the table and writes JSON with every figure a number or 'not available (why)'", async () => {
    const out = temporaryFolder("bench-cli-test-");
    cleanup.push(out);
    const servicesBefore = readdirSync(path.join(ROOT, "services")).sort();
    const run = await runCli(
      "tools/bench.ts",
      [
        "--runs",
        "1",
        "--warmup",
        "0",
        "--sizes",
        "2,1",
        "--skip",
        "cdktf,http,tests",
        "--json",
        path.join(out, "bench.json"),
        "--markdown",
        path.join(out, "bench.md"),
      ],
      { timeoutMs: 280_000 },
    );
    expect(run.stderr).toContain("bench [1/");
    expect(run.stderr).toContain("synth, example catalogue: run 1/1:");
    expect(run.stdout).toContain(
      "| measurement | runs | wall time, median (min–max) | CPU time, median (min–max) | peak RSS, median (min–max) |",
    );
    expect(run.status).toBe(0);
    expect(readFileSync(path.join(out, "bench.md"), "utf8")).toBe(run.stdout);

    const report = JSON.parse(readFileSync(path.join(out, "bench.json"), "utf8")) as BenchReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.settings).toMatchObject({
      runs: 1,
      warmup: 0,
      sizes: [1, 2],
      infraDiffServices: 2,
      skipped: ["cdktf", "http", "tests"],
    });
    expect(report.machine.loadAverageAtStart).toHaveLength(3);
    const measurements = [
      report.exampleSynth,
      report.cdktfSynth,
      ...report.catalogues,
      report.dataCatalogue,
      report.infraDiff,
      report.newService,
      report.npmTest,
    ];
    const figures = [
      ...measurements.flatMap(figuresOf),
      report.cdktfRatio,
      ...report.catalogues.flatMap((c) => [c.msPerService, c.cpuMsPerService]),
      ...[report.linearity, report.cpuLinearity].flatMap((l) => [
        l.slopeMsPerService,
        l.interceptMs,
        l.rSquared,
        l.marginalRatio,
        ...l.marginal.map((m) => m.msPerService),
      ]),
      report.infraDiff.onTopOfTwoSynthsMs,
      report.infraDiff.cpuOnTopOfTwoSynthsMs,
      report.infraDiff.ownSynthPhaseMs,
      report.infraDiff.onTopOfOwnSynthPhaseMs,
      ...report.targets.map((t) => t.measured),
    ];
    for (const figure of figures) {
      if (typeof figure !== "number") expect(figure).toMatch(NOT_AVAILABLE);
    }

    // What ran has numbers; what was skipped or is missing says so.
    expect(figuresOf(report.exampleSynth).every((f) => typeof f === "number" && f > 0)).toBe(true);
    expect(report.catalogues.map((c) => c.services)).toEqual([1, 2]);
    expect(report.catalogues.flatMap(figuresOf).every((f) => typeof f === "number" && f > 0)).toBe(true);
    // The catalogue with a database per service is of the largest size, and it synthesized.
    expect(report.dataCatalogue.services).toBe(2);
    expect(figuresOf(report.dataCatalogue).every((f) => typeof f === "number" && f > 0)).toBe(true);
    expect(run.stdout).toContain("| synth, 2 synthetic services, each with a database | 1 |");
    expect(typeof report.linearity.slopeMsPerService).toBe("number");
    expect(report.linearity.marginalRatio).toBe("not available (needs three sizes or more)");
    expect(typeof report.cpuLinearity.slopeMsPerService).toBe("number");
    expect(figuresOf(report.cdktfSynth)).toEqual(Array(9).fill("not available (skipped)"));
    expect(report.cdktfRatio).toBe("not available (skipped)");
    expect(figuresOf(report.npmTest)).toEqual(Array(9).fill("not available (skipped)"));
    expect(report.http.servers.map((server) => server.requestsPerSecond)).toEqual(
      Array(5).fill("not available (skipped)"),
    );
    expect(report.targets.find((t) => t.name.startsWith("synth, 500 services, median wall"))?.met).toBe(
      "not available",
    );
    if (scripts["infra:diff"]) expect(typeof report.infraDiff.wallMs.median).toBe("number");
    else
      expect(report.infraDiff.wallMs.median).toBe("not available (tool missing: no infra:diff script in package.json)");
    if (scripts["new:service"]) expect(typeof report.newService.wallMs.median).toBe("number");
    else
      expect(report.newService.wallMs.median).toBe(
        "not available (tool missing: no new:service script in package.json)",
      );
    expect(report.failures).toEqual([]);

    // It worked in temporary copies: this repository's services are as they were.
    expect(readdirSync(path.join(ROOT, "services")).sort()).toEqual(servicesBefore);
    expect(existsSync(path.join(ROOT, "services", "bench-probe"))).toBe(false);
  }, 300_000);

  it("GIVEN only the http part, one round of one second WHEN run THEN it reports requests/s, ratios, latency and RSS of the five servers, and the cost of tracing, with no failed request", async () => {
    const out = temporaryFolder("bench-http-test-");
    cleanup.push(out);
    const run = await runCli(
      "tools/bench.ts",
      [
        "--runs",
        "1",
        "--http-seconds",
        "1",
        "--skip",
        "synth,cdktf,catalogue,data-catalogue,infra-diff,new-service,tests",
        "--json",
        path.join(out, "bench.json"),
      ],
      { timeoutMs: 280_000 },
    );
    expect(run.stderr).toContain("bench [1/1] http: round 1/1, service-default:");
    expect(run.status).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, "bench.json"), "utf8")) as BenchReport;
    expect(report.http.servers.map((s) => [s.server, s.rounds, s.failedRequests])).toEqual([
      ["bare", 1, 0],
      ["service-warn", 1, 0],
      ["service-default", 1, 0],
      ["service-traced", 1, 0],
      ["service-traced-production", 1, 0],
    ]);
    for (const server of report.http.servers)
      for (const figure of [
        server.requestsPerSecond,
        server.latencyP50Ms,
        server.latencyP99Ms,
        server.cpuMicrosPerRequest,
        server.cpuRatioToBare,
        server.peakRssMiB,
      ])
        expect(typeof figure).toBe("number");
    expect(report.http.servers[0]!.ratioToBare).toBe(1);
    const warn = report.http.servers[1]!;
    expect(warn.ratioToBare).toBeCloseTo(
      (warn.requestsPerSecond as number) / (report.http.servers[0]!.requestsPerSecond as number),
    );
    expect(report.targets.filter((t) => t.name.startsWith("HTTP requests/s")).map((t) => typeof t.measured)).toEqual([
      "number",
      "number",
    ]);
    const traced = report.http.servers[3]!;
    expect(report.targets.find((t) => t.name.startsWith("tracing cost"))?.measured).toBeCloseTo(
      (traced.requestsPerSecond as number) / (warn.requestsPerSecond as number),
    );
    expect(run.stdout).toContain(
      "| server | rounds | requests/s | ratio to bare | p50 latency | p99 latency | server CPU per request | ratio to bare by CPU per request | peak RSS | failed requests |",
    );
    expect(report.failures).toEqual([]);
  }, 300_000);

  it("GIVEN an unknown step to skip or a bad size WHEN run THEN it exits 2 naming the option, the value and what is accepted", async () => {
    const skip = await runCli("tools/bench.ts", ["--skip", "cdktf,lint"]);
    expect(skip.stderr).toContain(
      'bench: --skip: "lint" is not accepted; accepted: synth, cdktf, catalogue, data-catalogue, infra-diff, new-service, http, tests',
    );
    expect(skip.status).toBe(2);
    const sizes = await runCli("tools/bench.ts", ["--sizes", "10,ten"]);
    expect(sizes.stderr).toContain('bench: --sizes: "ten" is not accepted; accepted: a whole number from 1 to 9999');
    expect(sizes.status).toBe(2);
    const unknown = await runCli("tools/bench.ts", ["--fast"]);
    expect(unknown.stderr).toContain("bench: Unknown option '--fast'");
    expect(unknown.status).toBe(2);
  });

  it("GIVEN --help WHEN asked THEN it prints its usage and exits 0", async () => {
    const run = await runCli("tools/bench.ts", ["--help"]);
    expect(run.stdout).toContain("Usage: npm run bench -- [options]");
    expect(run.stdout).toContain("--skip <a,b,...>");
    expect(run.status).toBe(0);
  });
});
