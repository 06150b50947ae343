import { describe, expect, it } from "vitest";
import { networkIsolation } from "../../../infra/guardrails/rules/k8s-21-network-isolation.js";
import { guardrailsFixture, type RenderedStack } from "../../support/guardrails.js";
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

describe("DATA-04 and DATA-05 on a service that reads another's backing services (uses)", () => {
  const REPORTS_REPLICAS = ["docker/reports/containers/replica-1", "docker/reports/containers/replica-2"];
  const REPORTS_DEPLOYMENT = "kubernetes/reports/workload/deployment";
  type Fixture = ReturnType<typeof guardrailsFixture>;
  /** A resource of the rendered JSON, by construct path. */
  const at = (fixture: Fixture, json: RenderedStack, path: string): Record<string, any> => {
    const [type, id] = fixture.address(path).split(".") as [string, string];
    return json.resource[type]![id];
  };
  /** WHEN helper: one rule's messages, each after its resource's address, on the JSON after `change`. */
  const messagesAfter = (fixture: Fixture, rule: string, change: (json: RenderedStack) => void) =>
    fixture.findingsAfter(rule, change).map((f) => `${f.resource}: ${f.message}`);

  it("GIVEN reports' containers saying they read orders-cache only WHEN DATA-04 checks local THEN reports on the networks of orders-db and orders-jobs is an intruder, on orders-cache's not", () => {
    const fixture = guardrailsFixture("local", EVERY_TYPE(), VARIABLES);
    const messages = messagesAfter(fixture, "DATA-04", (json) => {
      for (const replica of REPORTS_REPLICAS) {
        const label = at(fixture, json, replica).labels.find((l: any) => l.label === "platform.dev/uses");
        expect(label.value).toBe("orders-cache,orders-db,orders-jobs");
        label.value = "orders-cache";
      }
    });
    const intruders = (data: string) =>
      REPORTS_REPLICAS.map(
        (replica) =>
          `${fixture.address(`docker/orders/backing-services/${data}/container`)}: data container "orders-${data}"'s network "platform-local-reports-to-orders-${data}" is joined by ${fixture.address(replica)} (service reports), not only by its owner orders`,
      );
    expect(messages).toEqual([...intruders("db"), ...intruders("jobs")]);
  });

  it("GIVEN catalog's container, which declares no uses, on orders-cache's network WHEN DATA-04 checks local THEN catalog is reported, naming the declared user reports", () => {
    const fixture = guardrailsFixture("local", EVERY_TYPE(), VARIABLES);
    const catalog = "docker/catalog/containers/replica-1";
    const messages = messagesAfter(fixture, "DATA-04", (json) => {
      at(fixture, json, catalog).networks_advanced.push({ name: "platform-local-orders-cache" });
    });
    expect(messages).toEqual([
      `${fixture.address("docker/orders/backing-services/cache/container")}: data container "orders-cache"'s network "platform-local-orders-cache" is joined by ${fixture.address(catalog)} (service catalog), not only by its owner orders (or its declared users reports)`,
    ]);
  });

  it("GIVEN reports' containers joining the owner's network of orders-cache instead of their own WHEN DATA-04 checks local THEN the network shared by orders and reports is reported", () => {
    const fixture = guardrailsFixture("local", EVERY_TYPE(), VARIABLES);
    const messages = messagesAfter(fixture, "DATA-04", (json) => {
      for (const replica of REPORTS_REPLICAS) {
        const attached = at(fixture, json, replica).networks_advanced.find(
          (n: any) => n.name === "platform-local-reports-to-orders-cache",
        );
        attached.name = "platform-local-orders-cache";
      }
    });
    expect(messages).toEqual([
      `${fixture.address("docker/orders/backing-services/cache/container")}: data container "orders-cache"'s network "platform-local-orders-cache" is shared by orders, reports, which reach each other's containers through it, not only the backing service`,
    ]);
  });

  it("GIVEN reports' Deployment saying it reads orders-cache only WHEN DATA-04 checks staging THEN the policies of orders-db and orders-jobs admit an intruder, orders-cache's does not", () => {
    const fixture = guardrailsFixture("staging", EVERY_TYPE(), VARIABLES);
    const messages = messagesAfter(fixture, "DATA-04", (json) => {
      at(fixture, json, REPORTS_DEPLOYMENT).metadata.annotations = { "platform.dev/uses": "orders-cache" };
    });
    const deployment = fixture.address(REPORTS_DEPLOYMENT);
    expect(messages).toEqual([
      `${fixture.address("kubernetes/orders/backing-services/db/cluster")}: ${fixture.address("kubernetes/orders/backing-services/db/network-policy")} (selecting the pods of PostgreSQL Cluster "orders-db") admits the pods of ${deployment} (app.kubernetes.io/name=reports), which is not its owner orders`,
      `${fixture.address("kubernetes/orders/backing-services/jobs/cluster")}: ${fixture.address("kubernetes/orders/backing-services/jobs/network-policy")} (selecting the pods of RabbitmqCluster "orders-jobs") admits the pods of ${deployment} (app.kubernetes.io/name=reports), which is not its owner orders`,
    ]);
  });

  it("GIVEN catalog, which declares no uses, admitted by the queue's policy WHEN DATA-04 checks staging THEN catalog is reported, reports is not", () => {
    const fixture = guardrailsFixture("staging", EVERY_TYPE(), VARIABLES);
    const policy = "kubernetes/orders/backing-services/jobs/network-policy";
    const messages = messagesAfter(fixture, "DATA-04", (json) => {
      at(fixture, json, policy).spec.ingress[0].from.push({
        pod_selector: { match_labels: { "app.kubernetes.io/name": "catalog" } },
      });
    });
    expect(messages).toEqual([
      `${fixture.address("kubernetes/orders/backing-services/jobs/cluster")}: ${fixture.address(policy)} (selecting the pods of RabbitmqCluster "orders-jobs") admits the pods of ${fixture.address("kubernetes/catalog/workload/deployment")} (app.kubernetes.io/name=catalog), which is not its owner orders (or its declared users reports)`,
    ]);
  });

  it("GIVEN literal passwords in reports' ORDERS_DB_PASSWORD and ORDERS_CACHE_URL on Docker WHEN DATA-05 checks local THEN both are reported: a reader's variables are credentials too", () => {
    const fixture = guardrailsFixture("local", EVERY_TYPE(), VARIABLES);
    const replica = REPORTS_REPLICAS[0]!;
    const messages = messagesAfter(fixture, "DATA-05", (json) => {
      const container = at(fixture, json, replica);
      container.env = container.env.map((e: string) =>
        e.startsWith("ORDERS_DB_PASSWORD=")
          ? "ORDERS_DB_PASSWORD=hunter2"
          : e.startsWith("ORDERS_CACHE_URL=")
            ? "ORDERS_CACHE_URL=redis://default:hunter2@orders-cache:6379"
            : e,
      );
    });
    expect(messages).toEqual([
      `${fixture.address(replica)}: env ORDERS_CACHE_URL is a backing service's URL whose password (not shown) is not a random_password of this stack`,
      `${fixture.address(replica)}: env ORDERS_DB_PASSWORD holds a backing service's password (not shown) that is not a random_password of this stack`,
    ]);
  });

  /** WHEN helper: DATA-05's messages on staging after `change` edits reports' env. */
  const data05After = (change: (env: Array<Record<string, any>>) => Array<Record<string, any>>) => {
    const fixture = guardrailsFixture("staging", EVERY_TYPE(), VARIABLES);
    return messagesAfter(fixture, "DATA-05", (json) => {
      const container = at(fixture, json, REPORTS_DEPLOYMENT).spec.template.spec.container[0];
      container.env = change(container.env);
    }).map((m) => m.slice(m.indexOf(": ") + 2));
  };

  it("GIVEN reports' ORDERS_JOBS_URL as synthesized WHEN DATA-05 checks staging THEN the URL is composed from references to variables set by secret_key_ref, and compliant", () => {
    expect(
      data05After((env) => {
        expect(env.find((e) => e.name === "ORDERS_JOBS_URL")?.value).toBe(
          "amqp://$(ORDERS_JOBS_USER):$(ORDERS_JOBS_PASSWORD)@$(ORDERS_JOBS_HOST):$(ORDERS_JOBS_PORT)",
        );
        expect(env.find((e) => e.name === "ORDERS_JOBS_PASSWORD")?.value_from?.secret_key_ref).toBeDefined();
        return env;
      }),
    ).toEqual([]);
  });

  it("GIVEN a literal password in reports' composed ORDERS_JOBS_URL WHEN DATA-05 checks staging THEN it is a credential by value, not shown", () => {
    const messages = data05After((env) =>
      env.map((e) =>
        e.name === "ORDERS_JOBS_URL"
          ? { name: e.name, value: "amqp://$(ORDERS_JOBS_USER):hunter2@$(ORDERS_JOBS_HOST):$(ORDERS_JOBS_PORT)" }
          : e,
      ),
    );
    expect(messages).toEqual([
      `container "reports": env ORDERS_JOBS_URL holds a backing service's credential by value (not shown), not by a secret_key_ref`,
    ]);
    expect(messages.join("\n")).not.toContain("hunter2");
  });

  it("GIVEN reports' ORDERS_DB_URL composed from references WHEN DATA-05 checks staging THEN its password must be a password variable: $(ORDERS_DB_USER) twice is reported", () => {
    const messages = data05After((env) =>
      env.map((e) =>
        e.name === "ORDERS_DB_URL"
          ? { name: e.name, value: "postgresql://$(ORDERS_DB_USER):$(ORDERS_DB_USER)@x/y" }
          : e,
      ),
    );
    expect(messages).toEqual([
      `container "reports": env ORDERS_DB_URL is a URL composed from other variables whose password (not shown) is not a backing service's password variable`,
    ]);
  });

  it("GIVEN the password the URL refers to set by value, or set after the URL WHEN DATA-05 checks staging THEN the URL is reported as composed from no secret_key_ref", () => {
    const byValue = data05After((env) =>
      env.map((e) => (e.name === "ORDERS_JOBS_PASSWORD" ? { name: e.name, value: "hunter2" } : e)),
    );
    const composed =
      'container "reports": env ORDERS_JOBS_URL is composed from $(ORDERS_JOBS_PASSWORD), which no secret_key_ref before it in the container sets';
    expect(byValue).toEqual([
      `container "reports": env ORDERS_JOBS_PASSWORD holds a backing service's credential by value (not shown), not by a secret_key_ref`,
      composed,
    ]);
    const after = data05After((env) => [
      ...env.filter((e) => e.name !== "ORDERS_JOBS_PASSWORD"),
      env.find((e) => e.name === "ORDERS_JOBS_PASSWORD")!,
    ]);
    expect(after).toEqual([composed]);
  });
});
