import { describe, expect, it } from "vitest";
import { type DiscoveredService, resolveCatalogue, SpecError } from "../../../infra/spec/model.js";
import type { ServiceSpecInput } from "../../../infra/spec/service-spec.js";
import { service } from "../../support/platform.js";

const ENVIRONMENTS = ["local", "staging", "production"];
let port = 8080;
const withDatabase = (name: string, db?: string, extra: Partial<ServiceSpecInput> = {}) =>
  service({
    name,
    build: {},
    port: port++,
    ...(db ? { backingServices: { [db]: { type: "postgres" } } } : {}),
    ...extra,
  } as ServiceSpecInput);

/** The refusal's lines in an environment, or [] when it resolves. */
function problems(services: DiscoveredService[], environment: string): string[] {
  try {
    resolveCatalogue(services, environment, ENVIRONMENTS);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as Error).message.split("\n");
  }
}

describe("the names the platform derives, in one registry per environment", () => {
  it("GIVEN service a with database b-c and service a-b with database c WHEN resolved THEN both files are refused, each naming the other, on Docker and on Kubernetes", () => {
    const services = [withDatabase("a", "b-c"), withDatabase("a-b", "c")];
    const local = problems(services, "local");
    expect(local).toContain(
      `services/a-b/service.ts: backingServices.c: derives the Docker container 'a-b-c' (the container of the database c of a-b), which services/a/service.ts derives too (the container of the database b-c of a); one would replace the other: rename the service or the backing service (got "a-b-c")`,
    );
    // Nothing tells which file was edited to make the clash: a's names a-b's too.
    expect(local).toContain(
      `services/a/service.ts: backingServices.b-c: derives the Docker container 'a-b-c' (the container of the database b-c of a), which services/a-b/service.ts derives too (the container of the database c of a-b); one would replace the other: rename the service or the backing service (got "a-b-c")`,
    );
    expect(local.some((l) => l.includes("Docker volume 'a-b-c-data'"))).toBe(true);
    const staging = problems(services, "staging");
    expect(staging).toContain(
      `services/a-b/service.ts: backingServices.c: derives the Kubernetes Cluster 'a-b-c' (the CloudNativePG Cluster of the database c of a-b), which services/a/service.ts derives too (the CloudNativePG Cluster of the database b-c of a); one would replace the other: rename the service or the backing service (got "a-b-c")`,
    );
    expect(staging.some((l) => l.includes("Kubernetes Secret 'a-b-c-app'"))).toBe(true);
  });

  it("GIVEN orders with database history-1 and a service orders-history WHEN resolved for local THEN the replica container is refused", () => {
    const lines = problems([withDatabase("orders", "history-1"), withDatabase("orders-history")], "local");
    expect(lines.join("\n")).toContain(
      `services/orders-history/service.ts: name: derives the Docker container 'orders-history-1' (replica 1 of the service orders-history), which services/orders/service.ts derives too (the container of the database history-1 of orders); one would replace the other: rename the service or the backing service (got "orders-history-1")`,
    );
  });

  it("GIVEN a database b-to-c of service a and an edge a-b -> c WHEN resolved for local THEN the network is refused", () => {
    const lines = problems(
      [withDatabase("a", "b-to-c"), withDatabase("c"), withDatabase("a-b", undefined, { dependsOn: ["c"] })],
      "local",
    );
    expect(lines.join("\n")).toContain("derives the Docker network 'a-b-to-c'");
  });

  it("GIVEN a reads b.c and service a-to-b owns a database c WHEN resolved for local THEN the reader's network a-to-b-c is refused in both files, each naming the other", () => {
    const lines = problems(
      [withDatabase("b", "c"), withDatabase("a", undefined, { uses: ["b.c"] }), withDatabase("a-to-b", "c")],
      "local",
    );
    expect(lines.filter((l) => l.includes("Docker network 'a-to-b-c'"))).toEqual([
      `services/a/service.ts: uses: derives the Docker network 'a-to-b-c' (the network of the service a to b.c, which it uses), which services/a-to-b/service.ts derives too (the network of the database c of a-to-b); one would replace the other: rename the service or the backing service (got "a-to-b-c")`,
      `services/a-to-b/service.ts: backingServices.c: derives the Docker network 'a-to-b-c' (the network of the database c of a-to-b), which services/a/service.ts derives too (the network of the service a to b.c, which it uses); one would replace the other: rename the service or the backing service (got "a-to-b-c")`,
    ]);
    expect(problems([withDatabase("b", "c"), withDatabase("a", undefined, { uses: ["b.c"] })], "local")).toEqual([]);
  });

  it("GIVEN service allow with database dns WHEN resolved for staging THEN the namespace-wide NetworkPolicy allow-dns is named", () => {
    expect(problems([withDatabase("allow", "dns")], "staging")).toContain(
      `services/allow/service.ts: backingServices.dns: derives the Kubernetes NetworkPolicy 'allow-dns' (the NetworkPolicy of the database dns of allow), which the platform derives too (the platform's namespace-wide DNS policy); one would replace the other: rename the service or the backing service (got "allow-dns")`,
    );
  });

  it("GIVEN databases db and db-primary of one service WHEN resolved for staging THEN CloudNativePG's PodDisruptionBudget a-db-primary is refused", () => {
    const services = [
      withDatabase("a", "db", { backingServices: { db: { type: "postgres" }, "db-primary": { type: "postgres" } } }),
    ];
    expect(problems(services, "staging").join("\n")).toContain(
      "backingServices.db-primary: derives the Kubernetes PodDisruptionBudget 'a-db-primary' (CloudNativePG's PodDisruptionBudget of the database db-primary of a), which services/a/service.ts derives too (CloudNativePG's PodDisruptionBudget -primary of the database db of a)",
    );
  });

  it("GIVEN a <service>-<resource> of 51 characters WHEN resolved THEN it is refused saying why; 50 is accepted", () => {
    const service40 = "s".repeat(40);
    expect(problems([withDatabase(service40, "d".repeat(9))], "staging")).toEqual([]);
    expect(problems([withDatabase(service40, "d".repeat(10))], "local")).toEqual([
      `services/${service40}/service.ts: backingServices.${"d".repeat(10)}: makes the database name '${service40}-${"d".repeat(10)}' (51 characters); '<service>-<name>' must be at most 50 characters, since CloudNativePG refuses a longer Cluster name; choose a shorter name (got "${"d".repeat(10)}")`,
    ]);
  });

  it("GIVEN the example-like catalogue without collisions WHEN resolved THEN nothing is refused", () => {
    const services = [withDatabase("orders", "db", { dependsOn: ["catalog"] }), withDatabase("catalog", "db")];
    for (const environment of ENVIRONMENTS) expect(problems(services, environment)).toEqual([]);
  });
});
