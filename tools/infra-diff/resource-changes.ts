import type { Finding } from "../../infra/guardrails/evaluate.js";
import { diffAttributes, type AttributeChange } from "./attribute-diff.js";
import { forcesReplacement, hasReplacementRules } from "./replacement-rules.js";
import { reviewedAttributes } from "./reviewed-attributes.js";
import type { BlockKind, ConfigBlock, StackSnapshot } from "./stack-snapshot.js";
import { isObject } from "./values.js";

/** What Terraform does to a block. */
export type ResourceAction = "create" | "update" | "replace" | "delete";

/** An attribute change, and whether it alone makes Terraform replace the resource. */
export interface ResourceAttributeChange extends AttributeChange {
  readonly forcesReplacement: boolean;
}

/** One block that changes in one environment. */
export interface ResourceChange {
  readonly environment: string;
  readonly address: string;
  readonly kind: BlockKind;
  readonly type: string;
  readonly constructPath?: string;
  readonly owner: string;
  readonly action: ResourceAction;
  /** Why it is replaced, one sentence each (action `replace` only). */
  readonly replacementReasons: readonly string[];
  readonly attributes: readonly ResourceAttributeChange[];
}

/** The changes of one environment and the two configurations they come from. */
export interface EnvironmentDiff {
  readonly environment: string;
  /** Where the actions come from: two synthesized stacks, or a Terraform plan. */
  readonly source: "synth" | "plan";
  readonly before: StackSnapshot;
  readonly after: StackSnapshot;
  readonly changes: readonly ResourceChange[];
  /** Caveats a reviewer should know (types without replacement rules, ...). */
  readonly notes: readonly string[];
  /**
   * The guardrail findings of the two synthesized configurations (of the synths, also
   * when the actions come from a plan); undefined when a side has none.
   */
  readonly guardrailFindings?: GuardrailFindingsPair;
}

/** The guardrail findings of both sides of one environment. */
export interface GuardrailFindingsPair {
  readonly before: readonly Finding[];
  readonly after: readonly Finding[];
}

/**
 * The findings of both sides, when both were computed; a side without the environment
 * (no blocks) has none, so everything the other side finds is new.
 */
export function guardrailFindingsOf(before: StackSnapshot, after: StackSnapshot): GuardrailFindingsPair | undefined {
  const was = before.findings ?? (before.blocks.size === 0 ? [] : undefined);
  const now = after.findings ?? (after.blocks.size === 0 ? [] : undefined);
  return was && now ? { before: was, after: now } : undefined;
}

/**
 * Compares two synthesized stacks of one environment block by block (by Terraform
 * address) and attribute by attribute, and predicts each block's action from the
 * providers' replacement rules. A replacement carries over to every resource that
 * refers to the replaced one in an attribute that forces replacement (a container
 * whose image is rebuilt is replaced with it), as Terraform would plan it.
 */
export function compareStacks(before: StackSnapshot, after: StackSnapshot): EnvironmentDiff {
  const environment = after.environment;
  const changes = new Map<string, ResourceChange>();
  const typesWithoutRules = new Set<string>();

  for (const [address, previous] of before.blocks) {
    if (!after.blocks.has(address)) changes.set(address, change(environment, previous, "delete", [], []));
  }
  for (const [address, next] of after.blocks) {
    const previous = before.blocks.get(address);
    if (!previous) {
      changes.set(address, change(environment, next, "create", [], createdAttributes(next)));
      continue;
    }
    const attributes = diffAttributes(previous.values, next.values).map((a) => ({
      ...a,
      forcesReplacement: next.kind === "resource" && forcesReplacement(next.type, a.schemaPath),
    }));
    if (attributes.length === 0) continue;
    if (next.kind === "resource" && !hasReplacementRules(next.type)) typesWithoutRules.add(next.type);
    const forcing = attributes.filter((a) => a.forcesReplacement);
    const reasons = forcing.length > 0 ? [replacementReason(forcing)] : [];
    changes.set(address, change(environment, next, forcing.length > 0 ? "replace" : "update", reasons, attributes));
  }
  propagateReplacements(after, changes, environment);

  const notes =
    typesWithoutRules.size > 0
      ? [
          `no replacement rules for ${[...typesWithoutRules].sort().join(", ")}: their changes are shown as updates in place; a plan (--plan) knows better`,
        ]
      : [];
  return {
    environment,
    source: "synth",
    before,
    after,
    changes: [...changes.values()].sort(byAddress),
    notes,
    guardrailFindings: guardrailFindingsOf(before, after),
  };
}

function change(
  environment: string,
  block: ConfigBlock,
  action: ResourceAction,
  replacementReasons: string[],
  attributes: ResourceAttributeChange[],
): ResourceChange {
  return {
    environment,
    address: block.address,
    kind: block.kind,
    type: block.type,
    constructPath: block.constructPath,
    owner: block.owner,
    action,
    replacementReasons,
    attributes,
  };
}

/** Characters of a value a replacement reason shows before it is cut. */
const REASON_VALUE_WIDTH = 60;

/**
 * Why a resource is replaced, from the attributes that force it, each with its values:
 * `name (platform-local/prometheus:1a2b -> platform-local/prometheus:3c4d) cannot be
 * updated in place`. An attribute added or removed shows `(none)` on that side; the items
 * of a list that change show together (`triggers_replace (selector-v1 -> selector-v2)`).
 */
export function replacementReason(forcing: readonly AttributeChange[]): string {
  const byPath = new Map<string, AttributeChange[]>();
  for (const attribute of forcing) byPath.set(attribute.path, [...(byPath.get(attribute.path) ?? []), attribute]);
  const items = [...byPath].map(([path, changes]) => {
    const side = (values: unknown[]) => (values.length === 0 ? "(none)" : values.map(reasonValue).join(", "));
    const before = side(changes.map((c) => c.before).filter((v) => v !== undefined));
    const after = changes.some((c) => c.unknownAfter)
      ? "(known after apply)"
      : side(changes.map((c) => c.after).filter((v) => v !== undefined));
    return `${path} (${before} -> ${after})`;
  });
  return `${items.join(", ")} cannot be updated in place`;
}

function reasonValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > REASON_VALUE_WIDTH ? `${text.slice(0, REASON_VALUE_WIDTH - 1)}…` : text;
}

/** What a reviewer reads of a created block: the values {@link reviewedAttributes} lists for its type. */
export function createdAttributes(block: {
  readonly kind: BlockKind;
  readonly type: string;
  readonly values: unknown;
}): ResourceAttributeChange[] {
  if (block.kind !== "resource") return [];
  return reviewedAttributes(block.type, block.values).map((a) => ({ ...a, forcesReplacement: false }));
}

function byAddress(a: ResourceChange, b: ResourceChange): number {
  return a.address.localeCompare(b.address);
}

/** `${docker_image.x.image_id}`, `${data.y.z.id}`: the address a string refers to. */
const REFERENCE = /\$\{((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)[.[}]/g;

interface Reference {
  readonly from: string;
  readonly schemaPath: string;
  readonly path: string;
}

/**
 * Replaces (or updates) the resources that refer to a replaced one: the referred
 * attribute is known only after apply, so an attribute that forces replacement does.
 */
function propagateReplacements(after: StackSnapshot, changes: Map<string, ResourceChange>, environment: string): void {
  const queue = [...changes.values()].filter((c) => c.action === "replace").map((c) => c.address);
  if (queue.length === 0) return;
  const referrers = referenceIndex(after);
  while (queue.length > 0) {
    const replaced = queue.shift()!;
    for (const reference of referrers.get(replaced) ?? []) {
      const block = after.blocks.get(reference.from)!;
      const existing = changes.get(reference.from);
      if (existing && (existing.action === "create" || existing.action === "delete")) continue;
      const forcing = block.kind === "resource" && forcesReplacement(block.type, reference.schemaPath);
      const attribute: ResourceAttributeChange = {
        path: reference.path,
        schemaPath: reference.schemaPath,
        before: `(${replaced})`,
        after: undefined,
        unknownAfter: true,
        forcesReplacement: forcing,
      };
      const attributes = [...(existing?.attributes ?? []).filter((a) => a.path !== reference.path), attribute];
      const reasons = [...(existing?.replacementReasons ?? [])];
      if (forcing) reasons.push(propagatedReason(reference.path, replaced, changes.get(replaced)?.replacementReasons));
      const action = existing?.action === "replace" || forcing ? "replace" : "update";
      changes.set(reference.from, change(environment, block, action, reasons, attributes));
      if (action === "replace" && existing?.action !== "replace") queue.push(reference.from);
    }
  }
}

/**
 * Why a resource is replaced with one it refers to, with that one's own reasons: the
 * attribute that refers says where, the referred resource's reasons say what changed
 * (`image refers to docker_image.x, which is replaced because build.build_args.PROMETHEUS_IMAGE
 * (prom/prometheus:v3.5.0 -> prom/prometheus:v3.6.0) cannot be updated in place`). Along a
 * chain each link carries the reasons of the next, down to the change that started it.
 */
function propagatedReason(path: string, replaced: string, causes: readonly string[] = []): string {
  const because = causes.length > 0 ? ` because ${causes.join("; ")}` : "";
  return `${path} refers to ${replaced}, which is replaced${because}`;
}

/** Referred address -> the attributes that refer to it. */
function referenceIndex(stack: StackSnapshot): Map<string, Reference[]> {
  const index = new Map<string, Reference[]>();
  const visit = (value: unknown, from: string, path: string, schemaPath: string) => {
    if (typeof value === "string") {
      if (!value.includes("${")) return;
      for (const match of value.matchAll(REFERENCE)) {
        const list = index.get(match[1]!) ?? [];
        list.push({ from, path, schemaPath });
        index.set(match[1]!, list);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, from, `${path}[${i}]`, schemaPath);
      });
    } else if (isObject(value)) {
      for (const [key, item] of Object.entries(value))
        visit(item, from, path ? `${path}.${key}` : key, schemaPath ? `${schemaPath}.${key}` : key);
    }
  };
  for (const block of stack.blocks.values()) visit(block.values, block.address, "", "");
  return index;
}
