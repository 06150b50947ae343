/**
 * What the service's code must know about its own spec (`service.ts`): its name, its
 * port, the services it calls, the backing services it owns and the paths the platform
 * probes and scrapes. A service derives it from its `service.ts` with `manifestOf`
 * (manifest-of.ts), never copies it; the runtime's own tests write one by hand with
 * {@link defineManifest}.
 */
export interface ServiceManifest {
  /** The service name, as in `service.ts` (the default of SERVICE_NAME). */
  readonly name: string;
  /** The HTTP port, as in `service.ts` (the default of PORT). */
  readonly port: number;
  /** The services it calls, as `dependsOn` in `service.ts`: each needs `<NAME>_URL`. */
  readonly dependencies: readonly string[];
  /**
   * The backing services it owns, as `backingServices` in `service.ts`, by name: each
   * needs `<PREFIX>_URL` (`db` -> `DB_URL`) and is `context.resource(name)`.
   * @default none
   */
  readonly backingServices?: Readonly<Record<string, BackingServiceDeclaration>>;
  /**
   * Other services' backing services it reads or writes, as `uses` in `service.ts`, by
   * `<owner>.<resource>`: each needs `<OWNER>_<RESOURCE>_URL` (`orders.db` ->
   * `ORDERS_DB_URL`) and is `context.resource("orders.db")`. Their migrations are the owner's.
   * @default none
   */
  readonly uses?: Readonly<Record<string, BackingServiceDeclaration>>;
  /** Liveness and readiness paths, as `health` in `service.ts`. */
  readonly health: { readonly liveness: string; readonly readiness: string };
  /** Where Prometheus scrapes, as `monitoring.metricsPath` in `service.ts`. */
  readonly metricsPath: string;
}

/**
 * A backing service as the code uses it: its type decides the client
 * `context.resource(name)` returns. A queue lists the queues the service publishes to or
 * consumes from; the runtime declares them (durable) at start.
 */
export type BackingServiceDeclaration =
  | { readonly type: "postgres" }
  | { readonly type: "redis" }
  | { readonly type: "queue"; readonly queues: readonly string[] };

/** A backing service's type. */
export type BackingServiceKind = BackingServiceDeclaration["type"];

/** The types the runtime has a client for, for messages. */
export const BACKING_SERVICE_KINDS: readonly BackingServiceKind[] = ["postgres", "redis", "queue"];

const RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const USED_RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?\.[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A backing service the code connects to: its own (`db`) or another service's it uses (`orders.db`). */
export interface ConnectedResource {
  readonly name: string;
  readonly declaration: BackingServiceDeclaration;
  /** Whether the service owns it (and so applies its migrations). */
  readonly owned: boolean;
}

/** Every backing service of a manifest, its own first, then those it uses. */
export function connectedResources(manifest: Pick<ServiceManifest, "backingServices" | "uses">): ConnectedResource[] {
  return [
    ...Object.entries(manifest.backingServices ?? {}).map(([name, declaration]) => ({
      name,
      declaration,
      owned: true,
    })),
    ...Object.entries(manifest.uses ?? {}).map(([name, declaration]) => ({ name, declaration, owned: false })),
  ];
}
// AMQP's queue names are short strings; RabbitMQ reserves the "amq." prefix.
const QUEUE_NAME = /^(?!amq\.)[A-Za-z0-9][-A-Za-z0-9_.:]{0,254}$/;

/**
 * Declares a manifest by hand (the runtime's own tests; a service derives its own with
 * `manifestOf`); a typo in a path or a name fails here, at start, naming the field of
 * `service.ts` it comes from. The manifest keeps its literal types, so that
 * `context.resource("db")` is typed by the declared type.
 */
export function defineManifest<const M extends ServiceManifest>(manifest: M): M {
  for (const path of [manifest.health.liveness, manifest.health.readiness, manifest.metricsPath]) {
    if (!path.startsWith("/"))
      throw new Error(`service.ts: ${JSON.stringify(path)} must be an HTTP path starting with '/'`);
  }
  for (const { name, declaration, owned } of connectedResources(manifest)) {
    const field = `service.ts: ${owned ? "backingServices" : "uses"}.${name}`;
    if (owned && !RESOURCE_NAME.test(name))
      throw new Error(`${field}: ${JSON.stringify(name)} must be a DNS label, like "db" or "order-store"`);
    if (!owned && !USED_RESOURCE_NAME.test(name))
      throw new Error(
        `${field}: ${JSON.stringify(name)} must be <service>.<resource>, two DNS labels, like "orders.db", as uses in service.ts`,
      );
    if (!BACKING_SERVICE_KINDS.includes(declaration.type))
      throw new Error(
        `${field}.type: ${JSON.stringify(declaration.type)} is not a type; accepted: ${BACKING_SERVICE_KINDS.join(", ")}`,
      );
    if (declaration.type === "queue") {
      if (declaration.queues.length === 0)
        throw new Error(`${field}.queues: empty; list the queues the service publishes to or consumes from`);
      for (const queue of declaration.queues)
        if (!QUEUE_NAME.test(queue))
          throw new Error(
            `${field}.queues: ${JSON.stringify(queue)} must be 1 to 255 letters, digits, '-', '_', '.' or ':', not starting with "amq."`,
          );
    }
  }
  return manifest;
}
