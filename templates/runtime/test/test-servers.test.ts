import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FREE_PORT_RANGE, freePort, startRetryingTakenPorts } from "../src/test-servers.js";

// How the test servers (src/test-servers.ts) get their ports when other test suites run beside them.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Listens on `port` at loopback; rejects with Node's own error when it cannot (`listen EADDRINUSE: address already in use`). */
async function listenOn(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  servers.push(server);
  return server;
}

describe("freePort", () => {
  it("GIVEN fifty ports asked for WHEN each is listened on THEN each was free and below the ephemeral range outgoing connections take ports from", async () => {
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(ports.filter((port) => port < FREE_PORT_RANGE.from || port > FREE_PORT_RANGE.to)).toEqual([]);
    expect(FREE_PORT_RANGE.to).toBeLessThan(32_768);
    for (const port of new Set(ports)) await listenOn(port);
  });
});

describe("startRetryingTakenPorts", () => {
  it("GIVEN the picked port taken by another listener WHEN the server starts THEN it fails once, gets a new port and listens there", async () => {
    const taken = await listenOn(0);
    let port = (taken.address() as { port: number }).port;
    const tried: number[] = [];
    let listening: number | undefined;
    await startRetryingTakenPorts(
      async () => {
        tried.push(port);
        listening = ((await listenOn(port)).address() as { port: number }).port;
      },
      async () => {
        port = await freePort();
      },
    );
    expect(tried).toHaveLength(2);
    expect(tried[1]).not.toBe(tried[0]);
    expect(listening).toBe(tried[1]);
  });

  it("GIVEN RabbitMQ's own words for a taken distribution or epmd port, or a thrown string WHEN a start fails with them THEN it is tried again", async () => {
    const failures: unknown[] = [
      new Error("rabbitmq-server exited 0 before it was ready: reason: {dist_port_already_used,34505,not_erlang}"),
      new Error("epmd exited 0 before it was ready: there is already a epmd running at port 23456"),
      "listen EADDRINUSE: address already in use 127.0.0.1:23456",
    ];
    for (const failure of failures) {
      let attempts = 0;
      await startRetryingTakenPorts(
        async () => {
          attempts += 1;
          if (attempts === 1) throw failure;
        },
        async () => undefined,
      );
      expect([String(failure).slice(0, 40), attempts]).toEqual([String(failure).slice(0, 40), 2]);
    }
  });

  it("GIVEN a start that fails for another reason WHEN started THEN it is not tried again and its error is thrown", async () => {
    let attempts = 0;
    const failing = startRetryingTakenPorts(
      async () => {
        attempts += 1;
        throw new Error("initdb exited 1: could not create directory");
      },
      async () => undefined,
    );
    await expect(failing).rejects.toThrow("initdb exited 1");
    expect(attempts).toBe(1);
  });

  it("GIVEN a port that stays taken WHEN started THEN it gives up after three attempts with the server's own error", async () => {
    const taken = await listenOn(0);
    const { port } = taken.address() as { port: number };
    let attempts = 0;
    const failing = startRetryingTakenPorts(
      async () => {
        attempts += 1;
        const server = createServer().listen(port, "127.0.0.1");
        const [error] = (await once(server, "error")) as [Error];
        throw error;
      },
      async () => undefined,
    );
    await expect(failing).rejects.toThrow(/EADDRINUSE/);
    expect(attempts).toBe(3);
  });
});
