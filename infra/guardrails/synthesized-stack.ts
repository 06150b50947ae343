import { serviceOfPath } from "../construct-paths.js";
import { KubernetesIndex } from "./kubernetes-index.js";

/** A JSON object of the synthesized stack (snake_case keys, as Terraform reads them). */
export type JsonObject = { readonly [key: string]: unknown };

/** The synthesized JSON of one stack, as `cdk.tf.json` holds it. */
export interface StackJson {
  readonly terraform?: JsonObject;
  readonly resource?: { readonly [type: string]: { readonly [name: string]: JsonObject } };
  readonly [key: string]: unknown;
}

/** One resource of the synthesized JSON, with where it came from. */
export interface SynthesizedResource {
  /** Terraform resource type, like `kubernetes_deployment_v1`. */
  readonly type: string;
  /** The logical id, the key under the type in the JSON. */
  readonly name: string;
  /** `<type>.<logical id>`: how Terraform and the report name it. */
  readonly address: string;
  /** The construct path (`"//".metadata.path`), "" when the JSON does not carry it. */
  readonly path: string;
  /** The service it belongs to (from its path); undefined for the environment's own resources. */
  readonly service?: string;
  /** Its attributes, snake_case, tokens rendered as `${...}`. */
  readonly values: JsonObject;
}

/**
 * The resources of one synthesized stack, indexed once: by type, by address, and (on
 * first use) by Kubernetes namespace, name and labels for the rules that look across
 * resources. Built from JSON only, so the rules run the same on `cdk.tf.json`, on a
 * stack rendered in memory, or on JSON a test changed.
 */
export class SynthesizedStack {
  readonly terraform: JsonObject;
  readonly resources: readonly SynthesizedResource[];
  private readonly byType = new Map<string, SynthesizedResource[]>();
  private readonly byAddress = new Map<string, SynthesizedResource>();
  private kubernetesIndex?: KubernetesIndex;
  private readonly memos = new Map<string, unknown>();

  constructor(json: StackJson) {
    this.terraform = json.terraform ?? {};
    const resources: SynthesizedResource[] = [];
    for (const [type, named] of Object.entries(json.resource ?? {})) {
      const ofType: SynthesizedResource[] = [];
      for (const [name, values] of Object.entries(named)) {
        const path = constructPathOf(values);
        const resource: SynthesizedResource = {
          type,
          name,
          address: `${type}.${name}`,
          path,
          service: path ? serviceOfPath(path) : undefined,
          values,
        };
        ofType.push(resource);
        resources.push(resource);
        this.byAddress.set(resource.address, resource);
      }
      this.byType.set(type, ofType);
    }
    this.resources = resources;
  }

  /** The resources of one type, in the order of the JSON. */
  ofType(type: string): readonly SynthesizedResource[] {
    return this.byType.get(type) ?? [];
  }

  /** The resource at an address (`<type>.<logical id>`), if the stack has it. */
  at(address: string): SynthesizedResource | undefined {
    return this.byAddress.get(address);
  }

  /**
   * The resource a value refers to when the value is exactly one Terraform reference
   * to a resource of this stack (`${kubernetes_namespace_v1.ns.metadata[0].name}`),
   * with the attribute path after the resource; undefined otherwise.
   */
  referencedBy(value: unknown): { readonly resource: SynthesizedResource; readonly attribute: string } | undefined {
    if (typeof value !== "string") return undefined;
    const match = SINGLE_REFERENCE.exec(value);
    if (!match) return undefined;
    const resource = this.byAddress.get(`${match[1]}.${match[2]}`);
    return resource ? { resource, attribute: match[3] ?? "" } : undefined;
  }

  /**
   * A value derived from the whole stack (an index a rule needs), computed once per
   * stack on first use, so that rules stay linear in the number of resources.
   */
  memo<T>(key: string, compute: (stack: SynthesizedStack) => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute(this));
    return this.memos.get(key) as T;
  }

  /** Namespaces, names and labels of the Kubernetes resources, indexed on first use. */
  get kubernetes(): KubernetesIndex {
    this.kubernetesIndex ??= new KubernetesIndex(this);
    return this.kubernetesIndex;
  }
}

const SINGLE_REFERENCE = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\.(.+))?\}$/;

/** The construct path cdktf records in a block's `"//".metadata.path`; "" when the block carries none. */
export function constructPathOf(values: JsonObject): string {
  const meta = values["//"] as { metadata?: { path?: unknown } } | undefined;
  return typeof meta?.metadata?.path === "string" ? meta.metadata.path : "";
}
