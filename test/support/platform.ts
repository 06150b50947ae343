import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildPlatformApp } from "../../infra/app.js";
import { loadEnvironments } from "../../infra/environments.js";
import { parseServiceDefinition, type DiscoveredService, type ServiceSpecInput } from "../../infra/spec/model.js";

/**
 * The settings of staging and production in a Linkerd mesh: the mesh, and the trust anchor
 * the add-ons install Linkerd with (a CA certificate made for these tests, without its key:
 * `openssl req -x509 -newkey ec ... -addext basicConstraints=critical,CA:TRUE`, 100 years).
 */
export const LINKERD_MESH_VARIABLES: Readonly<Record<string, string>> = {
  PLATFORM_MESH: "linkerd",
  PLATFORM_LINKERD_TRUST_ANCHOR_FILE: path.join(
    path.dirname(new URL(import.meta.url).pathname),
    "linkerd-trust-anchor.crt",
  ),
};

/** The synthesized JSON of one stack. */
export interface StackJson {
  readonly terraform?: Record<string, unknown>;
  readonly provider?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, Record<string, unknown>>;
}

/** GIVEN helper: a service as discovery would hand it over. */
export function service(input: ServiceSpecInput, version = "1.0.0"): DiscoveredService {
  return {
    file: `services/${input.name}/service.ts`,
    folder: input.name,
    definition: parseServiceDefinition(input),
    version,
  };
}

/** WHEN helper: synthesizes every environment of these services, keyed by environment. */
export function synthPlatform(
  services: readonly DiscoveredService[],
  variables: Record<string, string> = {},
): Record<string, StackJson> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-synth-"));
  try {
    const { app, stacks } = buildPlatformApp({ services, environments: loadEnvironments(variables), outdir });
    app.synth();
    return Object.fromEntries(
      stacks.map((stack) => [
        stack.environment.name,
        JSON.parse(
          readFileSync(path.join(outdir, "stacks", stack.environment.name, "cdk.tf.json"), "utf8"),
        ) as StackJson,
      ]),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The resources of one type in a stack, as [address, values] with values in snake_case. */
export function resourcesOfType(
  stack: StackJson,
  type: string,
): Array<{ address: string; values: Record<string, any> }> {
  return Object.entries(stack.resource?.[type] ?? {}).map(([name, values]) => ({
    address: `${type}.${name}`,
    values: values as Record<string, any>,
  }));
}

/** The one resource of a type that belongs to a service (found by its construct path). */
export function resourceOf(stack: StackJson, type: string, serviceName: string, part?: string): Record<string, any> {
  const matches = resourcesOfType(stack, type).filter(({ values }) => {
    const segments = String(values["//"]?.metadata?.path ?? "").split("/");
    return segments[2] === serviceName && (part === undefined || segments.includes(part));
  });
  if (matches.length !== 1)
    throw new Error(`expected one ${type} of ${serviceName}${part ? ` (${part})` : ""}, found ${matches.length}`);
  return matches[0]!.values;
}

/** A small catalogue in which every feature shows: public gateway -> orders -> catalog. */
export function exampleServices(): DiscoveredService[] {
  return [
    service({ name: "catalog", build: {}, port: 8080 }),
    service({
      name: "orders",
      build: {},
      port: 8081,
      dependsOn: ["catalog"],
      secrets: { DB_PASSWORD: { secretName: "orders-db", key: "password" } },
      egress: [{ cidr: "203.0.113.0/24", ports: [443] }],
      scaling: { min: 2, max: 5, memoryPercent: 75 },
      environments: { production: { scaling: { min: 3, max: 9 }, resources: { cpu: "500m", memory: "1Gi" } } },
    }),
    service({
      name: "gateway",
      build: {},
      port: 8082,
      dependsOn: ["orders", "catalog"],
      expose: { public: { host: "shop.example.com" } },
      environments: { staging: { expose: { public: { host: "staging.shop.example.com" } } } },
    }),
  ];
}
