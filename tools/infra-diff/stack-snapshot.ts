import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PLATFORM_CONSTRUCT_ID, serviceOfPath } from "../../infra/construct-paths.js";
import { STACK_NAMES } from "../../infra/stack-names.js";
import type { Finding } from "../../infra/guardrails/evaluate.js";
import {
  constructPathOf,
  SynthesizedStack,
  type JsonObject,
  type StackJson,
} from "../../infra/guardrails/synthesized-stack.js";

/**
 * One environment's configuration as the diff sees it: every block of the synthesized
 * `cdk.tf.json` (or of a Terraform plan), keyed by its Terraform address, with the
 * service that owns it.
 */

/** What a block is: Terraform counts and plans only managed resources. */
export type BlockKind = "resource" | "data" | "setting";

/** One block of the configuration. */
export interface ConfigBlock {
  /** The Terraform address: `kubernetes_deployment_v1.kubernetes_orders_workload_deployment_AED963EF`, `data.x.y`, `provider.docker`, `terraform`. */
  readonly address: string;
  readonly kind: BlockKind;
  /** The resource type (`docker_container`), or the setting's block name (`provider`, `variable`, `terraform`). */
  readonly type: string;
  /** The construct path (`staging/kubernetes/orders/workload/deployment`), when known. */
  readonly constructPath?: string;
  /** The service that owns it, or {@link PLATFORM_OWNER} for the environment's own blocks. */
  readonly owner: string;
  /** Its attributes in snake_case, without cdktf's `//` metadata. */
  readonly values: Readonly<Record<string, unknown>>;
}

/** The owner of blocks that belong to no service (the construct id of the platform's own resources). */
export const PLATFORM_OWNER = PLATFORM_CONSTRUCT_ID;

/** The blocks of one environment, by address. */
export interface StackSnapshot {
  readonly environment: string;
  readonly blocks: ReadonlyMap<string, ConfigBlock>;
  /** The resources as the guardrails read them; undefined for a plan's configuration. */
  readonly synthesized?: SynthesizedStack;
  /**
   * The platform's guardrail findings of this configuration, before suppressions
   * (guardrail-findings.ts); undefined when they were not computed.
   */
  readonly findings?: readonly Finding[];
}

/** Meta-arguments that change how Terraform orders or guards work, not what it builds. */
const META_ARGUMENTS = new Set(["//", "depends_on", "lifecycle", "provisioner", "connection"]);

/** The attributes of a block, without cdktf metadata and meta-arguments. */
export function configurationValues(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (!META_ARGUMENTS.has(key)) values[key] = value;
  return values;
}

/**
 * The owner of a block from its construct path, or, without one (a plan names only
 * addresses), from its Terraform name: cdktf names a resource after its construct path
 * below the stack, joined with `_`, plus a hash (`kubernetes_orders_workload_deployment_AED963EF`),
 * and service names have no `_`, so the second segment is the service.
 */
export function ownerOf(environment: string, name: string, constructPath?: string): string {
  if (constructPath !== undefined) return serviceOfPath(constructPath) ?? PLATFORM_OWNER;
  return serviceOfPath(constructPathFromName(environment, name)) ?? PLATFORM_OWNER;
}

/** `kubernetes_orders_workload_deployment_AED963EF` -> `<env>/kubernetes/orders/workload/deployment`. */
export function constructPathFromName(environment: string, name: string): string {
  const segments = name.split("_");
  if (segments.length > 1 && /^[0-9A-F]{8}$/.test(segments.at(-1)!)) segments.pop();
  return [environment, ...segments].join("/");
}

/**
 * Builds the snapshot of one synthesized stack (the parsed `cdk.tf.json`): its resources
 * as the guardrails read them ({@link SynthesizedStack}), then its data sources and settings.
 */
export function snapshotOfStack(environment: string, stack: StackJson): StackSnapshot {
  const synthesized = new SynthesizedStack(stack);
  const blocks = new Map<string, ConfigBlock>();
  const add = (block: ConfigBlock) => blocks.set(block.address, block);
  for (const resource of synthesized.resources) {
    const constructPath = resource.path || undefined;
    add({
      address: resource.address,
      kind: "resource",
      type: resource.type,
      constructPath,
      owner: ownerOf(environment, resource.name, constructPath),
      values: configurationValues(resource.values),
    });
  }
  for (const [type, byName] of Object.entries((stack.data ?? {}) as Record<string, Record<string, JsonObject>>)) {
    for (const [name, raw] of Object.entries(byName)) {
      const constructPath = constructPathOf(raw) || undefined;
      add({
        address: `data.${type}.${name}`,
        kind: "data",
        type,
        constructPath,
        owner: ownerOf(environment, name, constructPath),
        values: configurationValues(raw),
      });
    }
  }
  for (const [provider, configs] of Object.entries((stack.provider ?? {}) as Record<string, unknown>)) {
    const list = Array.isArray(configs) ? configs : [configs];
    list.forEach((config, index) => {
      const address = list.length === 1 ? `provider.${provider}` : `provider.${provider}[${index}]`;
      add({
        address,
        kind: "setting",
        type: "provider",
        owner: PLATFORM_OWNER,
        values: configurationValues(config as Record<string, unknown>),
      });
    });
  }
  for (const section of ["variable", "output", "locals"] as const) {
    for (const [name, raw] of Object.entries((stack[section] ?? {}) as Record<string, Record<string, unknown>>)) {
      add({
        address: `${section}.${name}`,
        kind: "setting",
        type: section,
        owner: PLATFORM_OWNER,
        values: configurationValues(raw),
      });
    }
  }
  if (stack.terraform !== undefined) {
    add({
      address: "terraform",
      kind: "setting",
      type: "terraform",
      owner: PLATFORM_OWNER,
      values: configurationValues(stack.terraform as Record<string, unknown>),
    });
  }
  return { environment, blocks, synthesized };
}

/**
 * Reads every synthesized stack under a cdktf output folder (`<outdir>/stacks/<env>/cdk.tf.json`),
 * keyed by environment, with the files read off the main thread, one stack at a time: it runs while the other side still synthesizes, and each parse blocks the event
 * loop only as long as one stack takes.
 */
export async function readSynthesizedStacksAsync(outdir: string): Promise<Map<string, StackSnapshot>> {
  const stacksDir = path.join(outdir, "stacks");
  const snapshots = new Map<string, StackSnapshot>();
  if (!existsSync(stacksDir)) return snapshots;
  const names = readdirSync(stacksDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  for (const name of sortEnvironments(names)) {
    const file = path.join(stacksDir, name, "cdk.tf.json");
    if (!existsSync(file)) continue;
    snapshots.set(name, snapshotOfStack(name, JSON.parse(await readFile(file, "utf8")) as StackJson));
  }
  return snapshots;
}

/**
 * Stack names in deploy order (local, addons-staging, staging, addons-production,
 * production), then any others by name.
 */
export function sortEnvironments(names: Iterable<string>): string[] {
  const known: readonly string[] = STACK_NAMES;
  const rank = (name: string) => (known.includes(name) ? known.indexOf(name) : known.length);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
