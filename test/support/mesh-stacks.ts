import type { StackJson } from "../../infra/guardrails/synthesized-stack.js";
import type { MeshName } from "../../infra/mesh-settings.js";
import type { DiscoveredService } from "../../infra/spec/model.js";
import { guardrailsFixture, type GuardrailsFixture, type RenderedStack } from "./guardrails.js";
import { LINKERD_MESH_VARIABLES, service } from "./platform.js";

/**
 * The service mesh fixtures of the tests: the stacks the platform itself generates for a
 * small catalogue with `PLATFORM_MESH` istio, linkerd or none (rendered in memory by
 * {@link guardrailsFixture}), and the edits a test makes to them as a pull request would.
 * Every mesh object comes from the generator (infra/targets/kubernetes/mesh/); a
 * non-compliant one is a generated one changed.
 */

/**
 * The catalogue: public gateway (its metrics on a port of their own) and reports call
 * orders, orders and gateway call catalog, and catalog owns a Redis store (a data
 * StatefulSet, which stays out of the mesh).
 */
export function meshServices(): DiscoveredService[] {
  return [
    service({ name: "catalog", build: {}, port: 8080, backingServices: { cache: { type: "redis" } } }),
    service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
    service({
      name: "gateway",
      build: {},
      port: 8082,
      dependsOn: ["orders", "catalog"],
      expose: { public: { host: "shop.example.com" } },
      monitoring: { metricsPort: 9090 },
    }),
    service({ name: "reports", build: {}, port: 8083, dependsOn: ["orders"] }),
  ];
}

/** The catalogue's services, in the order of their resources in a stack. */
export const MESH_SERVICE_NAMES = ["catalog", "gateway", "orders", "reports"] as const;

/** The settings of an environment whose mesh is `mesh`. */
export function meshVariables(mesh: MeshName): Record<string, string> {
  return mesh === "istio" ? { PLATFORM_MESH: "istio" } : mesh === "linkerd" ? { ...LINKERD_MESH_VARIABLES } : {};
}

const fixtures = new Map<string, GuardrailsFixture>();

/**
 * GIVEN helper: one environment's stack of {@link meshServices} with `mesh`, built once
 * per environment and mesh, to check with the guardrails (`findingsAfter` edits a copy).
 * @param services another catalogue (not cached)
 */
export function meshFixture(environment: string, mesh: MeshName, services?: readonly DiscoveredService[]) {
  if (services !== undefined) return guardrailsFixture(environment, services, meshVariables(mesh));
  const key = `${environment} ${mesh}`;
  if (!fixtures.has(key)) fixtures.set(key, guardrailsFixture(environment, meshServices(), meshVariables(mesh)));
  return fixtures.get(key)!;
}

/** A stack JSON whose resources are mutable, for a test to change as a pull request would. */
export type MeshStackJson = StackJson & RenderedStack;

/** A fresh copy of the generated stack of `environment` with `mesh`. */
export function meshStack(environment: string, mesh: MeshName): MeshStackJson {
  return structuredClone(meshFixture(environment, mesh).stack.toTerraform()) as unknown as MeshStackJson;
}

/** A deep copy of a stack, for a test to change. */
export function copyStack(stack: MeshStackJson): MeshStackJson {
  return structuredClone(stack);
}

/** The `[logical id, resource]` of the stack's mesh object of this kind and name. */
function entryOf(stack: MeshStackJson, kind: string, name: string): [string, Record<string, any>] {
  const found = Object.entries(stack.resource.kubernetes_manifest ?? {}).find(
    ([, r]) => r.manifest.kind === kind && r.manifest.metadata.name === name,
  );
  if (!found) throw new Error(`no ${kind} ${name} in the stack`);
  return found;
}

/** The `manifest` of the stack's object of this kind and name, to change in place. */
export function manifestIn(stack: MeshStackJson, kind: string, name: string): Record<string, any> {
  return entryOf(stack, kind, name)[1].manifest;
}

/** The address (`kubernetes_manifest.<logical id>`) of the stack's object of this kind and name, as a finding names it. */
export function manifestAddress(stack: MeshStackJson, kind: string, name: string): string {
  return `kubernetes_manifest.${entryOf(stack, kind, name)[0]}`;
}

/** Removes the stack's object of this kind and name. */
export function withoutManifest(stack: MeshStackJson, kind: string, name: string): MeshStackJson {
  delete stack.resource.kubernetes_manifest![entryOf(stack, kind, name)[0]];
  return stack;
}

/** The address {@link withManifest} gives an object of `owner` (a service, or `platform`) with construct id `id`. */
export function addedObjectAddress(owner: string, id: string): string {
  return `kubernetes_manifest.kubernetes_${owner}_mesh_${id}`;
}

/**
 * Adds an object the generator does not write (a pull request's), under
 * `<env>/kubernetes/<owner>/mesh/<id>`, and returns its address ({@link addedObjectAddress}).
 */
export function withManifest(
  stack: RenderedStack,
  owner: string,
  id: string,
  manifest: Record<string, unknown>,
): string {
  const namespace = Object.values(stack.resource.kubernetes_namespace_v1 ?? {})[0];
  const environment = String(namespace?.["//"]?.metadata?.path ?? "").split("/")[0];
  if (!environment) throw new Error("the stack has no namespace whose construct path names the environment");
  const address = addedObjectAddress(owner, id);
  const logicalId = address.slice("kubernetes_manifest.".length);
  stack.resource.kubernetes_manifest ??= {};
  stack.resource.kubernetes_manifest[logicalId] = {
    "//": { metadata: { path: `${environment}/kubernetes/${owner}/mesh/${id}`, uniqueId: logicalId } },
    manifest,
  };
  return address;
}

/** The namespace's metadata, to change in place. */
export function namespaceIn(stack: MeshStackJson): {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
} {
  return Object.values(stack.resource.kubernetes_namespace_v1!)[0]!.metadata;
}

/** Adds a copy of the stack's object of this kind and name, renamed and changed (a second policy a pull request writes). */
export function withCopyOf(
  stack: MeshStackJson,
  kind: string,
  name: string,
  newName: string,
  change: (manifest: Record<string, any>) => void,
): MeshStackJson {
  const [address, original] = entryOf(stack, kind, name);
  const copy = structuredClone(original);
  copy.manifest.metadata.name = newName;
  change(copy.manifest);
  copy["//"].metadata.path += `-${newName}`;
  stack.resource.kubernetes_manifest![address.replace(/_[0-9A-F]{8}$/, `-${newName}_0FFFFFFF`)] = copy;
  return stack;
}

/**
 * A Terraform plan (`terraform show -json`) that takes an environment from one stack to
 * another, as `terraform plan` would print it for resources already applied: every
 * resource of either side, created, updated, deleted or left alone.
 */
export function planBetween(before: MeshStackJson, after: MeshStackJson): Record<string, unknown> {
  const values = (raw: Record<string, unknown> | undefined) => {
    if (raw === undefined) return null;
    const { "//": _metadata, ...rest } = raw;
    return rest;
  };
  const resource_changes: unknown[] = [];
  for (const type of new Set([...Object.keys(before.resource), ...Object.keys(after.resource)]))
    for (const name of new Set([
      ...Object.keys(before.resource[type] ?? {}),
      ...Object.keys(after.resource[type] ?? {}),
    ])) {
      const was = values(before.resource[type]?.[name]);
      const is = values(after.resource[type]?.[name]);
      const actions =
        was === null
          ? ["create"]
          : is === null
            ? ["delete"]
            : JSON.stringify(was) === JSON.stringify(is)
              ? ["no-op"]
              : ["update"];
      resource_changes.push({
        address: `${type}.${name}`,
        mode: "managed",
        type,
        name,
        change: { actions, before: was, after: is, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
      });
    }
  return { format_version: "1.2", terraform_version: "1.13.0", resource_changes };
}
