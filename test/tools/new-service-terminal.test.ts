import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { copyRepository, type RepositoryCopy } from "../support/repository-copy.js";
import { startInTerminal, type TerminalSession } from "../support/terminal.js";

// new:service in a terminal, as a person answers it: each answer checked when it is given,
// a summary, and a confirmation before anything is written.

const NEW_SERVICE = "tools/new-service.ts";

let repository: RepositoryCopy;
beforeAll(() => {
  repository = copyRepository();
});
afterAll(() => repository.remove());
const sessions: TerminalSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.stop();
});

/** new:service in a terminal, in the copy, stopped after the test whatever happened. */
function newServiceInTerminal(): TerminalSession {
  const session = startInTerminal(NEW_SERVICE, ["--no-install"], { cwd: repository.dir });
  sessions.push(session);
  return session;
}

/** Answers every question up to the summary; the port is gateway's published one, then the one the refusal suggests. */
async function answerUpToSummary(terminal: TerminalSession, name: string): Promise<string> {
  await terminal.waitFor(/Service name/);
  terminal.type(`${name}\r`);
  await terminal.waitFor(/Template/);
  terminal.type("\r");
  await terminal.waitFor(/The port it listens on/);
  terminal.type("8080\r");
  await terminal.waitFor(/Services it calls/);
  terminal.type("\r");
  await terminal.waitFor(/Publish it through the ingress/);
  terminal.type("y\r");
  const again = await terminal.waitFor(/asked again:[\s\S]*The port it listens on/);
  // The free port the refusal suggests (8081 until a test publishes it).
  terminal.type(`${/choose a free one, like (\d+)/.exec(again)?.[1]}\r`);
  await terminal.waitFor(/The host name/);
  terminal.type(`${name}.example.com\r`);
  for (const question of [
    /Its path prefix/,
    /A PostgreSQL database/,
    /A Redis cache/,
    /A message queue/,
    /The team its alerts go to/,
  ]) {
    await terminal.waitFor(question);
    terminal.type("\r");
  }
  await terminal.waitFor(/One sentence on what it does/);
  terminal.type("Takes payments.\r");
  return again;
}

describe("npm run new:service in a terminal", () => {
  it("GIVEN the port gateway publishes WHEN the user then says the service is public THEN the port is asked again at once naming gateway, AND the summary shows every answer before the service is written", async () => {
    const terminal = newServiceInTerminal();
    const again = await answerUpToSummary(terminal, "pay");
    expect(again).toContain(
      'port: is already published on 127.0.0.1 by services/gateway/service.ts in the local environment, where a public service is published on its port; choose a free one, like 8081 (got "8080"); asked again:',
    );
    const summary = await terminal.waitFor(/Write services\/pay\/\?/);
    expect(summary).toMatch(
      /services\/pay\/ will be made with:\n\s+name\s+pay\n\s+template\s+http-service\n\s+port\s+8081\n\s+dependsOn\s+\(none\)\n\s+public\s+yes\n\s+host\s+pay\.example\.com\n/,
    );
    expect(summary).toMatch(/\n\s+description\s+Takes payments\.\n/);
    expect(existsSync(path.join(repository.dir, "services/pay"))).toBe(false);
    terminal.type("\r");
    expect(await terminal.finished).toBe(0);
    const spec = readFileSync(path.join(repository.dir, "services/pay/service.ts"), "utf8");
    expect(spec).toContain("port: 8081");
    expect(spec).toContain('"Takes payments."');
    expect(terminal.screen()).not.toContain("refused");
  }, 240_000);

  it("GIVEN every answer WHEN the user declines at the summary THEN it exits 1 saying nothing was written, and nothing was", async () => {
    const before = repository.snapshot();
    const terminal = newServiceInTerminal();
    await answerUpToSummary(terminal, "refunds");
    await terminal.waitFor(/Write services\/refunds\/\?/);
    terminal.type("n\r");
    expect(await terminal.finished).toBe(1);
    expect(terminal.screen()).toContain("new:service: not written (declined at the summary)");
    expect(repository.snapshot()).toEqual(before);
  }, 240_000);
});
