import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import { Certificate, ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1";
import { Cluster, ScheduledBackup } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1";
import { DestinationRule, VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1beta1";
import { AuthorizationPolicy, PeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1beta1";
import { PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { AlertmanagerConfig } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1";
import { ROOT } from "./cli.js";
import type { StackJson } from "./platform.js";

const require = createRequire(import.meta.url);

/** A model class of a `@kubernetes-models/*` package: `new Model(object).validate()` throws the schema's message. */
type KubernetesModel = new (data: any) => { validate(): void };

/**
 * The validator of one custom resource kind: a model of a `@kubernetes-models/*` package, or,
 * for a project that publishes none (Linkerd), ajv with the CRD's schema vendored in test/support/crds/.
 */
export interface CrdValidator {
  /** The package and its installed version, `@kubernetes-models/cloudnative-pg@0.1.4` (`ajv@8.20.0` for a vendored schema). */
  readonly validatedBy: string;
  /** The CRDs the package's schemas were generated from (its package.json `crd-generate` inputs), or the vendored schemas' release. */
  readonly crds: string;
  /** Throws the schema's message (`data/spec/instances must be integer`) when the object does not conform. */
  readonly validate: (manifest: Readonly<Record<string, unknown>>) => void;
}

const installed = (name: string): string =>
  `${name}@${(require(`${name}/package.json`) as { version: string }).version}`;

const validatorOf = (packageName: string, crds: string, Model: KubernetesModel): CrdValidator => ({
  validatedBy: installed(packageName),
  crds,
  validate: (manifest) => new Model(manifest).validate(),
});

/** What a Kubernetes structural schema's `x-kubernetes-int-or-string` allows: an integer or a string. */
const isIntOrString = (value: unknown) => typeof value === "string" || Number.isInteger(value);

/**
 * The `format`s of Kubernetes' OpenAPI schemas the vendored CRDs use, checked as the API server
 * does: whole numbers in range, a Go duration (`time.ParseDuration`: `1h30m`, `500ms`), an RFC 3339 time.
 */
const KUBERNETES_FORMATS = {
  int32: { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: "number", validate: (n: number) => Number.isSafeInteger(n) },
  duration: /^(0|[+-]?([0-9]+(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+)$/,
  "date-time": /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
} as const;

/**
 * One validator of every schema vendored from a CRD (`openAPIV3Schema`, see test/support/crds/):
 * every error, not the first (`allErrors`); `strict: false` so that Kubernetes' own keywords
 * (`x-kubernetes-preserve-unknown-fields`, `x-kubernetes-list-type`, ...) are tolerated, not
 * refused as unknown; `x-kubernetes-int-or-string` is checked, since it is a field's only type.
 */
const CRD_SCHEMAS = new Ajv({ strict: false, allErrors: true, formats: KUBERNETES_FORMATS }).addKeyword({
  keyword: "x-kubernetes-int-or-string",
  schemaType: "boolean",
  validate: (enabled: boolean, value: unknown) => !enabled || isIntOrString(value),
  errors: false,
});

/** A CRD's schema as vendored in test/support/crds/<file>: its source, group, kind and served versions. */
interface VendoredCrd {
  readonly source: string;
  readonly group: string;
  readonly kind: string;
  readonly versions: ReadonlyArray<{ readonly name: string; readonly schema: object }>;
}

/**
 * The validators of a CRD vendored in test/support/crds/<file>, keyed by kind (`<group>/<version> <kind>`),
 * one per served version the file holds. A refusal names ajv's paths (`data/spec must have required
 * property 'targetRef'`), as the @kubernetes-models validators do.
 */
function vendoredCrdValidators(file: string, crds: string): Record<string, CrdValidator> {
  const crd = JSON.parse(readFileSync(path.join(ROOT, "test/support/crds", file), "utf8")) as VendoredCrd;
  return Object.fromEntries(
    crd.versions.map(({ name, schema }) => {
      const validateSchema = CRD_SCHEMAS.compile(schema);
      const validator: CrdValidator = {
        validatedBy: installed("ajv"),
        crds,
        validate: (manifest) => {
          if (!validateSchema(manifest)) throw new Error(CRD_SCHEMAS.errorsText(validateSchema.errors));
        },
      };
      return [kindKey(`${crd.group}/${name}`, crd.kind), validator];
    }),
  );
}

const LINKERD_CRDS = "Linkerd edge-26.8.3";
const PROMETHEUS_OPERATOR = "@kubernetes-models/prometheus-operator";
const PROMETHEUS_OPERATOR_CRDS = "prometheus-operator v0.65.1";
const CERT_MANAGER = "@kubernetes-models/cert-manager";
const CERT_MANAGER_CRDS = "cert-manager v1.11.2";
const CLOUDNATIVE_PG = "@kubernetes-models/cloudnative-pg";
const CLOUDNATIVE_PG_CRDS = "CloudNativePG 1.24.1";
const ISTIO = "@kubernetes-models/istio";
const ISTIO_CRDS = "Istio 1.18.0";

/** The key of a kind in the tables below: `<apiVersion> <kind>`. */
export const kindKey = (apiVersion: unknown, kind: unknown): string => `${String(apiVersion)} ${String(kind)}`;

/**
 * The one table of custom resource kinds a stack may hand to `kubernetes_manifest` and the
 * schema each is validated against. A kind in neither this table nor
 * {@link KINDS_WITHOUT_VALIDATOR} fails the schema test, naming the kind.
 */
export const CRD_VALIDATORS: Readonly<Record<string, CrdValidator>> = {
  [kindKey("monitoring.coreos.com/v1", "ServiceMonitor")]: validatorOf(
    PROMETHEUS_OPERATOR,
    PROMETHEUS_OPERATOR_CRDS,
    ServiceMonitor,
  ),
  [kindKey("monitoring.coreos.com/v1", "PrometheusRule")]: validatorOf(
    PROMETHEUS_OPERATOR,
    PROMETHEUS_OPERATOR_CRDS,
    PrometheusRule,
  ),
  [kindKey("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig")]: validatorOf(
    PROMETHEUS_OPERATOR,
    PROMETHEUS_OPERATOR_CRDS,
    AlertmanagerConfig,
  ),
  [kindKey("cert-manager.io/v1", "ClusterIssuer")]: validatorOf(CERT_MANAGER, CERT_MANAGER_CRDS, ClusterIssuer),
  [kindKey("cert-manager.io/v1", "Certificate")]: validatorOf(CERT_MANAGER, CERT_MANAGER_CRDS, Certificate),
  [kindKey("postgresql.cnpg.io/v1", "Cluster")]: validatorOf(CLOUDNATIVE_PG, CLOUDNATIVE_PG_CRDS, Cluster),
  [kindKey("postgresql.cnpg.io/v1", "ScheduledBackup")]: validatorOf(
    CLOUDNATIVE_PG,
    CLOUDNATIVE_PG_CRDS,
    ScheduledBackup,
  ),
  [kindKey("security.istio.io/v1beta1", "PeerAuthentication")]: validatorOf(ISTIO, ISTIO_CRDS, PeerAuthentication),
  [kindKey("security.istio.io/v1beta1", "AuthorizationPolicy")]: validatorOf(ISTIO, ISTIO_CRDS, AuthorizationPolicy),
  [kindKey("networking.istio.io/v1beta1", "DestinationRule")]: validatorOf(ISTIO, ISTIO_CRDS, DestinationRule),
  [kindKey("networking.istio.io/v1beta1", "VirtualService")]: validatorOf(ISTIO, ISTIO_CRDS, VirtualService),
  ...vendoredCrdValidators("linkerd-server.json", LINKERD_CRDS),
  ...vendoredCrdValidators("linkerd-httproute.json", LINKERD_CRDS),
  ...vendoredCrdValidators("linkerd-authorization-policy.json", LINKERD_CRDS),
  ...vendoredCrdValidators("linkerd-meshtls-authentication.json", LINKERD_CRDS),
};

/**
 * Kinds the stacks hand to `kubernetes_manifest` for which no validator package exists,
 * each with the reason. Nothing else may be left unvalidated.
 */
export const KINDS_WITHOUT_VALIDATOR: Readonly<Record<string, string>> = {
  [kindKey("rabbitmq.com/v1beta1", "RabbitmqCluster")]:
    "no @kubernetes-models package (nor another maintained npm validator) exists for the RabbitMQ cluster operator's CRDs: `npm view @kubernetes-models/rabbitmq-cluster-operator` is 404",
};

/** One object a stack hands to `kubernetes_manifest`. */
export interface ManifestObject {
  /** `kubernetes_manifest.<logical id>`, as the findings name it. */
  readonly address: string;
  readonly manifest: Readonly<Record<string, any>>;
}

/** Every object a stack's JSON hands to `kubernetes_manifest`. */
export function manifestObjectsOf(stack: StackJson): ManifestObject[] {
  return Object.entries(stack.resource?.kubernetes_manifest ?? {}).map(([name, values]) => ({
    address: `kubernetes_manifest.${name}`,
    manifest: values.manifest as Record<string, any>,
  }));
}

/** A Terraform interpolation (`${...}`) or directive (`%{...}`), not its escaped literal (`$${`, `%%{`). */
const TERRAFORM_TEMPLATE = /(?<!\$)\$\{|(?<!%)%\{/;

/**
 * The paths (`spec.backup.destinationPath`) of the strings in an object that hold a Terraform
 * expression (`${...}`, `%{...}`): Terraform replaces them at plan time, so a schema would see
 * the expression, never the value it becomes.
 */
export function terraformExpressionPaths(value: unknown, at = ""): string[] {
  if (typeof value === "string") return TERRAFORM_TEMPLATE.test(value) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => terraformExpressionPaths(item, `${at}[${index}]`));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => terraformExpressionPaths(item, at ? `${at}.${key}` : key));
  return [];
}

/** What the schema check says of one object. */
export type SchemaVerdict =
  | { readonly outcome: "valid"; readonly validatedBy: string }
  | { readonly outcome: "invalid"; readonly problem: string }
  | { readonly outcome: "no validator package"; readonly reason: string };

/**
 * Validates one `kubernetes_manifest` object against the CRD schema of its kind (see
 * {@link CRD_VALIDATORS}). A kind with neither a validator nor a listed reason is invalid,
 * and so is an object holding a Terraform expression: its final value cannot be validated.
 */
export function checkManifestSchema(manifest: Readonly<Record<string, unknown>>): SchemaVerdict {
  const key = kindKey(manifest.apiVersion, manifest.kind);
  const validator = CRD_VALIDATORS[key];
  if (validator === undefined) {
    const reason = KINDS_WITHOUT_VALIDATOR[key];
    if (reason !== undefined) return { outcome: "no validator package", reason };
    return {
      outcome: "invalid",
      problem: `${key} has no CRD validator: add its @kubernetes-models model to CRD_VALIDATORS (test/support/crd-validators.ts), or list it in KINDS_WITHOUT_VALIDATOR with the reason no validator exists`,
    };
  }
  const expressions = terraformExpressionPaths(manifest);
  if (expressions.length > 0)
    return {
      outcome: "invalid",
      problem: `${key} holds Terraform expressions at ${expressions.join(", ")}: the schema would see the expression, not the value it becomes; give each a placeholder of the schema's type before validating`,
    };
  try {
    validator.validate(manifest);
    return { outcome: "valid", validatedBy: validator.validatedBy };
  } catch (error) {
    return {
      outcome: "invalid",
      problem: `${key} does not conform to the CRD schema of ${validator.crds} (${validator.validatedBy}): ${(error as Error).message}`,
    };
  }
}
