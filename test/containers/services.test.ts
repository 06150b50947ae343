import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { METRICS_CONTRACT } from "../../infra/monitoring/metrics-contract.js";
import type { BuiltImage } from "./support/image-build.js";
import type { StackResource } from "./support/local-stack.js";
import { httpGet, runContext, type RunContext } from "./support/run-context.js";
import { StackRunner, type HealthyReport, type RunnerContainer, type StopReport } from "./support/stack-runner.js";
import { LocalStack } from "./support/local-stack.js";

/**
 * Every service of the local stack, the examples and one generated from each template,
 * built with its own Dockerfile and run alone with exactly the settings its first
 * docker_container declares.
 */

const stackAtCollection = LocalStack.read(inject("containerTestOutdir"));
const generatedAtCollection = inject("containerTestGenerated");
const templateOf = new Map(generatedAtCollection.map((g) => [g.service, g.template]));
const services = stackAtCollection.services();

/** Figures reported at the end, per service. */
interface Figures {
  image?: BuiltImage;
  /** Seconds from the start request until the readiness path first answered 200 on 127.0.0.1. */
  secondsToReady?: number;
  healthy?: HealthyReport;
  stopped?: StopReport;
}
const figures = new Map<string, Figures>();

let context: RunContext;
let baseImageBytes = 0;
beforeAll(async () => {
  context = await runContext();
  baseImageBytes = (
    await context.engine.request<{ Size: number }>(
      "GET",
      `/images/${encodeURIComponent(inject("containerTestBaseImage"))}/json`,
    )
  ).Size;
});

afterAll(() => {
  const rows = [...figures.entries()].map(([service, f]) => ({
    service,
    origin: templateOf.has(service) ? `template ${templateOf.get(service)}` : "example",
    "image MB": f.image ? (f.image.sizeBytes / 1e6).toFixed(1) : "-",
    "over base MB": f.image ? ((f.image.sizeBytes - baseImageBytes) / 1e6).toFixed(2) : "-",
    "build s": f.image ? f.image.buildSeconds.toFixed(1) : "-",
    "to ready s": f.secondsToReady !== undefined ? f.secondsToReady.toFixed(1) : "-",
    "to healthy s": f.healthy ? f.healthy.secondsToHealthy.toFixed(1) : "-",
    "stop s": f.stopped ? f.stopped.seconds.toFixed(1) : "-",
    "exit code": f.stopped?.exitCode ?? "-",
  }));
  console.table(rows);
});

describe.each(generatedAtCollection)("template $template", ({ service, error }) => {
  it(`GIVEN the template WHEN npm run new:service makes ${service} from it in a copy of the repository THEN the local stack runs the new service`, () => {
    expect(error).toBeUndefined();
    expect(services).toContain(service);
  });
});

describe.each(services)("service %s", (service) => {
  let runner: StackRunner;
  let declared: StackResource;
  let container: RunnerContainer | undefined;
  const figure: Figures = {};
  figures.set(service, figure);

  beforeAll(() => {
    runner = new StackRunner(
      context.engine,
      context.stack,
      context.run,
      `svc-${service}`,
      context.images,
      context.standIns,
    );
    // Replica 1 stands for all: the replicas of a service differ only in name.
    declared = context.stack
      .serviceContainers(service)
      .sort((a, b) => String(a.values.name).localeCompare(String(b.values.name)))[0]!;
  });
  afterAll(async () => {
    await runner.removeAll();
  });

  it("GIVEN its Dockerfile and the local base image WHEN built as the stack's docker_image declares (once, in the run's setup) THEN the image builds", async () => {
    figure.image = await runner.imageOf(declared);
    expect(figure.image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("WHEN started with exactly its docker_container settings, after its backing services THEN Docker reports it healthy and it never restarted", async () => {
    expect(figure.image, "the image did not build").toBeDefined();
    const spec = context.catalogue.get(service);
    // Its runtime connects to its backing services (its own, and those it uses) at start:
    // they run first, as the stack declares them, and healthy, as the stack's depends_on waits.
    for (const data of context.stack.backingServiceContainersOf(declared)) {
      await runner.imageOf(data);
      const created = await runner.createContainer(data);
      const at = performance.now();
      await runner.start(created);
      await runner.waitUntilHealthy(created, at);
    }
    container = await runner.createContainer(declared, { port: spec.port });
    const started = performance.now();
    await runner.start(container);
    // Docker runs the first healthcheck one interval after the start; readiness through
    // the published port shows how fast the service itself comes up.
    const { hostPort } = await runner.publishedPort(container, spec.port);
    const ready = (async () => {
      while (performance.now() - started < 120_000) {
        const answer = await httpGet(`http://127.0.0.1:${hostPort}${spec.health.readiness}`, 1_000);
        if ("status" in answer && answer.status === 200) return (performance.now() - started) / 1000;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    })();
    figure.healthy = await runner.waitUntilHealthy(container, started);
    figure.secondsToReady = await ready;
    expect(figure.secondsToReady, `${spec.health.readiness} never answered 200 within 120s`).toBeDefined();
    expect((await runner.inspect(container)).RestartCount).toBe(0);
  });

  it("THEN the declared hardening holds inside it: user, read-only root, writable tmpfs, no capabilities, no new privileges, memory limit", async () => {
    expect(container, "the container did not start").toBeDefined();
    const body = container!.request.body;
    const host = body.HostConfig;
    // Read the service's own process (pid 1, or its first child when an init runs as pid 1),
    // not the probe's, and try to write where it may and may not.
    const probe = await runner.exec(container!, [
      "node",
      "-e",
      `const fs = require("node:fs");
       const children = (() => { try { return fs.readFileSync("/proc/1/task/1/children", "utf8").trim().split(" ").filter(Boolean); } catch { return []; } })();
       const status = fs.readFileSync("/proc/" + (children[0] || "1") + "/status", "utf8");
       const field = (name) => (new RegExp("^" + name + ":\\\\s*(.*)$", "m").exec(status) || [])[1];
       const tryWrite = (file) => { try { fs.writeFileSync(file, "x"); fs.unlinkSync(file); return "ok"; } catch (e) { return e.code; } };
       const read = (file) => { try { return fs.readFileSync(file, "utf8").trim(); } catch { return null; } };
       process.stdout.write(JSON.stringify({
         uid: field("Uid").split(/\\s+/)[0], gid: field("Gid").split(/\\s+/)[0],
         capEff: field("CapEff"), capBnd: field("CapBnd"), noNewPrivs: field("NoNewPrivs"),
         rootWrite: tryWrite("/.container-test"),
         tmpWrites: Object.keys(${JSON.stringify(host.Tmpfs ?? {})}).map((dir) => [dir, tryWrite(dir + "/.container-test")]),
         memoryLimit: read("/sys/fs/cgroup/memory.max") ?? read("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
       }));`,
    ]);
    expect(probe.exitCode, probe.stderr).toBe(0);
    const seen = JSON.parse(probe.stdout) as Record<string, any>;
    if (body.User) {
      const [uid, gid] = String(body.User).split(":");
      expect(seen.uid).toBe(uid);
      if (gid) expect(seen.gid).toBe(gid);
    }
    expect(seen.rootWrite).toBe(host.ReadonlyRootfs ? "EROFS" : "ok");
    for (const [dir, result] of seen.tmpWrites as Array<[string, string]>)
      expect(result, `writing to the tmpfs ${dir}`).toBe("ok");
    if ((host.CapDrop ?? []).includes("ALL") && (host.CapAdd ?? []).length === 0) {
      expect(seen.capEff).toBe("0000000000000000");
      expect(seen.capBnd).toBe("0000000000000000");
    }
    if ((host.SecurityOpt ?? []).some((o: string) => /^no-new-privileges(:true|=true)?$/.test(o)))
      expect(seen.noNewPrivs).toBe("1");
    if (host.Memory) expect(Number(seen.memoryLimit)).toBe(host.Memory);
  });

  it("THEN its liveness, readiness and metrics paths answer through a port published on 127.0.0.1", async () => {
    expect(container, "the container did not start").toBeDefined();
    const spec = context.catalogue.get(service);
    const { hostIp, hostPort } = await runner.publishedPort(container!, spec.port);
    expect(hostIp).toBe("127.0.0.1");
    const base = `http://127.0.0.1:${hostPort}`;
    expect(await httpGet(`${base}${spec.health.liveness}`)).toMatchObject({ status: 200 });
    expect(await httpGet(`${base}${spec.health.readiness}`)).toMatchObject({ status: 200 });
    const metrics = await httpGet(`${base}${spec.monitoring.metricsPath}`);
    expect(metrics).toMatchObject({ status: 200 });
    if ("body" in metrics) {
      expect(metrics.contentType).toMatch(/^text\/plain/);
      // The requests just made are counted under the names the alert rules and dashboards query.
      expect(metrics.body).toContain(`# TYPE ${METRICS_CONTRACT.requests.name} counter`);
      expect(metrics.body).toContain(`# TYPE ${METRICS_CONTRACT.duration.name} histogram`);
    }
  });

  it("WHEN sent its stop signal (docker stop with the declared grace period) THEN it exits 0 before SIGKILL", async () => {
    expect(container, "the container did not start").toBeDefined();
    figure.stopped = await runner.stop(container!);
    expect(figure.stopped.stopSignal).toBe("SIGTERM");
    expect(
      figure.stopped,
      `after ${figure.stopped.seconds.toFixed(1)}s of a ${figure.stopped.graceSeconds}s grace period:\n${await runner.describe(container!)}`,
    ).toMatchObject({ exitCode: 0, oomKilled: false });
  });
});
