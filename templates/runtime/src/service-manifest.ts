/**
 * What the service's code must know about its own spec (`service.ts`): its name, its
 * port, the services it calls and the paths the platform probes and scrapes. It is a
 * copy, because the runtime must not bundle the infrastructure code;
 * the service's `test/service.test.ts` fails when the copy and `service.ts` disagree.
 */
export interface ServiceManifest {
  /** The service name, as in `service.ts` (the default of SERVICE_NAME). */
  readonly name: string;
  /** The HTTP port, as in `service.ts` (the default of PORT). */
  readonly port: number;
  /** The services it calls, as `dependsOn` in `service.ts`: each needs `<NAME>_URL`. */
  readonly dependencies: readonly string[];
  /** Liveness and readiness paths, as `health` in `service.ts`. */
  readonly health: { readonly liveness: string; readonly readiness: string };
  /** Where Prometheus scrapes, as `monitoring.metricsPath` in `service.ts`. */
  readonly metricsPath: string;
}

/** Declares the manifest; a typo in a path or a name fails here, at start. */
export function defineManifest(manifest: ServiceManifest): ServiceManifest {
  for (const path of [manifest.health.liveness, manifest.health.readiness, manifest.metricsPath]) {
    if (!path.startsWith("/"))
      throw new Error(`src/manifest.ts: ${JSON.stringify(path)} must be an HTTP path starting with '/'`);
  }
  return manifest;
}
