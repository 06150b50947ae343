import type pg from "pg";
import type { RedisClientType } from "redis";
import type { Logger } from "../logger.js";
import type { BackingServiceDeclaration, BackingServiceKind, ServiceManifest } from "../service-manifest.js";
import type { QueueClient } from "./queue-client.js";

/** The client `context.resource(name)` returns, by the resource's type. */
export interface BackingServiceClients {
  /** A pg pool: `await pool.query("SELECT ...", [values])`. */
  readonly postgres: pg.Pool;
  /** A connected node-redis client: `await redis.set("key", "value")`. */
  readonly redis: RedisClientType;
  /** A confirm channel with the declared queues, plus `publishJson` and `consumeJson`. */
  readonly queue: QueueClient;
}

/** The backing services a manifest declares, its own and those it uses, by name. */
type Declared<M extends ServiceManifest> = NonNullable<M["backingServices"]> & NonNullable<M["uses"]>;

/** The names of the backing services a manifest declares: its own (`db`) and those it uses (`orders.db`). */
export type ResourceName<M extends ServiceManifest> = keyof Declared<M> & string;

/** The client of the backing service `N` of manifest `M`, typed by its declared type. */
export type ResourceClient<M extends ServiceManifest, N extends ResourceName<M>> = Declared<M>[N] extends {
  readonly type: infer T extends BackingServiceKind;
}
  ? BackingServiceClients[T]
  : never;

/** A backing service the runtime has connected to: its client, its check and its close. */
export interface BackingServiceConnection<K extends BackingServiceKind = BackingServiceKind> {
  readonly client: BackingServiceClients[K];
  /** Resolves when the service answers now; rejects with the reason when it does not. */
  check(): Promise<void>;
  /** Closes the client once what it is doing has finished. */
  close(): Promise<void>;
}

/** What opening one backing service needs. */
export interface BackingServiceTarget<D extends BackingServiceDeclaration = BackingServiceDeclaration> {
  /** Its name in the manifest, like `db`. */
  readonly name: string;
  readonly declaration: D;
  /** Its connection URL (holds the password: never log it). */
  readonly url: URL;
  /** Logs of this resource. */
  readonly log: Logger;
}
