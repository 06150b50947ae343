import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticCatalogue, syntheticDependencies } from "../../../tools/bench/synthetic-catalogue.js";
import { copyProject, temporaryFolder, writeFiles } from "../../../tools/bench/workspace.js";
import { ROOT, runCli } from "../../support/cli.js";
import { resourcesOfType, type StackJson } from "../../support/platform.js";

const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe("syntheticCatalogue", () => {
  it("GIVEN a size WHEN generated twice THEN the files are the same, one spec, package.json and (for built images) Dockerfile per service", () => {
    const first = syntheticCatalogue({ services: 10 });
    expect(syntheticCatalogue({ services: 10 })).toEqual(first);
    expect(first.serviceNames).toEqual([
      "svc-0001",
      "svc-0002",
      "svc-0003",
      "svc-0004",
      "svc-0005",
      "svc-0006",
      "svc-0007",
      "svc-0008",
      "svc-0009",
      "svc-0010",
    ]);
    expect(first.files.filter((f) => f.path.endsWith("/service.ts"))).toHaveLength(10);
    expect(first.files.filter((f) => f.path.endsWith("/package.json"))).toHaveLength(10);
    // svc-0005 and svc-0010 pull an image: no Dockerfile.
    expect(first.files.filter((f) => f.path.endsWith("/Dockerfile")).map((f) => f.path.split("/")[1])).not.toContain(
      "svc-0005",
    );
    expect(first.imageServices).toBe(2);
    expect(first.publicServices).toBe(1);
  });

  it("GIVEN service numbers WHEN their dependencies are chosen THEN each calls up to three distinct lower-numbered services", () => {
    expect(syntheticDependencies(1)).toEqual([]);
    expect(syntheticDependencies(2)).toEqual([1]);
    expect(syntheticDependencies(4)).toEqual([1, 2, 3]);
    expect(syntheticDependencies(10)).toEqual([3, 5, 9]);
    // 0 + 1 + 2 + 3 + 3 + 3 * 5 edges for services 1 to 10.
    expect(syntheticCatalogue({ services: 10 }).edges).toBe(24);
  });

  it("GIVEN revision 2 WHEN generated THEN only the first service's spec differs from revision 1", () => {
    const base = syntheticCatalogue({ services: 10 });
    const head = syntheticCatalogue({ services: 10, revision: 2 });
    const changed = head.files.filter((file, i) => file.content !== base.files[i]!.content).map((f) => f.path);
    expect(changed).toEqual(["services/svc-0001/service.ts"]);
  });

  it("GIVEN withDatabases WHEN generated THEN every service, and only then, owns a PostgreSQL database of its own size", () => {
    const specs = (options: { withDatabases?: boolean }) =>
      syntheticCatalogue({ services: 10, ...options }).files.filter((f) => f.path.endsWith("/service.ts"));
    const withDatabases = specs({ withDatabases: true });
    expect(
      withDatabases.every((f) => f.content.includes('backingServices: { db: { type: "postgres", storage: "')),
    ).toBe(true);
    expect(withDatabases.find((f) => f.path === "services/svc-0003/service.ts")?.content).toContain('storage: "4Gi"');
    expect(specs({}).some((f) => f.content.includes("backingServices"))).toBe(false);
  });

  it("GIVEN a size outside 1-9999 WHEN generated THEN it is refused with the accepted range", () => {
    expect(() => syntheticCatalogue({ services: 0 })).toThrow(
      "syntheticCatalogue: services must be a whole number from 1 to 9999 (got 0)",
    );
  });
});

describe("a synthetic catalogue of 10 services, synthesized by the real synth", () => {
  const catalogue = syntheticCatalogue({ services: 10 });
  const stacks: Record<string, StackJson> = {};

  beforeAll(async () => {
    // GIVEN a copy of the project whose services are the generated ones
    const repo = temporaryFolder("bench-catalogue-test-");
    cleanup.push(repo);
    copyProject(ROOT, repo, { withServices: false });
    writeFiles(repo, catalogue.files);
    // WHEN synthesized with npm run synth's command
    const outdir = path.join(repo, "out");
    const run = await runCli("tools/run-app.mjs", [], { cwd: repo, env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(run.stderr).toContain("synthesized local, staging, production (10 services)");
    expect(run.status).toBe(0);
    for (const environment of ["local", "staging", "production"]) {
      stacks[environment] = JSON.parse(
        readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8"),
      ) as StackJson;
    }
  });

  it("THEN the local environment has one edge network per dependency edge, and exactly those", () => {
    const edgeNetworks = resourcesOfType(stacks.local!, "docker_network")
      .map(({ values }) => String(values.name))
      .filter((name) => name.includes("-to-"));
    expect(edgeNetworks).toHaveLength(catalogue.edges);
    expect(edgeNetworks).toEqual(
      expect.arrayContaining([
        "platform-local-svc-0010-to-svc-0003",
        "platform-local-svc-0010-to-svc-0005",
        "platform-local-svc-0010-to-svc-0009",
      ]),
    );
  });

  it("THEN both Kubernetes environments run every service with an autoscaler, and the public one gets an Ingress", () => {
    for (const environment of ["staging", "production"]) {
      expect(resourcesOfType(stacks[environment]!, "kubernetes_deployment_v1")).toHaveLength(10);
      expect(resourcesOfType(stacks[environment]!, "kubernetes_horizontal_pod_autoscaler_v2")).toHaveLength(10);
      expect(resourcesOfType(stacks[environment]!, "kubernetes_ingress_v1")).toHaveLength(1);
    }
  });

  it("THEN the production override of svc-0001 sets its autoscaler to min 4, max 12", () => {
    const autoscaler = resourcesOfType(stacks.production!, "kubernetes_horizontal_pod_autoscaler_v2").find(
      ({ values }) => values.metadata?.name === "svc-0001",
    );
    expect(autoscaler?.values.spec).toMatchObject({ min_replicas: 4, max_replicas: 12 });
  });
});
