import { RUNTIME_DEFAULTS } from "../../../infra/spec/runtime-defaults.js";
import {
  type BackingServiceDeclaration,
  type BackingServiceKind,
  defineManifest,
  type ServiceManifest,
} from "./service-manifest.js";

/** A backing service as a spec declares it; the runtime reads its type and its queues. */
export interface SpecBackingService {
  readonly type: BackingServiceKind;
  readonly queues?: readonly string[];
}

/**
 * What the runtime reads of a service's spec: the default export of its `service.ts`
 * (`defineService({...})`). Any spec has this shape; the rest of it is the platform's.
 */
export interface SpecOfCode {
  readonly name: string;
  readonly port: number;
  readonly dependsOn?: readonly string[];
  readonly backingServices?: Readonly<Record<string, SpecBackingService>>;
  readonly uses?: readonly string[];
  // The index signatures let these all-optional objects hold the spec's other fields.
  readonly health?: { readonly liveness?: string; readonly readiness?: string; readonly [field: string]: unknown };
  readonly monitoring?: { readonly metricsPath?: string; readonly [field: string]: unknown };
}

/** The references in a spec's `uses`, like `"fulfilment.queue"`. */
export type UsedReference<S> = S extends { readonly uses?: readonly (infer R extends string)[] } ? R : never;

/** The specs of the owners of the backing services a spec uses, by reference: `{ "fulfilment.queue": fulfilment }`. */
export type OwnerSpecs<S> = { readonly [R in UsedReference<S>]: SpecOfCode };

/** A declared backing service as the code knows it: its type, and a queue's queues. */
type DeclarationOf<D> = D extends { readonly type: "queue"; readonly queues: infer Q extends readonly string[] }
  ? { readonly type: "queue"; readonly queues: Q }
  : D extends { readonly type: infer T extends "postgres" | "redis" }
    ? { readonly type: T }
    : BackingServiceDeclaration;

/** The backing services a spec owns, by name, typed by their declared type. */
type OwnedOf<S> = S extends { readonly backingServices?: infer B }
  ? { readonly [N in keyof NonNullable<B> & string]: DeclarationOf<NonNullable<B>[N]> }
  : Record<never, never>;

/** The backing services a spec uses, by reference, typed by the owner's declaration. */
type UsedOf<S, U> = {
  readonly [R in UsedReference<S>]: R extends `${string}.${infer N}`
    ? R extends keyof U
      ? U[R] extends { readonly backingServices?: infer B }
        ? N extends keyof NonNullable<B>
          ? DeclarationOf<NonNullable<B>[N]>
          : never
        : never
      : never
    : never;
};

/** The manifest of spec `S` whose used backing services' owners are `U`: literal types kept. */
export type ManifestOf<S extends SpecOfCode, U = Record<never, never>> = {
  readonly name: S["name"];
  readonly port: number;
  readonly dependencies: readonly string[];
  readonly backingServices: OwnedOf<S>;
  readonly uses: UsedOf<S, U>;
  readonly health: { readonly liveness: string; readonly readiness: string };
  readonly metricsPath: string;
};

/** What {@link manifestOf} needs besides the spec. */
export interface ManifestOptions<U> {
  /**
   * The spec (`service.ts` default export) of the owner of each backing service in
   * `uses`, by reference: `{ "fulfilment.queue": fulfilment }`. The type of a used
   * backing service, and a queue's queues, are the owner's to declare.
   * @default none: a spec with `uses` must give them
   */
  readonly uses?: U;
}

/**
 * What the service's code must know of its spec, derived from `service.ts` itself: its
 * name, port, dependencies, backing services (its own, and those it uses with the type
 * their owner declares) and the paths the platform probes and scrapes, with the spec's
 * defaults. The types stay literal, so `context.resource("db")` is typed by the declared type.
 *
 *     import spec from "../service.js";
 *     import fulfilment from "../../fulfilment/service.js";
 *     export const MANIFEST = manifestOf(spec, { uses: { "fulfilment.queue": fulfilment } });
 *
 * Throws, naming `service.ts` and the field, when a used backing service's owner spec is
 * missing or does not declare it, and for what {@link defineManifest} refuses.
 */
export function manifestOf<const S extends SpecOfCode, const U extends OwnerSpecs<S> = OwnerSpecs<S>>(
  spec: S,
  ...[options = {}]: [UsedReference<S>] extends [never]
    ? [options?: ManifestOptions<U>]
    : [options: ManifestOptions<U> & { readonly uses: U }]
): ManifestOf<S, U> {
  const owners: Readonly<Record<string, SpecOfCode | undefined>> = options.uses ?? {};
  const references = spec.uses ?? [];
  for (const given of Object.keys(owners))
    if (!references.includes(given))
      throw new Error(
        `service.ts: manifestOf was given the owner of ${JSON.stringify(given)}, which is not in uses; uses: ${references.join(", ") || "(none)"}`,
      );
  const manifest: ServiceManifest = {
    name: spec.name,
    port: spec.port,
    dependencies: [...(spec.dependsOn ?? [])],
    backingServices: Object.fromEntries(
      Object.entries(spec.backingServices ?? {}).map(([name, declared]) => [name, declarationOf(declared)]),
    ),
    uses: Object.fromEntries(
      references.map((reference, index) => [reference, usedDeclaration(reference, index, owners[reference])]),
    ),
    health: {
      liveness: spec.health?.liveness ?? RUNTIME_DEFAULTS.liveness,
      readiness: spec.health?.readiness ?? RUNTIME_DEFAULTS.readiness,
    },
    metricsPath: spec.monitoring?.metricsPath ?? RUNTIME_DEFAULTS.metricsPath,
  };
  return defineManifest(manifest) as ManifestOf<S, U>;
}

/** The type (and a queue's queues) of a declared backing service, without the rest of its spec. */
function declarationOf(declared: SpecBackingService): BackingServiceDeclaration {
  return declared.type === "queue"
    ? { type: "queue", queues: [...(declared.queues ?? [])] }
    : ({ type: declared.type } as BackingServiceDeclaration);
}

/** The declaration of the backing service `reference` (`owner.resource`) names, as its owner's spec declares it. */
function usedDeclaration(reference: string, index: number, owner: SpecOfCode | undefined): BackingServiceDeclaration {
  const field = `service.ts: uses[${index}] ${JSON.stringify(reference)}`;
  const dot = reference.indexOf(".");
  const [ownerName, resource] = [reference.slice(0, dot), reference.slice(dot + 1)];
  if (owner === undefined)
    throw new Error(
      `${field}: the spec of its owner is not given; pass it: manifestOf(spec, { uses: { ${JSON.stringify(reference)}: ${ownerName} } }) with ${ownerName} the default export of services/${ownerName}/service.ts`,
    );
  if (owner.name !== ownerName)
    throw new Error(`${field}: the spec given is ${JSON.stringify(owner.name)}'s; give ${JSON.stringify(ownerName)}'s`);
  const declared = owner.backingServices?.[resource];
  if (declared === undefined)
    throw new Error(
      `${field}: ${ownerName}'s service.ts declares no backing service ${JSON.stringify(resource)}; it declares: ${Object.keys(owner.backingServices ?? {}).join(", ") || "(none)"}`,
    );
  return declarationOf(declared);
}
