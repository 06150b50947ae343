import type { ResourceAmounts } from "../../infra/spec/quantity.js";

/**
 * The shape of `npm run infra:diff -- --format json` (documented in README.md, "Job 3").
 * Other tools read it: add fields, never rename or remove one without raising
 * `schemaVersion`.
 */

/** Raised when a field is renamed or removed. */
export const REPORT_SCHEMA_VERSION = 1;

/** Counts per environment, as in the summary table. */
export interface ChangeCounts {
  adds: number;
  changes: number;
  replacements: number;
  destroys: number;
}

/** The kinds of risk, in the order they are listed. */
export const RISK_KINDS = [
  "data-loss",
  "breaking-api-change",
  "deploy-order",
  "destroy",
  "replacement",
  "security-relaxation",
  "network-widening",
  "capacity",
] as const;
/** A kind of risk. */
export type RiskKind = (typeof RISK_KINDS)[number];

/** Something a reviewer should look at first, with the reason. */
export interface Risk {
  readonly kind: RiskKind;
  /**
   * The precise finding: `data-deleted`, `data-detached`, `data-volume-changed`, `database-major-version`, `destroy`, `replacement`, `new-guardrail-finding`, `changed-guardrail-finding`, `new-suppression`,
   * `new-edge`, `dependency-cycle`, `new-external-egress`, `wider-egress-cidr`,
   * `new-egress-port`, `new-inbound-source`, `new-public-endpoint`, `new-mesh-source`,
   * `wider-mesh-operation`, `mesh-guard-removed`, `mesh-setting-relaxed`, `mesh-removed`, `capacity-increase`,
   * `capacity-decrease`, `capacity-change`; for `breaking-api-change`, the breaking
   * {@link ApiChange} codes; for `deploy-order`, `deployed-answers-refused` or
   * `dependency-gains-api`.
   */
  readonly code: string;
  /** The environment, or null when it holds for every environment (a spec's suppression). */
  readonly environment: string | null;
  /** The service, or null for the environment's own resources and environment-wide findings. */
  readonly service: string | null;
  /** The Terraform addresses concerned, when the risk is about resources. */
  readonly resources: readonly string[];
  readonly reason: string;
  /**
   * For `network-widening` and `security-relaxation`: what widens or relaxes, and its state
   * before and after (`calls orders`: `not allowed` -> `allowed`), for the table a reviewer reads.
   */
  readonly change?: RiskChange;
  /**
   * For `breaking-api-change` and `deploy-order`: the services that call the changed
   * service (they depend on it in the head), by name; [] when none of this repository does.
   */
  readonly callers?: readonly string[];
}

/** What a risk changes, before and after, in a few words each. */
export interface RiskChange {
  readonly what: string;
  readonly before: string;
  readonly after: string;
}

/**
 * One difference between a service's API contract (its OpenAPI document,
 * `cdktf.out/api/<service>.openapi.json`) on the base and on the head.
 */
export interface ApiChange {
  /** `breaking` for a caller built against the base contract; `additive` otherwise. */
  readonly severity: "breaking" | "additive";
  /**
   * What changed: `operation-removed`, `operation-added`, `response-status-removed`,
   * `response-status-added`, `response-field-removed`, `response-field-added`,
   * `response-field-retyped`, `response-type-narrowed`, `response-field-optional`,
   * `response-field-required`, `response-enum-widened`, `response-enum-narrowed`,
   * `request-field-removed`, `request-field-added`, `request-field-required`,
   * `request-field-optional`, `request-field-retyped`, `request-type-widened`,
   * `request-enum-narrowed`, `request-enum-widened`, `request-closed`, `request-opened`,
   * `request-body-removed`, `request-body-added`, `response-body-added`,
   * `request-bound-narrowed`, `request-bound-widened`, `response-bound-narrowed`,
   * `response-bound-widened`, `unclassified-change`. A response field added as required is
   * `response-field-required` (as one made required), an optional one `response-field-added`.
   */
  readonly code: string;
  /** The operation: `GET /products/{id}`. */
  readonly operation: string;
  /** Where in it: `response 200 field items[].priceCents`, `query parameter limit`; null for the operation itself. */
  readonly field: string | null;
  /** The change in one sentence, operation included. */
  readonly description: string;
}

/** One changed attribute of a resource. */
export interface AttributeReport {
  readonly path: string;
  /** Absent when the attribute is new. */
  readonly before?: unknown;
  /** Absent when the attribute is removed or known only after apply. */
  readonly after?: unknown;
  readonly forcesReplacement: boolean;
  readonly unknownAfter: boolean;
}

/** One resource (or setting block) that changes. */
export interface ResourceReport {
  readonly address: string;
  readonly type: string;
  /** `resource`, `data` or `setting` (provider, variable, output, terraform blocks); only resources are counted. */
  readonly kind: "resource" | "data" | "setting";
  readonly constructPath: string | null;
  readonly action: "create" | "update" | "replace" | "delete";
  readonly replacementReasons: readonly string[];
  readonly attributes: readonly AttributeReport[];
}

/** What changes for one service (or, under the name `platform`, for the environments' own resources). */
export interface ServiceReport {
  readonly name: string;
  /**
   * The one readable line, by where each part holds: `every environment: image 1.0.0 -> 1.1.0,
   * new egress to payments; production: min replicas 2 -> 3`.
   */
  readonly summary: string;
  /** The parts of the summary line, each naming where it holds: `min replicas 2 -> 3 (production)`, `image 1.0.0 -> 1.1.0 (every environment)`. */
  readonly items: readonly string[];
  /** The changed resources, by environment. */
  readonly environments: Readonly<Record<string, readonly ResourceReport[]>>;
  /** The changes of its API contract, breaking first; absent when its contract did not change. */
  readonly apiChanges?: readonly ApiChange[];
}

/** A service-to-service edge that is allowed now and was not, or the reverse. */
export interface EdgeChange {
  readonly from: string;
  readonly to: string;
  readonly change: "added" | "removed";
  readonly environments: readonly string[];
}

/** cpu in millicores and memory in MiB, at minimum and at maximum replicas. */
export interface CapacityTotals {
  readonly atMin: ResourceAmounts;
  readonly atMax: ResourceAmounts;
}

/** An environment's total requested cpu and memory, before and after. */
export interface CapacityReport {
  readonly environment: string;
  /** `request` (Kubernetes requests) or `limit` (Docker, which has no requests). */
  readonly basis: "request" | "limit";
  readonly before: CapacityTotals;
  readonly after: CapacityTotals;
}

/** The whole report. */
export interface InfraDiffReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly base: { readonly ref: string | null; readonly commit: string | null };
  /** `ref` is null for the working tree. */
  readonly head: { readonly ref: string | null; readonly commit: string | null };
  /** False when nothing differs (the command then exits 0). */
  readonly changed: boolean;
  readonly summary: {
    readonly total: ChangeCounts;
    readonly environments: Readonly<Record<string, ChangeCounts & { readonly source: "synth" | "plan" }>>;
  };
  readonly risks: readonly Risk[];
  readonly services: readonly ServiceReport[];
  readonly edges: readonly EdgeChange[];
  readonly capacity: readonly CapacityReport[];
  readonly notes: readonly string[];
}
