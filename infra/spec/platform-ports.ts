/**
 * The ports the platform itself takes on 127.0.0.1 in the local environment, where a
 * public service is published on its `expose.public.localPort` (its `port` by default).
 * The spec schema refuses them, the scaffolder asks the schema, and `environments.ts`
 * reads the same numbers: one list, no copies.
 */

/** The local Prometheus, published on 127.0.0.1. */
export const LOCAL_PROMETHEUS_PORT = 9090;

/** The local Grafana that the alerts and the README link to (`LOCAL_GRAFANA_URL`). */
export const LOCAL_GRAFANA_PORT = 3000;

/** The local Jaeger UI (traces), published on 127.0.0.1. */
export const LOCAL_JAEGER_UI_PORT = 16686;

/** Every port the platform uses locally, with who uses it, in port order. */
export const PLATFORM_LOCAL_PORTS: ReadonlyMap<number, string> = new Map([
  [LOCAL_GRAFANA_PORT, "the local Grafana the alerts link to"],
  [LOCAL_PROMETHEUS_PORT, "the local Prometheus"],
  [LOCAL_JAEGER_UI_PORT, "the local Jaeger UI"],
]);

/** The platform's ports, for messages: `3000 (the local Grafana ...), 9090 (...)`. */
export const PLATFORM_LOCAL_PORTS_LISTED = [...PLATFORM_LOCAL_PORTS]
  .map(([port, user]) => `${port} (${user})`)
  .join(", ");
