import { beforeAll, describe, expect, it } from "vitest";
import { analyse } from "../../../../../tools/infra-diff/analysis/index.js";
import type { InfraDiffReport } from "../../../../../tools/infra-diff/report.js";
import { compareStacks } from "../../../../../tools/infra-diff/resource-changes.js";
import type { StackJson as SynthesizedJson } from "../../../../../infra/guardrails/synthesized-stack.js";
import { snapshotOfStack } from "../../../../../tools/infra-diff/stack-snapshot.js";
import { service, synthPlatform, type StackJson } from "../../../../support/platform.js";

/**
 * Data-loss risks as infra:diff finds them, on stacks the platform synthesized: orders
 * owns a PostgreSQL database, and a pull request changes it.
 */
const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };
const orders = (backingServices?: Record<string, { type: "postgres"; version?: 16 | 17 }>) =>
  service({ name: "orders", build: {}, port: 8080, ...(backingServices ? { backingServices } : {}) });

function diff(before: Record<string, StackJson>, after: Record<string, StackJson>, environment: string) {
  return analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: [
      compareStacks(
        snapshotOfStack(environment, before[environment] as SynthesizedJson),
        snapshotOfStack(environment, after[environment] as SynthesizedJson),
      ),
    ],
  });
}

const dataRisks = (report: InfraDiffReport) =>
  report.risks.filter((risk) => risk.kind === "data-loss").map((risk) => [risk.code, risk.service, risk.reason]);

describe("data-loss risks", () => {
  let withDatabase: Record<string, StackJson>;
  beforeAll(() => {
    withDatabase = synthPlatform([orders({ db: { type: "postgres" } })], API);
  });

  it("GIVEN orders' database removed from its spec WHEN diffed THEN staging's Cluster is a data-loss risk, listed before every other risk", () => {
    const report = diff(withDatabase, synthPlatform([orders()], API), "staging");
    expect(dataRisks(report)).toEqual([
      ["data-deleted", "orders", 'PostgreSQL cluster "orders-db" is destroyed, and its data with it'],
    ]);
    expect(report.risks[0]!.kind).toBe("data-loss");
    expect(report.risks.some((risk) => risk.kind === "destroy")).toBe(true);
  });

  it("GIVEN orders' queue removed from its spec WHEN diffed THEN staging's RabbitmqCluster is a data-loss risk, and locally its container is destroyed with its volume kept", () => {
    const queue = (withQueue: boolean) =>
      synthPlatform(
        [
          service({
            name: "orders",
            build: {},
            port: 8080,
            ...(withQueue ? { backingServices: { jobs: { type: "queue" as const, queues: ["orders-placed"] } } } : {}),
          }),
        ],
        API,
      );
    const before = queue(true);
    const after = queue(false);
    expect(dataRisks(diff(before, after, "staging"))).toEqual([
      ["data-deleted", "orders", 'RabbitMQ cluster "orders-jobs" is destroyed, and its data with it'],
    ]);
    expect(dataRisks(diff(before, after, "local"))).toEqual([
      [
        "data-detached",
        "orders",
        expect.stringContaining("platform-local-orders-jobs-data is kept, and no database uses it"),
      ],
    ]);
  });

  it("GIVEN orders' database moved from PostgreSQL 17 to 16 WHEN diffed THEN the major version change is called out on both targets", () => {
    const older = synthPlatform([orders({ db: { type: "postgres", version: 16 } })], API);
    for (const environment of ["local", "staging"]) {
      expect(dataRisks(diff(withDatabase, older, environment))).toContainEqual([
        "database-major-version",
        "orders",
        expect.stringMatching(/moves PostgreSQL from 17 to 16: a major upgrade of the data files/),
      ]);
    }
  });

  it("GIVEN orders' database renamed WHEN diffed THEN locally the old database container is destroyed with its volume kept and unused, and on Kubernetes the old Cluster is deleted", () => {
    const renamed = synthPlatform([orders({ store: { type: "postgres" } })], API);
    expect(dataRisks(diff(withDatabase, renamed, "local"))).toEqual([
      [
        "data-detached",
        "orders",
        expect.stringMatching(
          /is destroyed; its data volume platform-local-orders-db-data is kept, and no database uses it$/,
        ),
      ],
    ]);
    expect(dataRisks(diff(withDatabase, renamed, "staging"))).toEqual([
      ["data-deleted", "orders", 'PostgreSQL cluster "orders-db" is destroyed, and its data with it'],
    ]);
  });

  it("GIVEN a change that keeps the database as it is WHEN diffed THEN there is no data-loss risk", () => {
    const scaled = synthPlatform(
      [
        service({
          name: "orders",
          build: {},
          port: 8080,
          backingServices: { db: { type: "postgres" } },
          scaling: { max: 6 },
        }),
      ],
      API,
    );
    for (const environment of ["local", "staging", "production"])
      expect(dataRisks(diff(withDatabase, scaled, environment))).toEqual([]);
  });
});
