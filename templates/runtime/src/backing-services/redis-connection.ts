import { createClient, type RedisClientType } from "redis";
import type { BackingServiceConnection, BackingServiceTarget } from "./backing-service.js";

/**
 * Connects a node-redis client to a Redis backing service. It reconnects by itself (after
 * 100 ms, then up to every 2 s) when the connection drops; while it is disconnected a
 * command fails at once instead of waiting in a queue, so that a request answers rather
 * than hangs. A first connection that fails fails the start.
 */
export async function openRedis(target: BackingServiceTarget): Promise<BackingServiceConnection<"redis">> {
  let connected = false;
  const client = createClient({
    url: target.url.href,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5_000,
      // Before the first connection, an error ends the attempt: the start fails and the platform restarts it.
      reconnectStrategy: (retries, cause) => (connected ? Math.min(100 * 2 ** retries, 2_000) : cause),
    },
  }) as RedisClientType;
  // Without a listener, a connection error would stop the process; the check reports it.
  client.on("error", (error: unknown) => target.log.warn({ err: error }, "redis connection error"));
  await client.connect();
  connected = true;
  return {
    client,
    async check() {
      if (!client.isReady) throw new Error("not connected; reconnecting");
      await client.ping();
    },
    async close() {
      // close() lets commands in flight finish; a client that is reconnecting has none.
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
  };
}
