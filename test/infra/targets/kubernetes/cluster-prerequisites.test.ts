import { describe, expect, it } from "vitest";
import { ENVIRONMENT_NAMES, type KubernetesEnvironment, loadEnvironments } from "../../../../infra/environments.js";
import { type DiscoveredService, resolveCatalogue } from "../../../../infra/spec/model.js";
import { referencedSecrets } from "../../../../infra/targets/kubernetes/referenced-secrets.js";
import { requiredCustomResourceDefinitions } from "../../../../infra/targets/kubernetes/required-crds.js";
import {
  exampleServices,
  LINKERD_MESH_VARIABLES,
  resourcesOfType,
  service,
  type StackJson,
  synthPlatform,
} from "../../../support/platform.js";

/** Every object of the stack that needs a CRD: its `kubernetes_manifest`s, and the ClusterIssuer an Ingress names. */
function crdsTheStackUses(stack: StackJson): string[] {
  const manifests = resourcesOfType(stack, "kubernetes_manifest").map(({ values }) => {
    const [group] = String(values.manifest.apiVersion).split("/");
    // The CRD's plural, as Kubernetes spells these kinds': PeerAuthentication -> peerauthentications, AuthorizationPolicy -> authorizationpolicies.
    const kind = String(values.manifest.kind).toLowerCase();
    return `${kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`}.${group}`;
  });
  const issuers = resourcesOfType(stack, "kubernetes_ingress_v1")
    .filter(({ values }) => values.metadata.annotations?.["cert-manager.io/cluster-issuer"])
    .map(() => "clusterissuers.cert-manager.io");
  return [...new Set([...manifests, ...issuers])].sort();
}

/**
 * Every Secret the stack reads (`secret_key_ref`, a manifest's `{ name, key }` credential),
 * less those it or an operator makes: the stack's `kubernetes_secret_v1`s, CloudNativePG's
 * `<cluster>-app`, the RabbitMQ operator's `<cluster>-default-user`. By name, with its keys.
 */
function secretsTheStackReads(stack: StackJson): Record<string, string[]> {
  const read = new Map<string, Set<string>>();
  const walk = (value: unknown, underReference: boolean): void => {
    if (Array.isArray(value)) for (const item of value) walk(item, underReference);
    else if (value && typeof value === "object") {
      const entry = value as Record<string, unknown>;
      if (underReference && typeof entry.name === "string" && typeof entry.key === "string")
        read.set(entry.name, (read.get(entry.name) ?? new Set()).add(entry.key));
      for (const [key, inner] of Object.entries(entry))
        walk(inner, key === "secret_key_ref" || key === "s3Credentials" || underReference);
    }
  };
  walk(stack.resource, false);
  const made = new Set([
    ...resourcesOfType(stack, "kubernetes_secret_v1").map(({ values }) => values.metadata.name as string),
    ...resourcesOfType(stack, "kubernetes_manifest").flatMap(({ values }) =>
      values.manifest.kind === "Cluster"
        ? [`${values.manifest.metadata.name}-app`]
        : values.manifest.kind === "RabbitmqCluster"
          ? [`${values.manifest.metadata.name}-default-user`]
          : [],
    ),
  ]);
  return Object.fromEntries(
    [...read.entries()]
      .filter(([name]) => !made.has(name))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, keys]) => [name, [...keys].sort()]),
  );
}

/** A catalogue with every feature: the examples (a secret, a public gateway) and billing's databases, queue and cache, its ledger and queue managed in production. */
const services: DiscoveredService[] = [
  ...exampleServices(),
  service({
    name: "billing",
    build: {},
    port: 8090,
    secrets: { PAYMENTS_TOKEN: { secretName: "payments-api", key: "token" } },
    backingServices: {
      ledger: { type: "postgres" },
      audit: { type: "postgres" },
      events: { type: "queue", queues: ["invoices"] },
      cache: { type: "redis" },
    },
    environments: {
      production: {
        backingServices: {
          ledger: { external: { secretName: "billing-rds" } },
          events: { external: { secretName: "billing-amazon-mq" } },
        },
      },
    },
  }),
];

/** What the doctor derives for one environment of `services` under `variables`. */
function derived(
  discovered: readonly DiscoveredService[],
  variables: Record<string, string>,
  name: "staging" | "production",
) {
  const environment = loadEnvironments(variables, [name])[0] as KubernetesEnvironment;
  const catalogue = resolveCatalogue(discovered, name, [...ENVIRONMENT_NAMES], {
    production: environment.production,
    target: "kubernetes",
  });
  return {
    crds: requiredCustomResourceDefinitions(environment, catalogue.services)
      .map((c) => c.name)
      .sort(),
    secrets: Object.fromEntries(referencedSecrets(environment, catalogue.services).map((s) => [s.name, [...s.keys]])),
  };
}

describe("the cluster's prerequisites the doctor derives, against what the kubernetes target builds", () => {
  const cases: Array<{ given: string; variables: Record<string, string>; services: DiscoveredService[] }> = [
    {
      given: "every feature, with backups and the prometheus-operator",
      variables: {
        PLATFORM_KUBE_API_CIDR: "10.0.0.1/32",
        PLATFORM_BACKUP_DESTINATION: "s3://acme-pg-backups/prod",
        PLATFORM_BACKUP_CIDR: "52.218.0.0/17",
      },
      services,
    },
    {
      given: "every feature, scraped by annotations, without backups",
      variables: { PLATFORM_SCRAPE: "annotations" },
      services,
    },
    {
      given: "every feature in Istio's mesh",
      variables: { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32", PLATFORM_MESH: "istio" },
      services,
    },
    {
      given: "every feature in Linkerd's mesh",
      variables: { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32", ...LINKERD_MESH_VARIABLES },
      services,
    },
    {
      given: "one internal service without data",
      variables: {},
      services: [service({ name: "catalog", build: {}, port: 8080 })],
    },
  ];
  for (const { given, variables, services: discovered } of cases)
    it(`GIVEN ${given} WHEN staging and production are synthesized THEN the CRDs and Secrets derived are exactly those the stacks need`, () => {
      const stacks = synthPlatform(discovered, variables);
      for (const name of ["staging", "production"] as const) {
        const expected = derived(discovered, variables, name);
        expect(expected.crds, name).toEqual(crdsTheStackUses(stacks[name]!));
        expect(expected.secrets, name).toEqual(secretsTheStackReads(stacks[name]!));
      }
    });

  it("GIVEN every feature in production THEN the list is what a reader expects (so that the comparison above cannot pass empty)", () => {
    const production = derived(
      services,
      { PLATFORM_BACKUP_DESTINATION: "s3://acme-pg-backups/prod", PLATFORM_BACKUP_CIDR: "52.218.0.0/17" },
      "production",
    );
    expect(production.crds).toEqual([
      "clusterissuers.cert-manager.io",
      "clusters.postgresql.cnpg.io",
      "prometheusrules.monitoring.coreos.com",
      "scheduledbackups.postgresql.cnpg.io",
      "servicemonitors.monitoring.coreos.com",
    ]);
    expect(production.secrets).toEqual({
      "billing-amazon-mq": ["host", "password", "port", "username"],
      "billing-rds": ["dbname", "host", "password", "port", "uri", "user"],
      "orders-db": ["password"],
      "payments-api": ["token"],
      "platform-backup-credentials": ["ACCESS_KEY_ID", "ACCESS_SECRET_KEY"],
    });
  });
});
