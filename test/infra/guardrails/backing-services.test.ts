import { describe, expect, it } from "vitest";
import { networkIsolation } from "../../../infra/guardrails/rules/k8s-21-network-isolation.js";
import { guardrailsFixture } from "../../support/guardrails.js";
import { service } from "../../support/platform.js";

const VARIABLES = {
  PLATFORM_KUBE_API_CIDR: "10.0.0.1/32",
  PLATFORM_BACKUP_DESTINATION: "s3://acme-pg-backups/production",
  PLATFORM_BACKUP_CIDR: "10.20.0.0/24",
};
const SERVICES = () => [
  service({ name: "orders", build: {}, port: 8080, backingServices: { db: { type: "postgres" } } }),
  service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
];
const POLICY = "kubernetes/orders/backing-services/db/network-policy";
/** Orders owns a database, a Redis store and a queue; reports reads all three. */
const EVERY_TYPE = () => [
  service({
    name: "orders",
    build: {},
    port: 8080,
    backingServices: {
      db: { type: "postgres" },
      cache: { type: "redis" },
      jobs: { type: "queue", queues: ["orders-placed"] },
    },
  }),
  service({ name: "catalog", build: {}, port: 8081, dependsOn: ["orders"] }),
  service({ name: "reports", build: {}, port: 8082, uses: ["orders.db", "orders.cache", "orders.jobs"] }),
];

describe("the platform's guardrails on a catalogue with a database", () => {
  it.each(["local", "staging", "production"])(
    "GIVEN a service owning a PostgreSQL database WHEN %s is checked THEN every rule passes, with no warning",
    (environment) => {
      const findings = guardrailsFixture(environment, SERVICES(), VARIABLES).findings();
      expect(findings.map((f) => `${f.rule} ${f.resource}: ${f.message}`)).toEqual([]);
    },
  );

  it("GIVEN production without a backup object store WHEN checked THEN the one finding is DATA-02's warning naming the Cluster", () => {
    const findings = guardrailsFixture("production", SERVICES(), { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" }).findings();
    expect(findings.map((f) => `${f.rule} ${f.level}: ${f.message}`)).toEqual([
      'DATA-02 warning: PostgreSQL Cluster "orders-db" has no backups in production (platform.dev/backup: none: PLATFORM_BACKUP_DESTINATION is not set for this environment)',
    ]);
  });

  it.each(["local", "staging", "production"])(
    "GIVEN a service owning a database, a Redis store and a queue, and a service reading them WHEN %s is checked THEN every rule passes, with no warning",
    (environment) => {
      const findings = guardrailsFixture(environment, EVERY_TYPE(), VARIABLES).findings();
      expect(findings.map((f) => `${f.rule} ${f.resource}: ${f.message}`)).toEqual([]);
    },
  );

  it.each([
    ["the Redis store", "kubernetes/orders/backing-services/cache/network-policy"],
    ["the queue", "kubernetes/orders/backing-services/jobs/network-policy"],
  ])(
    "GIVEN the NetworkPolicy of %s WHEN K8S-21 checks it THEN it selects the pods that serve it: compliant",
    (_what, policy) => {
      expect(guardrailsFixture("staging", EVERY_TYPE(), VARIABLES).outcome(networkIsolation, policy)).toEqual({
        status: "compliant",
      });
    },
  );

  it("GIVEN the database's NetworkPolicy WHEN K8S-21 checks it THEN it selects the Cluster's instances: compliant", () => {
    expect(guardrailsFixture("staging", SERVICES(), VARIABLES).outcome(networkIsolation, POLICY)).toEqual({
      status: "compliant",
    });
  });

  it("GIVEN the database's NetworkPolicy selecting a Cluster that is not in the stack WHEN K8S-21 checks it THEN it is a dangling policy", () => {
    const fixture = guardrailsFixture("staging", SERVICES(), VARIABLES);
    fixture.resource(POLICY).addOverride("spec.pod_selector.match_labels", { "cnpg.io/cluster": "orders-dbx" });
    expect(fixture.findingsOf("K8S-21")).toEqual([
      {
        rule: "K8S-21",
        level: "error",
        resource: fixture.address(POLICY),
        message:
          'pod_selector (cnpg.io/cluster=orders-dbx) selects no pods of this stack in namespace "platform-staging"',
      },
    ]);
  });
});
