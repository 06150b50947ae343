import { beforeAll, describe, expect, it } from "vitest";
import { GUARDRAIL_RULES } from "../../../../infra/guardrails/index.js";
import { copyRepository } from "../../../support/repo-copy.js";
import { type DataStacks, resourceAtPath, synthesizeOrdersDatabase } from "../../../support/data-stacks.js";
import { scratchFolders } from "../../../support/scratch.js";

const { folder, removeLater } = scratchFolders();
const DATA_RULES = GUARDRAIL_RULES.filter((rule) => rule.id.startsWith("DATA-"));
const CLUSTER = "orders/backing-services/db/cluster";
const SCHEDULED_BACKUP = "orders/backing-services/db/scheduled-backup";
const DATABASE_POLICY = "orders/backing-services/db/network-policy";
const DATA_CONTAINER = "orders/backing-services/db/container";
const DATA_NETWORK = "orders/backing-services/db/network";
const ORDERS_CONTAINER = "orders/containers/replica-1";
const CATALOG_CONTAINER = "catalog/containers/replica-1";
const ORDERS_DEPLOYMENT = "orders/workload/deployment";
const CATALOG_POLICY = "catalog/network-rules/policy";

let stacks: DataStacks;
beforeAll(async () => {
  // GIVEN a copy of the repository whose orders owns a PostgreSQL database, synthesized
  stacks = await synthesizeOrdersDatabase(removeLater(copyRepository("data-guardrails-")), folder("data-out-"));
});

/** WHEN helper: one environment's JSON, changed by `change`, checked by one rule; returns its messages. */
function messagesAfter(environment: string, rule: string, change: (json: ReturnType<DataStacks["json"]>) => void) {
  const json = stacks.json(environment);
  change(json);
  return stacks.findingsOf(environment, json, rule).map((f) => `${f.level} ${f.resource}: ${f.message}`);
}

/** The address of the resource at a construct path suffix in one environment. */
function address(environment: string, suffix: string): string {
  return resourceAtPath(stacks.json(environment), suffix).address;
}

describe("DATA rules (DATA-01 to DATA-05) on the backing services the platform synthesizes", () => {
  it("GIVEN the pack WHEN listed THEN it has the five data rules, all errors", () => {
    expect(DATA_RULES.map((rule) => `${rule.id} ${rule.level}`)).toEqual([
      "DATA-01 error",
      "DATA-02 error",
      "DATA-03 error",
      "DATA-04 error",
      "DATA-05 error",
    ]);
  });

  it.each(["local", "staging", "production"])(
    "GIVEN orders' database as synthesized WHEN the DATA rules check %s THEN they find nothing",
    (environment) => {
      const json = stacks.json(environment);
      for (const rule of DATA_RULES) expect(stacks.findingsOf(environment, json, rule.id)).toEqual([]);
    },
  );
});

describe("DATA-01: a backing service's data is on persistent storage", () => {
  it("GIVEN the data container without its volume WHEN checked THEN DATA-01 says its data path has nothing mounted", () => {
    const messages = messagesAfter("local", "DATA-01", (json) => {
      resourceAtPath(json, DATA_CONTAINER).values.volumes = [];
    });
    expect(messages).toEqual([
      `error ${address("local", DATA_CONTAINER)}: data container "orders-db" mounts nothing at /var/lib/postgresql/data, so its data is in the container's own layer and lost with it`,
    ]);
  });

  it("GIVEN the data path on a tmpfs and a bind mount WHEN checked THEN DATA-01 reports both", () => {
    const messages = messagesAfter("local", "DATA-01", (json) => {
      const container = resourceAtPath(json, DATA_CONTAINER).values;
      container.tmpfs["/var/lib/postgresql/data"] = "rw,size=64m";
      container.volumes = [{ container_path: "/var/lib/postgresql/data", host_path: "/srv/orders-db" }];
    });
    expect(messages).toEqual([
      `error ${address("local", DATA_CONTAINER)}: data container "orders-db" has a tmpfs at /var/lib/postgresql/data, so its data at /var/lib/postgresql/data is lost when the container stops`,
      `error ${address("local", DATA_CONTAINER)}: data container "orders-db" keeps its data in a bind mount of the host's "/srv/orders-db", not a named volume`,
    ]);
  });

  it("GIVEN the Cluster without storage.size WHEN checked THEN DATA-01 names the Cluster and the field", () => {
    const messages = messagesAfter("staging", "DATA-01", (json) => {
      delete resourceAtPath(json, CLUSTER).values.manifest.spec.storage;
    });
    expect(messages).toEqual([
      `error ${address("staging", CLUSTER)}: PostgreSQL Cluster "orders-db" has no spec.storage.size, so its data is on no PersistentVolumeClaim of a declared size`,
    ]);
  });

  it("GIVEN a labelled StatefulSet with a volume claim template, and a RabbitmqCluster with storage WHEN checked THEN they comply; with an emptyDir and storage 0 THEN DATA-01 reports each", () => {
    const add = (json: ReturnType<DataStacks["json"]>, emptyDir: boolean, storage: string) => {
      json.resource.kubernetes_stateful_set_v1 = { cache: statefulSet("orders-cache", emptyDir) };
      json.resource.kubernetes_manifest!.queue = rabbitmqCluster("orders-queue", { persistence: { storage } });
    };
    expect(messagesAfter("staging", "DATA-01", (json) => add(json, false, "1Gi"))).toEqual([]);
    expect(messagesAfter("staging", "DATA-01", (json) => add(json, true, "0Gi"))).toEqual([
      'error kubernetes_manifest.queue: RabbitmqCluster "orders-queue" has spec.persistence.storage "0Gi", so its data is on no persistent storage',
      'error kubernetes_stateful_set_v1.cache: StatefulSet "orders-cache": container "redis" keeps its data at /data in emptyDir "data", which is lost with the pod',
    ]);
  });
});

describe("DATA-02: production PostgreSQL has instances to fail over to and backups", () => {
  it("GIVEN production's Cluster with one instance WHEN checked THEN DATA-02 reports it; staging's single instance does not count", () => {
    const oneInstance = (json: ReturnType<DataStacks["json"]>) => {
      resourceAtPath(json, CLUSTER).values.manifest.spec.instances = 1;
    };
    expect(messagesAfter("production", "DATA-02", oneInstance)).toEqual([
      `error ${address("production", CLUSTER)}: PostgreSQL Cluster "orders-db" runs 1 instance in production (spec.instances), so a node drain is an outage and a lost volume loses the data`,
    ]);
    expect(messagesAfter("staging", "DATA-02", oneInstance)).toEqual([]);
  });

  it("GIVEN production's Cluster without its object store and its ScheduledBackup WHEN checked THEN DATA-02 reports both", () => {
    const messages = messagesAfter("production", "DATA-02", (json) => {
      delete resourceAtPath(json, CLUSTER).values.manifest.spec.backup;
      resourceAtPath(json, SCHEDULED_BACKUP).values.manifest.spec.cluster.name = "orders-dbx";
    });
    expect(messages).toEqual([
      `error ${address("production", CLUSTER)}: PostgreSQL Cluster "orders-db" has no spec.backup.barmanObjectStore (nor volumeSnapshot), so nothing archives it in production`,
      `error ${address("production", CLUSTER)}: no ScheduledBackup of this stack backs up PostgreSQL Cluster "orders-db" in production, so it has no base backup to restore`,
    ]);
  });

  it("GIVEN production without a backup object store (the Cluster says so) WHEN checked THEN DATA-02 warns, as synth does", () => {
    const messages = messagesAfter("production", "DATA-02", (json) => {
      const cluster = resourceAtPath(json, CLUSTER).values.manifest;
      delete cluster.spec.backup;
      cluster.metadata.annotations = { "platform.dev/backup": "none: PLATFORM_BACKUP_DESTINATION is not set" };
      delete json.resource.kubernetes_manifest![resourceAtPath(json, SCHEDULED_BACKUP).address.split(".")[1]!];
    });
    expect(messages).toEqual([
      `warning ${address("production", CLUSTER)}: PostgreSQL Cluster "orders-db" has no backups in production (platform.dev/backup: none: PLATFORM_BACKUP_DESTINATION is not set)`,
    ]);
  });
});

describe("DATA-03: data objects of shared environments have prevent_destroy", () => {
  it.each(["staging", "production"])(
    "GIVEN %s's Cluster without prevent_destroy WHEN checked THEN DATA-03 reports it",
    (environment) => {
      const messages = messagesAfter(environment, "DATA-03", (json) => {
        delete resourceAtPath(json, CLUSTER).values.lifecycle;
      });
      expect(messages).toEqual([
        `error ${address(environment, CLUSTER)}: PostgreSQL Cluster "orders-db" has no lifecycle.prevent_destroy = true in ${environment}, so a plan may delete it and its data`,
      ]);
    },
  );

  it("GIVEN the local data container (no prevent_destroy: the volume is kept outside the state) WHEN checked THEN DATA-03 does not apply", () => {
    expect(messagesAfter("local", "DATA-03", () => {})).toEqual([]);
  });
});

describe("DATA-04: backing services are never published and only their owner reaches them", () => {
  it("GIVEN the data container publishing its port WHEN checked THEN DATA-04 reports it, even on 127.0.0.1", () => {
    const messages = messagesAfter("local", "DATA-04", (json) => {
      resourceAtPath(json, DATA_CONTAINER).values.ports = [{ internal: 5432, external: 5432, ip: "127.0.0.1" }];
    });
    expect(messages).toEqual([
      `error ${address("local", DATA_CONTAINER)}: data container "orders-db" publishes port 5432; a backing service is reached over its network only`,
    ]);
  });

  it("GIVEN the data network not internal and joined by catalog WHEN checked THEN DATA-04 reports both", () => {
    const messages = messagesAfter("local", "DATA-04", (json) => {
      resourceAtPath(json, DATA_NETWORK).values.internal = false;
      resourceAtPath(json, CATALOG_CONTAINER).values.networks_advanced.push({ name: "platform-local-orders-db" });
    });
    expect(messages).toEqual([
      `error ${address("local", DATA_CONTAINER)}: data container "orders-db" joins network "platform-local-orders-db", which is not internal, so the backing service can reach and be reached beyond its owner`,
      `error ${address("local", DATA_CONTAINER)}: data container "orders-db"'s network "platform-local-orders-db" is joined by ${address("local", CATALOG_CONTAINER)} (service catalog), not only by its owner orders`,
    ]);
  });

  it("GIVEN a LoadBalancer Service selecting the Cluster's pods and an Ingress to its -rw Service WHEN checked THEN DATA-04 reports both", () => {
    const messages = messagesAfter("staging", "DATA-04", (json) => {
      json.resource.kubernetes_service_v1!.open = {
        metadata: { name: "orders-db-public", namespace: "platform-staging" },
        spec: { type: "LoadBalancer", selector: { "cnpg.io/cluster": "orders-db" }, port: [{ port: 5432 }] },
      };
      json.resource.kubernetes_ingress_v1 = {
        open: {
          metadata: { name: "orders-db", namespace: "platform-staging" },
          spec: { default_backend: { service: { name: "orders-db-rw", port: { number: 5432 } } } },
        },
      };
    });
    expect(messages).toEqual([
      `error ${address("staging", CLUSTER)}: PostgreSQL Cluster "orders-db" is published by kubernetes_service_v1.open, a Service of type LoadBalancer`,
      `error ${address("staging", CLUSTER)}: PostgreSQL Cluster "orders-db" is published by kubernetes_ingress_v1.open, which routes to its Service "orders-db-rw"`,
    ]);
  });

  it("GIVEN the database's NetworkPolicy admitting catalog's pods WHEN checked THEN DATA-04 names the policy, catalog and the owner", () => {
    const messages = messagesAfter("staging", "DATA-04", (json) => {
      const ingress = resourceAtPath(json, DATABASE_POLICY).values.spec.ingress;
      ingress[0].from.push({ pod_selector: { match_labels: { "app.kubernetes.io/name": "catalog" } } });
    });
    expect(messages).toEqual([
      `error ${address("staging", CLUSTER)}: ${address("staging", DATABASE_POLICY)} (selecting the pods of PostgreSQL Cluster "orders-db") admits the pods of ${address("staging", "catalog/workload/deployment")} (app.kubernetes.io/name=catalog), which is not its owner orders`,
    ]);
  });

  it("GIVEN no policy of its own for the Cluster's pods WHEN checked THEN DATA-04 says nothing limits who connects", () => {
    const messages = messagesAfter("staging", "DATA-04", (json) => {
      resourceAtPath(json, DATABASE_POLICY).values.spec.pod_selector.match_labels = { "cnpg.io/cluster": "other" };
    });
    expect(messages).toEqual([
      `error ${address("staging", CLUSTER)}: no NetworkPolicy selects the pods of PostgreSQL Cluster "orders-db" for Ingress, so nothing limits who connects to it to its owner orders`,
    ]);
  });

  it("GIVEN catalog's own policy widened to the database's pods from any namespace WHEN checked THEN DATA-04 reports the widening", () => {
    const messages = messagesAfter("staging", "DATA-04", (json) => {
      const spec = resourceAtPath(json, CATALOG_POLICY).values.spec;
      spec.pod_selector = { match_labels: { "cnpg.io/cluster": "orders-db" } };
      spec.ingress = [{ from: [{ namespace_selector: {} }] }];
    });
    expect(messages).toEqual([
      `error ${address("staging", CLUSTER)}: ${address("staging", CATALOG_POLICY)} (selecting the pods of PostgreSQL Cluster "orders-db") admits pods of other namespaces (namespace_selector (every pod)), not only its owner's`,
    ]);
  });
});

describe("DATA-05: credentials only by reference", () => {
  it("GIVEN orders' DB_PASSWORD and DB_URL given by value on Kubernetes WHEN checked THEN DATA-05 reports both without the values", () => {
    const messages = messagesAfter("production", "DATA-05", (json) => {
      const env = resourceAtPath(json, ORDERS_DEPLOYMENT).values.spec.template.spec.container[0].env;
      for (const variable of env)
        if (variable.name === "DB_PASSWORD") variable.value = "hunter2";
        else if (variable.name === "DB_URL") {
          delete variable.value_from;
          variable.value = "postgresql://orders@orders-db-rw:5432/orders";
        }
    });
    expect(messages).toEqual([
      `error ${address("production", ORDERS_DEPLOYMENT)}: container "orders": env DB_PASSWORD holds a backing service's credential by value (not shown), not by a secret_key_ref`,
      `error ${address("production", ORDERS_DEPLOYMENT)}: container "orders": env DB_URL holds a backing service's credential by value (not shown), not by a secret_key_ref`,
    ]);
    expect(messages.join("\n")).not.toContain("hunter2");
  });

  it("GIVEN a literal password on the data container and in orders' DB_URL on Docker WHEN checked THEN DATA-05 reports each", () => {
    const messages = messagesAfter("local", "DATA-05", (json) => {
      const data = resourceAtPath(json, DATA_CONTAINER).values;
      data.env = data.env.map((e: string) => (e.startsWith("POSTGRES_PASSWORD=") ? "POSTGRES_PASSWORD=hunter2" : e));
      const orders = resourceAtPath(json, ORDERS_CONTAINER).values;
      orders.env = orders.env.map((e: string) =>
        e.startsWith("DB_URL=") ? "DB_URL=postgresql://orders:hunter2@orders-db:5432/orders" : e,
      );
    });
    expect(messages).toEqual([
      `error ${address("local", DATA_CONTAINER)}: env POSTGRES_PASSWORD holds a backing service's password (not shown) that is not a random_password of this stack`,
      `error ${address("local", ORDERS_CONTAINER)}: env DB_URL is a backing service's URL whose password (not shown) is not a random_password of this stack`,
    ]);
  });
});

describe("data objects other than PostgreSQL (what the Redis and queue types will synthesize)", () => {
  it("GIVEN a RabbitmqCluster without the backing-service label WHEN the DATA rules check staging THEN it is no data object: they find nothing", () => {
    const json = stacks.json("staging");
    const queue = rabbitmqCluster("orders-queue", { service: { type: "LoadBalancer" } });
    delete queue.manifest.metadata.labels["platform.dev/backing-service"];
    delete queue.lifecycle;
    json.resource.kubernetes_manifest!.queue = queue;
    for (const rule of DATA_RULES) expect(stacks.findingsOf("staging", json, rule.id)).toEqual([]);
  });

  it("GIVEN a labelled RabbitmqCluster asking for a LoadBalancer, without prevent_destroy WHEN checked THEN DATA-04 and DATA-03 name it", () => {
    const add = (json: ReturnType<DataStacks["json"]>) => {
      const queue = rabbitmqCluster("orders-queue", {
        persistence: { storage: "1Gi" },
        service: { type: "LoadBalancer" },
      });
      delete queue.lifecycle;
      json.resource.kubernetes_manifest!.queue = queue;
    };
    expect(messagesAfter("staging", "DATA-04", add)).toEqual([
      'error kubernetes_manifest.queue: RabbitmqCluster "orders-queue" asks its operator for a LoadBalancer Service (spec.service.type), which publishes it outside the cluster',
      'error kubernetes_manifest.queue: no NetworkPolicy selects the pods of RabbitmqCluster "orders-queue" for Ingress, so nothing limits who connects to it to its owner orders',
    ]);
    expect(messagesAfter("staging", "DATA-03", add)).toEqual([
      'error kubernetes_manifest.queue: RabbitmqCluster "orders-queue" has no lifecycle.prevent_destroy = true in staging, so a plan may delete it and its data',
    ]);
  });

  it("GIVEN a NetworkPolicy selecting a RabbitmqCluster's pods and admitting its owner WHEN checked THEN K8S-21 finds it selects pods and DATA-04 is satisfied", () => {
    const add = (json: ReturnType<DataStacks["json"]>) => {
      json.resource.kubernetes_manifest!.queue = rabbitmqCluster("orders-queue", { persistence: { storage: "1Gi" } });
      json.resource.kubernetes_network_policy_v1!.queue = {
        metadata: { name: "orders-queue", namespace: "platform-staging" },
        spec: {
          pod_selector: { match_labels: { "app.kubernetes.io/name": "orders-queue" } },
          policy_types: ["Ingress", "Egress"],
          ingress: [{ from: [{ pod_selector: { match_labels: { "app.kubernetes.io/name": "orders" } } }] }],
        },
      };
    };
    expect(messagesAfter("staging", "K8S-21", add)).toEqual([]);
    expect(messagesAfter("staging", "DATA-04", add)).toEqual([]);
  });
});

/** A Redis StatefulSet labelled as a backing service, its data on a claim template or (`emptyDir`) an emptyDir. */
function statefulSet(name: string, emptyDir: boolean) {
  return {
    metadata: {
      name,
      namespace: "platform-staging",
      labels: { "platform.dev/backing-service": name, "platform.dev/owner": "orders" },
    },
    lifecycle: { prevent_destroy: true },
    spec: {
      service_name: name,
      selector: { match_labels: { "app.kubernetes.io/name": name } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": name } },
        spec: {
          container: [
            { name: "redis", image: "redis:7.4.1-bookworm", volume_mount: [{ name: "data", mount_path: "/data" }] },
          ],
          volume: emptyDir ? [{ name: "data", empty_dir: {} }] : [],
        },
      },
      volume_claim_template: emptyDir
        ? []
        : [
            {
              metadata: { name: "data" },
              spec: { access_modes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
          ],
    },
  };
}

/** A RabbitmqCluster labelled as a backing service, with prevent_destroy. */
function rabbitmqCluster(name: string, spec: Record<string, unknown>) {
  const labels: Record<string, string> = { "platform.dev/backing-service": name, "platform.dev/owner": "orders" };
  const cluster: { lifecycle?: { prevent_destroy: boolean }; manifest: Record<string, any> } = {
    lifecycle: { prevent_destroy: true },
    manifest: {
      apiVersion: "rabbitmq.com/v1beta1",
      kind: "RabbitmqCluster",
      metadata: {
        name,
        namespace: "platform-staging",
        labels,
      },
      spec,
    },
  };
  return cluster;
}
