import type { ServiceSpecInput } from "../../infra/spec/model.js";
import { formatFieldPath } from "../../infra/spec/spec-error.js";

/** A step of a field's path: a key, the first element of a list, any entry of a record, or a record's key itself. */
export type Step = string | { readonly list: true } | { readonly entry: true } | { readonly key: true };
/**
 * A valid spec that gives every field of the schema a value, so that each field can be
 * replaced in place by the tests that walk the schema (string-fields, zod-problems). A
 * field the schema gains and this spec lacks fails them, naming the field.
 */
export const EVERY_FIELD = {
  name: "orders",
  description: "Takes orders.",
  build: { dockerfile: "Dockerfile" },
  port: 8080,
  health: {
    liveness: "/healthz",
    readiness: "/readyz",
    dockerCheck: ["wget", "-q", "-O-", "http://127.0.0.1:8080/healthz"],
  },
  env: { LOG_LEVEL: "info" },
  secrets: { DB_PASSWORD: { secretName: "orders-db", key: "password" } },
  resources: { cpu: "200m", memory: "256Mi", limits: { cpu: "400m", memory: "256Mi" } },
  scaling: { min: 2, max: 4, cpuPercent: 70, memoryPercent: 80 },
  expose: { public: { host: "shop.example.com", path: "/api", localPort: 8443 } },
  dependsOn: ["catalog"],
  egress: [{ cidr: "203.0.113.0/24", ports: [443], protocol: "TCP", description: "payment provider" }],
  resilience: {
    catalog: {
      timeoutMs: 1500,
      retries: { attempts: 1, methods: ["GET"] },
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 5000 },
    },
  },
  monitoring: {
    metricsPath: "/metrics",
    metricsPort: 8080,
    slo: { availability: 99.9, latencyMs: 300 },
    owner: "team-orders",
  },
  backingServices: {
    store: {
      type: "postgres",
      version: 17,
      storage: "1Gi",
      instances: 1,
      resources: { cpu: "250m", memory: "512Mi", limits: { cpu: "1", memory: "1Gi" } },
    },
    cache: {
      type: "redis",
      persistence: "aof",
      storage: "1Gi",
      resources: { cpu: "100m", memory: "256Mi", limits: { cpu: "1", memory: "256Mi" } },
    },
    jobs: {
      type: "queue",
      queues: ["orders-placed"],
      storage: "1Gi",
      instances: 1,
      resources: { cpu: "250m", memory: "1Gi", limits: { cpu: "1", memory: "1Gi" } },
    },
  },
  uses: ["catalog.products"],
  environments: {
    staging: {
      scaling: { min: 1, max: 2, cpuPercent: 60, memoryPercent: 70 },
      resources: { cpu: "100m", memory: "128Mi", limits: { cpu: "200m", memory: "128Mi" } },
      env: { LOG_LEVEL: "debug" },
      expose: { public: { host: "staging.shop.example.com", path: "/api", localPort: 8443 } },
      backingServices: {
        store: {
          storage: "2Gi",
          instances: 2,
          resources: { cpu: "500m", memory: "1Gi", limits: { cpu: "2", memory: "2Gi" } },
        },
      },
    },
  },
  guardrails: { suppress: [{ rule: "K8S-16", reason: "one node in this test cluster" }] },
} satisfies ServiceSpecInput;
/** `image` excludes `build`: its field is replaced in a spec that has an image instead. */
export const WITH_IMAGE: Record<string, unknown> = {
  ...EVERY_FIELD,
  build: undefined,
  image: "ghcr.io/acme/orders:1.0.0",
};
/** `external` excludes the size of a backing service: its field is replaced in a spec where staging's db is managed. */
export const WITH_EXTERNAL: Record<string, unknown> = {
  ...EVERY_FIELD,
  environments: {
    staging: {
      ...EVERY_FIELD.environments.staging,
      backingServices: { store: { external: { secretName: "orders-store" } } },
    },
  },
};
/** The spec of every field that has the field at `steps`: `image` and `external` exclude fields of the others. */
export const baseOf = (steps: readonly Step[]): Record<string, unknown> =>
  steps[0] === "image" ? WITH_IMAGE : steps.includes("external") ? WITH_EXTERNAL : EVERY_FIELD;

/** `spec` with the field at `steps` set to `value` (a record's key: renamed to `value`), and the concrete path it took. */
export function withValue(
  spec: Record<string, unknown>,
  steps: readonly Step[],
  value: unknown,
): { spec: Record<string, unknown>; path: PropertyKey[] } {
  const copy = structuredClone(spec);
  const path: PropertyKey[] = [];
  let holder: any = copy;
  steps.forEach((step, index) => {
    const last = index === steps.length - 1;
    if (typeof step === "string" || "list" in step || "entry" in step) {
      // Of a record's entries, the first that has the next field (a backing service's fields depend on its type).
      const next = steps[index + 1];
      const entry = () =>
        Object.keys(holder).find((k) => typeof next !== "string" || holder[k]?.[next] !== undefined) ??
        Object.keys(holder)[0]!;
      const key = typeof step === "string" ? step : "list" in step ? 0 : entry();
      if (holder[key] === undefined)
        throw new Error(`the spec of every field gives no value at ${formatFieldPath([...path, key])}: add one`);
      path.push(key);
      if (last) holder[key] = value;
      else holder = holder[key];
    } else {
      const [key] = Object.keys(holder);
      if (key === undefined)
        throw new Error(`the spec of every field has an empty record at ${formatFieldPath(path)}: add an entry`);
      const entry = holder[key];
      delete holder[key];
      holder[String(value)] = entry;
      path.push(String(value));
    }
  });
  return { spec: copy, path };
}
