import { Gauge, type Registry } from "prom-client";
import type pg from "pg";
import { METRICS_CONTRACT } from "../../../../infra/monitoring/metrics-contract.js";
import type { Logger } from "../logger.js";
import {
  type BackingServiceDeclaration,
  type BackingServiceKind,
  connectedResources,
  type ServiceManifest,
} from "../service-manifest.js";
import type { BackingServiceConnection, BackingServiceTarget } from "./backing-service.js";
import { openPostgres } from "./postgres-connection.js";
import { openQueue } from "./queue-client.js";
import { openRedis } from "./redis-connection.js";
import { applyMigrations, migrationsFolderOf } from "./schema-migrations.js";

/** How often the backing services are checked between readiness probes, for `backing_service_up`. */
export const BACKING_SERVICE_CHECK_INTERVAL_MS = 5_000;

/** Props of {@link BackingServices.open}. */
export interface BackingServicesProps {
  readonly manifest: ServiceManifest;
  /** Connection URL of each declared backing service (from `loadConfig`). */
  readonly urls: Readonly<Record<string, URL>>;
  /** How long one check may take before the resource counts as down. */
  readonly checkTimeoutMs: number;
  /** The service's `migrations/` folder (it need not exist); `false` applies none. */
  readonly migrationsDir: string | false;
  readonly log: Logger;
  /** The service's metrics registry, which gets the backing-service metrics of the contract. */
  readonly registry: Registry;
}

interface Opened {
  readonly name: string;
  readonly type: BackingServiceKind;
  readonly connection: BackingServiceConnection;
}

/**
 * The backing services of one running service: connected at start (PostgreSQL's
 * migrations applied), checked for readiness and for `backing_service_up`, measured
 * (`backing_service_pool_connections` of each pg pool) and closed on shutdown.
 */
export class BackingServices {
  private checking: Promise<readonly string[]> | undefined;
  private readonly up = new Map<string, boolean>();
  private readonly upGauge: Gauge<"resource" | "type">;
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly opened: readonly Opened[],
    private readonly props: BackingServicesProps,
  ) {
    const { backingServiceUp, backingServicePoolConnections: pool } = METRICS_CONTRACT;
    this.upGauge = new Gauge({
      name: backingServiceUp.name,
      help: backingServiceUp.help,
      labelNames: backingServiceUp.labels,
      registers: [props.registry],
    });
    const pools = opened.filter((o) => o.type === "postgres");
    if (pools.length > 0)
      new Gauge({
        name: pool.name,
        help: pool.help,
        labelNames: pool.labels,
        registers: [props.registry],
        collect() {
          for (const { name, connection } of pools) {
            const { totalCount, idleCount, waitingCount } = connection.client as pg.Pool;
            this.set({ resource: name, state: "total" }, totalCount);
            this.set({ resource: name, state: "idle" }, idleCount);
            this.set({ resource: name, state: "waiting" }, waitingCount);
          }
        },
      });
    for (const { name, type } of opened) {
      this.up.set(name, true);
      this.upGauge.set({ resource: name, type }, 1);
    }
    if (opened.length > 0) {
      this.timer = setInterval(() => void this.check(), BACKING_SERVICE_CHECK_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /**
   * Connects to every backing service of the manifest, its own and those it uses, and
   * applies the migrations of its own PostgreSQL databases (a database it uses is its
   * owner's to migrate). Rejects, with every connection it made closed, when one cannot be
   * reached or a migration fails.
   */
  static async open(props: BackingServicesProps): Promise<BackingServices> {
    const declared = connectedResources(props.manifest);
    const attempts = await Promise.allSettled(
      declared.map(async ({ name, declaration }): Promise<Opened> => {
        const target = { name, declaration, url: props.urls[name]!, log: props.log.child({ resource: name }) };
        return { name, type: declaration.type, connection: await openConnection(target) };
      }),
    );
    const opened = attempts.flatMap((attempt) => (attempt.status === "fulfilled" ? [attempt.value] : []));
    try {
      const failures = attempts.flatMap((attempt, index) =>
        attempt.status === "rejected"
          ? [`${declared[index]!.name} (${declared[index]!.declaration.type}): ${messageOf(attempt.reason)}`]
          : [],
      );
      if (failures.length > 0) throw new Error(`backing services unreachable at start: ${failures.join("; ")}`);
      const postgres = declared.filter((d) => d.owned && d.declaration.type === "postgres").map((d) => d.name);
      const root = props.migrationsDir;
      for (const name of postgres) {
        const folder = root === false ? undefined : migrationsFolderOf(root, name, postgres);
        if (!folder) continue;
        const applied = await applyMigrations(props.urls[name]!, folder, props.log.child({ resource: name }));
        props.log.info({ resource: name, folder, applied }, "migrations applied");
      }
    } catch (error) {
      await Promise.allSettled(opened.map((o) => o.connection.close()));
      throw error;
    }
    return new BackingServices(opened, props);
  }

  /** The client of a backing service; an undeclared name throws, listing the declared ones. */
  client(name: string): unknown {
    const found = this.opened.find((o) => o.name === name);
    if (!found)
      throw new Error(
        `backing service ${JSON.stringify(name)} is not in backingServices or uses of service.ts; declared: ${this.opened.map((o) => o.name).join(", ") || "(none)"}`,
      );
    return found.connection.client;
  }

  /**
   * Checks every backing service at once, each within the check timeout, updates
   * `backing_service_up`, and resolves with the names of those that are down. A check
   * asked for while one runs shares its result, so that probes never pile up.
   */
  check(): Promise<readonly string[]> {
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Stops the periodic checks and closes every client, each once its work in flight is done. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const results = await Promise.allSettled(this.opened.map((o) => o.connection.close()));
    results.forEach((result, index) => {
      if (result.status === "rejected")
        this.props.log.warn({ err: result.reason, resource: this.opened[index]!.name }, "closing failed");
    });
  }

  private async checkAll(): Promise<readonly string[]> {
    const results = await Promise.all(
      this.opened.map(async ({ name, type, connection }) => {
        const failure = await withTimeout(connection.check(), this.props.checkTimeoutMs).then(
          () => undefined,
          (error: unknown) => messageOf(error),
        );
        this.upGauge.set({ resource: name, type }, failure === undefined ? 1 : 0);
        const wasUp = this.up.get(name);
        if (wasUp && failure !== undefined)
          this.props.log.warn({ resource: name, type, reason: failure }, "backing service down");
        if (!wasUp && failure === undefined) this.props.log.info({ resource: name, type }, "backing service up again");
        this.up.set(name, failure === undefined);
        return failure === undefined ? [] : [name];
      }),
    );
    return results.flat();
  }
}

function openConnection(target: BackingServiceTarget): Promise<BackingServiceConnection> {
  const declaration: BackingServiceDeclaration = target.declaration;
  switch (declaration.type) {
    case "postgres":
      return openPostgres(target);
    case "redis":
      return openRedis(target);
    case "queue":
      return openQueue({ ...target, declaration });
  }
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join(", ");
  return error instanceof Error ? error.message || error.name : String(error);
}
