import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverServices } from "../../../../infra/discover-services.js";
import { peerAuthenticationManifest } from "../../../../infra/targets/kubernetes/mesh/istio-policies.js";
import { ROOT } from "../../../support/cli.js";
import {
  checkManifestSchema,
  CRD_VALIDATORS,
  KINDS_WITHOUT_VALIDATOR,
  kindKey,
  manifestObjectsOf,
  type ManifestObject,
} from "../../../support/crd-validators.js";
import { DATABASE_VARIABLES } from "../../../support/data-stacks.js";
import { EVERY_FIELD } from "../../../support/every-field-spec.js";
import { guardrailsFixture } from "../../../support/guardrails.js";
import { LINKERD_MESH_VARIABLES, service, synthPlatform, type StackJson } from "../../../support/platform.js";

const KUBERNETES_ENVIRONMENTS = ["staging", "production"] as const;

/** The Istio kinds a meshed environment's stack writes (infra/targets/kubernetes/mesh/istio-policies.ts). */
const ISTIO_KINDS = ["AuthorizationPolicy", "DestinationRule", "PeerAuthentication", "VirtualService"];

/**
 * The spec of every field, made deployable in production: its database gets the default three
 * instances there (DATA-02 refuses one), and it drops a suppression nothing here needs.
 */
const { guardrails: _unneeded, ...EVERY_FIELD_UNSUPPRESSED } = EVERY_FIELD;
const { instances: _one, ...STORE_OF_DEFAULT_INSTANCES } = EVERY_FIELD.backingServices.store;
const DEPLOYABLE_EVERY_FIELD = {
  ...EVERY_FIELD_UNSUPPRESSED,
  backingServices: { ...EVERY_FIELD.backingServices, store: STORE_OF_DEFAULT_INSTANCES },
};

/**
 * A catalogue in which the Kubernetes target writes every custom resource it can: orders
 * (every spec field: a PostgreSQL database with CPU limits, a Redis, a queue, latency and
 * availability SLOs) and catalog (a PostgreSQL 16 database without CPU limit, metrics on a
 * port of their own, default monitoring). With DATABASE_VARIABLES, production's databases
 * are backed up (Cluster `backup` + ScheduledBackup); the scrape default is the
 * prometheus-operator (ServiceMonitor, PrometheusRule, the environment's recording rules).
 */
const EVERY_KIND_CATALOGUE = () => [
  service(DEPLOYABLE_EVERY_FIELD),
  service({
    name: "catalog",
    build: {},
    port: 8081,
    monitoring: { metricsPort: 9464 },
    backingServices: { products: { type: "postgres", version: 16 } },
  }),
];

/** `<apiVersion> <kind>` of every `apiVersion: "...", kind: "..."` literal in these TypeScript sources. */
function kindsWrittenIn(folder: string): Set<string> {
  const kinds = new Set<string>();
  for (const entry of readdirSync(folder, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".ts")) continue;
    const source = readFileSync(path.join(folder, entry), "utf8");
    for (const [, apiVersion, kind] of source.matchAll(/apiVersion:\s*"([^"]+)",\s*kind:\s*"([^"]+)"/g))
      kinds.add(kindKey(apiVersion, kind));
  }
  return kinds;
}

/** Built-in Kubernetes API groups (`apps/v1`, `networking.k8s.io/v1`): typed provider resources, not CRDs. */
const isBuiltIn = (key: string) => {
  const group = key.split(" ")[0]!.split("/").slice(0, -1).join("/");
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
};

/**
 * The objects of a stack that fail the schema check, as `<address>: <problem>`. No object the
 * platform writes holds a Terraform expression (`${...}`) today; the check refuses one, naming
 * the field, rather than validate the expression's text as if it were the value.
 */
const schemaProblems = (objects: readonly ManifestObject[]) =>
  objects.flatMap(({ address, manifest }) => {
    const verdict = checkManifestSchema(manifest);
    return verdict.outcome === "invalid" ? [`${address}: ${verdict.problem}`] : [];
  });

describe("the objects the stacks hand to kubernetes_manifest, validated against their CRD schemas", () => {
  // The committed snapshots are the example stacks as `npm run synth` writes them (example-catalogue.test.ts).
  const examples = Object.fromEntries(
    KUBERNETES_ENVIRONMENTS.map((environment) => [
      environment,
      JSON.parse(
        readFileSync(path.join(ROOT, "test/infra/__snapshots__", `${environment}.cdk.tf.json`), "utf8"),
      ) as StackJson,
    ]),
  );
  let catalogue: Record<string, StackJson>;
  let istio: Record<string, StackJson>;
  let linkerd: Record<string, StackJson>;
  beforeAll(async () => {
    // GIVEN the catalogue that writes every kind, with backups configured for production
    catalogue = synthPlatform(EVERY_KIND_CATALOGUE(), DATABASE_VARIABLES);
    // AND the example catalogue (whose services call each other) in Istio's mesh
    istio = synthPlatform(await discoverServices(ROOT), { PLATFORM_MESH: "istio" });
    // AND the catalogue of every kind in a Linkerd mesh (orders calls catalog, whose metrics have a port of their own)
    linkerd = synthPlatform(EVERY_KIND_CATALOGUE(), { ...DATABASE_VARIABLES, ...LINKERD_MESH_VARIABLES });
  });

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN every object of the example %s stack conforms to the CRD schema of its kind",
    (environment) => {
      const objects = manifestObjectsOf(examples[environment]!);
      expect(objects.length).toBeGreaterThan(0);
      expect(schemaProblems(objects)).toEqual([]);
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN every object the catalogue of every kind writes in %s conforms to the CRD schema of its kind",
    (environment) => {
      const objects = manifestObjectsOf(catalogue[environment]!);
      expect(schemaProblems(objects)).toEqual([]);
      // Each validated kind really went through its validator (not skipped as unlisted or without one).
      const validated = new Set(
        objects
          .filter(({ manifest }) => checkManifestSchema(manifest).outcome === "valid")
          .map(({ manifest }) => manifest.kind),
      );
      expect([...validated].sort()).toEqual(
        environment === "production"
          ? ["Cluster", "ClusterIssuer", "PrometheusRule", "ScheduledBackup", "ServiceMonitor"]
          : ["Cluster", "ClusterIssuer", "PrometheusRule", "ServiceMonitor"],
      );
      // Both shapes of a ServiceMonitor: metrics on the service's port, and on a port of their own.
      const scrapedPorts = objects
        .filter(({ manifest }) => manifest.kind === "ServiceMonitor")
        .map(({ manifest }) => manifest.spec.endpoints[0].port);
      expect(new Set(scrapedPorts)).toEqual(new Set(["http", "metrics"]));
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "GIVEN PLATFORM_MESH=istio, THEN every object of the example %s stack, the Istio ones with them, conforms to the CRD schema of its kind",
    (environment) => {
      const objects = manifestObjectsOf(istio[environment]!);
      expect(schemaProblems(objects)).toEqual([]);
      const validated = new Set(
        objects
          .filter(({ manifest }) => checkManifestSchema(manifest).outcome === "valid")
          .map(({ manifest }) => manifest.kind),
      );
      expect([...validated].filter((kind) => ISTIO_KINDS.includes(kind)).sort()).toEqual(ISTIO_KINDS);
    },
  );

  it.each(KUBERNETES_ENVIRONMENTS)(
    "GIVEN PLATFORM_MESH=linkerd THEN every object of the %s stack conforms to its CRD schema, Linkerd's four kinds included",
    (environment) => {
      const objects = manifestObjectsOf(linkerd[environment]!);
      expect(schemaProblems(objects)).toEqual([]);
      const linkerdKinds = objects
        .filter(({ manifest }) => String(manifest.apiVersion).startsWith("policy.linkerd.io/"))
        .map(({ manifest }) => {
          expect(checkManifestSchema(manifest)).toEqual({
            outcome: "valid",
            validatedBy: expect.stringMatching(/^ajv@8\./),
          });
          return kindKey(manifest.apiVersion, manifest.kind);
        });
      expect([...new Set(linkerdKinds)].sort()).toEqual([
        "policy.linkerd.io/v1alpha1 AuthorizationPolicy",
        "policy.linkerd.io/v1alpha1 MeshTLSAuthentication",
        "policy.linkerd.io/v1beta3 HTTPRoute",
        "policy.linkerd.io/v1beta3 Server",
      ]);
    },
  );

  it("THEN the catalogue writes every custom resource kind the platform's sources name, so none goes unchecked", () => {
    // GIVEN every apiVersion/kind pair written in infra/ that is not a built-in Kubernetes kind
    const written = [...kindsWrittenIn(path.join(ROOT, "infra"))].filter((key) => !isBuiltIn(key));
    const synthesized = new Set(
      KUBERNETES_ENVIRONMENTS.flatMap((environment) =>
        [
          ...manifestObjectsOf(catalogue[environment]!),
          ...manifestObjectsOf(istio[environment]!),
          ...manifestObjectsOf(linkerd[environment]!),
        ].map(({ manifest }) => kindKey(manifest.apiVersion, manifest.kind)),
      ),
    );
    // THEN the sources name the kinds this test knows, and the catalogue synthesizes each of them
    expect(written).toEqual(expect.arrayContaining([kindKey("postgresql.cnpg.io/v1", "ScheduledBackup")]));
    expect(
      written.filter((key) => !synthesized.has(key)),
      "kinds the sources write that neither EVERY_KIND_CATALOGUE (with or without Linkerd's mesh) nor the example catalogue in Istio's mesh synthesizes: give it a service that writes them",
    ).toEqual([]);
  });

  it("THEN the only kind left unvalidated is the RabbitmqCluster, for want of a validator package", () => {
    const unvalidated = KUBERNETES_ENVIRONMENTS.flatMap((environment) =>
      [...manifestObjectsOf(catalogue[environment]!), ...manifestObjectsOf(examples[environment]!)]
        .map(({ manifest }) => ({
          key: kindKey(manifest.apiVersion, manifest.kind),
          verdict: checkManifestSchema(manifest),
        }))
        .filter(({ verdict }) => verdict.outcome === "no validator package")
        .map(({ key }) => key),
    );
    expect(new Set(unvalidated)).toEqual(new Set([kindKey("rabbitmq.com/v1beta1", "RabbitmqCluster")]));
    expect(Object.keys(KINDS_WITHOUT_VALIDATOR)).toEqual([kindKey("rabbitmq.com/v1beta1", "RabbitmqCluster")]);
  });

  it.each(KUBERNETES_ENVIRONMENTS)(
    "THEN every typed Kubernetes resource of the catalogue of every kind passes the guardrails in %s",
    (environment) => {
      const errors = guardrailsFixture(environment, EVERY_KIND_CATALOGUE(), DATABASE_VARIABLES)
        .findings()
        .filter((finding) => finding.level === "error" && !finding.suppressed)
        .map(({ rule, resource, message }) => `${rule} ${resource}: ${message}`);
      expect(errors).toEqual([]);
    },
  );
});

describe("the CRD schema check fails a wrong object", () => {
  let production: ManifestObject[];
  beforeAll(() => {
    production = manifestObjectsOf(synthPlatform(EVERY_KIND_CATALOGUE(), DATABASE_VARIABLES).production!);
  });
  /** A deep copy of the catalogue's object of a kind, named `name`, for a test to break. */
  const objectOf = (kind: string, name: string): Record<string, any> =>
    structuredClone(
      production.find(({ manifest }) => manifest.kind === kind && manifest.metadata.name === name)!.manifest,
    );

  it("GIVEN a ServiceMonitor whose endpoint port is a number, not the port's name, THEN it is refused at that field", () => {
    const monitor = objectOf("ServiceMonitor", "orders");
    expect(checkManifestSchema(monitor).outcome).toBe("valid");
    monitor.spec.endpoints[0].port = 8080;
    expect(checkManifestSchema(monitor)).toEqual({
      outcome: "invalid",
      problem: expect.stringMatching(
        /^monitoring\.coreos\.com\/v1 ServiceMonitor does not conform to the CRD schema of prometheus-operator v0\.65\.1 \(@kubernetes-models\/prometheus-operator@4\.4\.4\): .*data\/spec\/endpoints\/0\/port must be string/,
      ),
    });
  });

  it("GIVEN a CloudNativePG Cluster without instances, THEN it is refused naming the required field", () => {
    const cluster = objectOf("Cluster", "orders-store");
    expect(checkManifestSchema(cluster).outcome).toBe("valid");
    delete cluster.spec.instances;
    expect(checkManifestSchema(cluster)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringContaining("data/spec must have required property instances"),
    });
  });

  it("GIVEN a Cluster whose instances are a string, THEN it is refused: the schema wants an integer", () => {
    const cluster = objectOf("Cluster", "orders-store");
    cluster.spec.instances = "3";
    expect(checkManifestSchema(cluster)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringContaining("data/spec/instances must be integer"),
    });
  });

  it("GIVEN a ScheduledBackup with an unknown backup method, THEN it is refused: the schema lists the methods", () => {
    const backup = objectOf("ScheduledBackup", "orders-store-daily");
    expect(checkManifestSchema(backup).outcome).toBe("valid");
    backup.spec.method = "tape";
    expect(checkManifestSchema(backup)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringContaining("data/spec/method must be equal to one of the allowed values"),
    });
  });

  it("GIVEN a cert-manager ClusterIssuer (none is synthesized yet), THEN a correct one passes and one with a wrong field type is refused", () => {
    const issuer = {
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: "letsencrypt" },
      spec: {
        acme: {
          server: "https://acme-v02.api.letsencrypt.org/directory",
          email: "platform@example.com",
          privateKeySecretRef: { name: "letsencrypt-account-key" },
          solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
        },
      },
    };
    expect(checkManifestSchema(issuer).outcome).toBe("valid");
    const broken = structuredClone(issuer) as Record<string, any>;
    broken.spec.acme.solvers = { http01: {} };
    expect(checkManifestSchema(broken)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringContaining("data/spec/acme/solvers must be array"),
    });
  });

  it("GIVEN an Istio PeerAuthentication with an unknown mTLS mode, or a VirtualService whose retry attempts are a string, THEN each is refused at that field", () => {
    const peer = peerAuthenticationManifest("platform-staging") as Record<string, any>;
    expect(checkManifestSchema(peer).outcome).toBe("valid");
    peer.spec.mtls.mode = "STRICTER";
    expect(checkManifestSchema(peer)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringContaining("data/spec/mtls/mode must be equal to one of the allowed values"),
    });
    const virtualService = {
      apiVersion: "networking.istio.io/v1beta1",
      kind: "VirtualService",
      metadata: { name: "catalog" },
      spec: { hosts: ["catalog"], http: [{ route: [{ destination: { host: "catalog" } }], retries: { attempts: 2 } }] },
    };
    expect(checkManifestSchema(virtualService).outcome).toBe("valid");
    virtualService.spec.http[0]!.retries.attempts = "2" as unknown as number;
    expect(checkManifestSchema(virtualService)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringMatching(
        /^networking\.istio\.io\/v1beta1 VirtualService does not conform to the CRD schema of Istio 1\.18\.0 \(@kubernetes-models\/istio@2\.3\.0\): .*data\/spec\/http\/0\/retries\/attempts must be integer/,
      ),
    });
  });

  it("GIVEN a misspelled field, THEN it passes: a known gap, these generated schemas do not refuse unknown fields", () => {
    // The API server prunes such a field (or refuses it under strict field validation); this check does not see it.
    const cluster = objectOf("Cluster", "orders-store");
    cluster.spec.enableSuperUserAccess = cluster.spec.enableSuperuserAccess;
    delete cluster.spec.enableSuperuserAccess;
    expect(checkManifestSchema(cluster).outcome).toBe("valid");
  });

  it("GIVEN an object of a kind in neither table, THEN it is refused naming the kind", () => {
    expect(
      checkManifestSchema({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: {} }),
    ).toEqual({
      outcome: "invalid",
      problem: expect.stringMatching(/^example\.com\/v1 Widget has no CRD validator: add its @kubernetes-models model/),
    });
  });

  it("GIVEN a known kind under another apiVersion, THEN it is refused: the table maps apiVersion and kind together", () => {
    const monitor = { ...objectOf("ServiceMonitor", "orders"), apiVersion: "monitoring.coreos.com/v2" };
    expect(checkManifestSchema(monitor)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringContaining("monitoring.coreos.com/v2 ServiceMonitor has no CRD validator"),
    });
  });

  it("GIVEN a Terraform expression in an object, THEN it is refused naming the field: its final value cannot be validated", () => {
    const cluster = objectOf("Cluster", "orders-store");
    cluster.spec.storage.size = "${var.orders_storage}";
    // An escaped literal (`$${`) is no expression: Terraform writes it as `${` unchanged.
    cluster.metadata.annotations = { note: "$${not-an-expression}" };
    expect(checkManifestSchema(cluster)).toMatchObject({
      outcome: "invalid",
      problem: expect.stringMatching(/holds Terraform expressions at spec\.storage\.size: /),
    });
  });

  describe("GIVEN the Linkerd objects of the catalogue of every kind (PLATFORM_MESH=linkerd)", () => {
    let meshed: ManifestObject[];
    beforeAll(() => {
      meshed = manifestObjectsOf(
        synthPlatform(EVERY_KIND_CATALOGUE(), { ...DATABASE_VARIABLES, ...LINKERD_MESH_VARIABLES }).production!,
      );
    });
    const linkerdObject = (kind: string, name: string): Record<string, any> =>
      structuredClone(
        meshed.find(({ manifest }) => manifest.kind === kind && manifest.metadata.name === name)!.manifest,
      );

    it("WHEN an AuthorizationPolicy has no targetRef THEN it is refused naming the required field", () => {
      const policy = linkerdObject("AuthorizationPolicy", "catalog-callers");
      expect(checkManifestSchema(policy).outcome).toBe("valid");
      delete policy.spec.targetRef;
      expect(checkManifestSchema(policy)).toEqual({
        outcome: "invalid",
        problem: expect.stringMatching(
          /^policy\.linkerd\.io\/v1alpha1 AuthorizationPolicy does not conform to the CRD schema of Linkerd edge-26\.8\.3 \(ajv@8\.20\.0\): .*data\/spec must have required property 'targetRef'/,
        ),
      });
    });

    it("WHEN a Server's port is neither a number nor a name THEN it is refused: x-kubernetes-int-or-string is checked", () => {
      const server = linkerdObject("Server", "catalog-metrics");
      expect(checkManifestSchema(server).outcome).toBe("valid");
      server.spec.port = { name: "metrics" };
      expect(checkManifestSchema(server)).toMatchObject({
        outcome: "invalid",
        problem: expect.stringContaining('data/spec/port must pass "x-kubernetes-int-or-string" keyword validation'),
      });
    });

    it("WHEN a Server selects no pods THEN it is refused: the schema wants a podSelector or an externalWorkloadSelector", () => {
      const server = linkerdObject("Server", "catalog");
      delete server.spec.podSelector;
      expect(checkManifestSchema(server)).toMatchObject({
        outcome: "invalid",
        problem: expect.stringContaining("data/spec must match exactly one schema in oneOf"),
      });
    });

    it("WHEN a MeshTLSAuthentication names no identity THEN it is refused: identityRefs needs one at least", () => {
      const authentication = linkerdObject("MeshTLSAuthentication", "catalog-callers");
      expect(checkManifestSchema(authentication).outcome).toBe("valid");
      authentication.spec.identityRefs = [];
      expect(checkManifestSchema(authentication)).toMatchObject({
        outcome: "invalid",
        problem: expect.stringContaining("data/spec/identityRefs must NOT have fewer than 1 items"),
      });
    });

    it("WHEN an HTTPRoute matches an unknown method THEN it is refused: the schema lists the methods", () => {
      const route = linkerdObject("HTTPRoute", "catalog-idempotent");
      expect(checkManifestSchema(route).outcome).toBe("valid");
      route.spec.rules[0].matches[0].method = "FETCH";
      expect(checkManifestSchema(route)).toMatchObject({
        outcome: "invalid",
        problem: expect.stringContaining(
          "data/spec/rules/0/matches/0/method must be equal to one of the allowed values",
        ),
      });
    });
  });

  it("THEN every kind of the table is validated by an installed @kubernetes-models package, or by ajv with Linkerd's vendored schemas", () => {
    expect(
      Object.fromEntries(Object.entries(CRD_VALIDATORS).map(([key, { validatedBy }]) => [key, validatedBy])),
    ).toEqual({
      "monitoring.coreos.com/v1 ServiceMonitor": "@kubernetes-models/prometheus-operator@4.4.4",
      "monitoring.coreos.com/v1 PrometheusRule": "@kubernetes-models/prometheus-operator@4.4.4",
      "monitoring.coreos.com/v1alpha1 AlertmanagerConfig": "@kubernetes-models/prometheus-operator@4.4.4",
      "cert-manager.io/v1 ClusterIssuer": "@kubernetes-models/cert-manager@4.4.4",
      "cert-manager.io/v1 Certificate": "@kubernetes-models/cert-manager@4.4.4",
      "postgresql.cnpg.io/v1 Cluster": "@kubernetes-models/cloudnative-pg@0.1.4",
      "postgresql.cnpg.io/v1 ScheduledBackup": "@kubernetes-models/cloudnative-pg@0.1.4",
      "security.istio.io/v1beta1 PeerAuthentication": "@kubernetes-models/istio@2.3.0",
      "security.istio.io/v1beta1 AuthorizationPolicy": "@kubernetes-models/istio@2.3.0",
      "networking.istio.io/v1beta1 DestinationRule": "@kubernetes-models/istio@2.3.0",
      "networking.istio.io/v1beta1 VirtualService": "@kubernetes-models/istio@2.3.0",
      "policy.linkerd.io/v1beta3 Server": "ajv@8.20.0",
      "policy.linkerd.io/v1beta3 HTTPRoute": "ajv@8.20.0",
      "policy.linkerd.io/v1alpha1 AuthorizationPolicy": "ajv@8.20.0",
      "policy.linkerd.io/v1alpha1 MeshTLSAuthentication": "ajv@8.20.0",
    });
    expect(CRD_VALIDATORS["policy.linkerd.io/v1beta3 Server"]!.crds).toBe("Linkerd edge-26.8.3");
  });
});
