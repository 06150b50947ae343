import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli } from "../support/cli.js";
import { DEAD_PID, startIdleProcess, type IdleProcess } from "../support/processes.js";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";

const NEW_SERVICE = "tools/new-service.ts";

/** What a new:service killed while staging leaves: its staging folder, with a half-written service.ts. */
function stagingFolderOf(repository: RepositoryCopy, name: string, pid: number): string {
  const folder = path.join(repository.dir, "services", `.new-${name}-${pid}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, "service.ts"),
    `import { defineService } from "../../infra/spec/index.js";\n\nexport default defineService({\n  name: "${name}",\n  port: 80`,
  );
  return folder;
}

const env = { ...process.env, CI: "true", NO_COLOR: "1" };
const newService = (repository: RepositoryCopy, args: readonly string[]) =>
  startCli(NEW_SERVICE, [...args, "--no-install"], { cwd: repository.dir, env });

describe("npm run new:service stopped half way", () => {
  let repository: RepositoryCopy;
  let running: IdleProcess;
  beforeAll(() => {
    repository = copyRepository();
    running = startIdleProcess();
  });
  afterAll(async () => {
    await running.stop();
    repository.remove();
  });

  it("GIVEN the half-written staging folder of a killed new:service WHEN synthesized THEN the synth leaves it out and succeeds", async () => {
    stagingFolderOf(repository, "billing", DEAD_PID);
    const synth = await repository.nodeAsync("tools/run-app.mjs");
    // The four examples, without billing.
    expect(synth.stderr).toMatch(/^synthesized local, staging, production \(4 services\)/m);
    expect(synth.status).toBe(0);
  });

  it("GIVEN staging folders of a killed new:service and of a running one WHEN new:service runs THEN it removes the killed one's, says so, and keeps the other", async () => {
    const killed = stagingFolderOf(repository, "ledger", DEAD_PID);
    const live = stagingFolderOf(repository, "audit", running.pid);
    const run = await newService(repository, ["payments"]).finished;
    expect(run.stderr).toContain(
      `new:service: removed services/.new-ledger-${DEAD_PID}, the staging folder of a new:service that was stopped\n`,
    );
    expect(run.status, run.output).toBe(0);
    expect([
      existsSync(killed),
      existsSync(live),
      existsSync(path.join(repository.dir, "services/payments/service.ts")),
    ]).toEqual([false, true, true]);
  });
});

describe("two npm run new:service at once with the same public host and port", () => {
  let repository: RepositoryCopy;
  beforeAll(() => {
    repository = copyRepository();
  });
  afterAll(() => repository.remove());

  it("GIVEN both waiting for a new:service that holds the lock WHEN it ends without giving it back (killed) THEN one publishes, the other is refused naming it, and the synth succeeds", async () => {
    const holder = startIdleProcess();
    const lock = path.join(repository.dir, "services", ".new-service.lock");
    writeFileSync(lock, `${holder.pid}\n`);
    const route = ["--public", "--host", "pay.example.com", "--port", "8095"];
    const runs = [newService(repository, ["pay-a", ...route]), newService(repository, ["pay-b", ...route])];
    const waiting = new RegExp(
      `^new:service: waiting for another new:service \\(pid ${holder.pid}\\) to finish; if none runs, remove services/\\.new-service\\.lock$`,
      "m",
    );
    await Promise.all(runs.map((run) => run.outputMatching(waiting)));
    expect(
      existsSync(path.join(repository.dir, "services/pay-a")) ||
        existsSync(path.join(repository.dir, "services/pay-b")),
    ).toBe(false);

    await holder.stop();
    const [a, b] = await Promise.all(runs.map((run) => run.finished));
    const [published, refused] = a!.status === 0 ? [a!, b!] : [b!, a!];
    const winner = published === a ? "pay-a" : "pay-b";
    expect([published.status, refused.status], `${a!.output}\n${b!.output}`).toEqual([0, 2]);
    expect(refused.stderr).toContain(
      `--host: is already served by services/${winner}/service.ts; give the service its own host or path (got "pay.example.com/")`,
    );
    expect(existsSync(lock)).toBe(false);

    const synth = await repository.nodeAsync("tools/run-app.mjs");
    // The four examples and the one that published.
    expect(synth.stderr).toMatch(/^synthesized local, staging, production \(5 services\)/m);
    expect(synth.status).toBe(0);
  });
});
