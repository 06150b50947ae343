import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { type ProviderRegistryStandIn, startProviderRegistry } from "../support/provider-registry.js";
import { copyRepository, withOrdersBackingServices } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";
import { recordingStandIn, withStandInCdktf } from "../support/stand-in-cdktf.js";

const { folder, removeLater } = scratchFolders();

/** A copy of the repository (`withData` changes its services first) whose cdktf is a recording stand-in. */
function copyWithStandInCdktf(log: string, withData: (copy: string) => string = (copy) => copy): string {
  return withStandInCdktf(withData(removeLater(copyRepository("destroy-local-"))), log);
}

let sandbox: string;
let socket: string;
let engine: http.Server;
let registry: ProviderRegistryStandIn;
beforeAll(async () => {
  registry = await startProviderRegistry();
  sandbox = folder("destroy-local-home-");
  socket = path.join(sandbox, "docker.sock");
  // Answers the preflight's /_ping like dockerd.
  engine = http.createServer((request, response) => response.writeHead(request.url === "/_ping" ? 200 : 404).end("OK"));
  await new Promise<void>((resolve) => engine.listen(socket, resolve));
});
afterAll(async () => {
  engine.close();
  await registry.close();
});

/**
 * A PATH with stand-ins for terraform (the preflight's version) and docker, which record
 * their arguments, and a stand-in of the provider registry for the preflight.
 */
function machine(log: string): NodeJS.ProcessEnv {
  const bin = folder("destroy-local-bin-");
  writeFileSync(path.join(bin, "terraform"), `#!/bin/sh\necho '{"terraform_version":"1.11.0"}'\n`);
  chmodSync(path.join(bin, "terraform"), 0o755);
  recordingStandIn(path.join(bin, "docker"), log, "docker");
  return {
    HOME: sandbox,
    PATH: `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    DOCKER_HOST: `unix://${socket}`,
    DOCTOR_PROVIDER_REGISTRY: registry.url,
  };
}

/** cdktf's app option as the stand-in records it: the platform's app, synthesizing local alone. */
const LOCAL_APP = "--app node tools/run-app.mjs local";

/** The examples' data volumes: catalog's database and Redis cache, fulfilment's queue, orders' database. */
const EXAMPLE_VOLUMES = [
  "platform-local-catalog-cache-data",
  "platform-local-catalog-db-data",
  "platform-local-fulfilment-queue-data",
  "platform-local-orders-db-data",
];

describe("npm run destroy -- local with databases, a Redis cache and a queue", () => {
  it("GIVEN the examples owning two databases, a Redis cache and a queue WHEN destroyed without --delete-data THEN their data volumes are kept, named, with how to delete them", async () => {
    const log = path.join(folder("destroy-local-log-"), "calls");
    const copy = copyWithStandInCdktf(log);
    const run = await runCli("tools/deploy.ts", ["destroy", "local", "--auto-approve"], {
      cwd: copy,
      env: machine(log),
    });
    expect(run.status, run.output).toBe(0);
    expect(run.stdout).toContain(
      `destroy local: kept the data volumes ${EXAMPLE_VOLUMES.join(", ")}; to delete them: npm run destroy -- local --delete-data (or docker volume rm ${EXAMPLE_VOLUMES.join(" ")})`,
    );
    // The kept data does not know the passwords the next deploy makes: it says so.
    expect(run.stdout).toContain(
      "destroy local: the kept volumes hold the passwords they were made with, and the next deploy makes new ones",
    );
    // The app command synthesizes local alone (see the deploy test below).
    expect(readFileSync(log, "utf8")).toBe(`cdktf destroy local ${LOCAL_APP} --auto-approve\n`);
  });

  it("GIVEN the examples owning data WHEN destroyed with --delete-data THEN cdktf runs without it, then docker volume rm removes each data volume by name", async () => {
    const log = path.join(folder("destroy-local-log-"), "calls");
    const copy = copyWithStandInCdktf(log);
    const run = await runCli("tools/deploy.ts", ["destroy", "--delete-data"], { cwd: copy, env: machine(log) });
    expect(run.status, run.output).toBe(0);
    expect(readFileSync(log, "utf8")).toBe(
      `cdktf destroy local ${LOCAL_APP}\ndocker volume rm ${EXAMPLE_VOLUMES.join(" ")}\n`,
    );
    expect(run.stdout).toContain(`destroy local: deleted the data volumes ${EXAMPLE_VOLUMES.join(", ")}`);
  });

  it("GIVEN orders owning a Redis store and a queue besides its database WHEN destroyed with --delete-data THEN their data volumes are removed by name with the others", async () => {
    const log = path.join(folder("destroy-local-log-"), "calls");
    const copy = copyWithStandInCdktf(log, withOrdersBackingServices);
    const run = await runCli("tools/deploy.ts", ["destroy", "--delete-data"], { cwd: copy, env: machine(log) });
    expect(run.status, run.output).toBe(0);
    expect(readFileSync(log, "utf8")).toBe(
      `cdktf destroy local ${LOCAL_APP}\ndocker volume rm platform-local-catalog-cache-data platform-local-catalog-db-data platform-local-fulfilment-queue-data platform-local-orders-cache-data platform-local-orders-db-data platform-local-orders-jobs-data\n`,
    );
  });

  it("GIVEN PLATFORM_STATE_BACKEND=s3 without a bucket (staging's and production's concern) WHEN local is deployed THEN the preflight passes and cdktf runs the app for local alone", async () => {
    const log = path.join(folder("deploy-local-log-"), "calls");
    const copy = copyWithStandInCdktf(log);
    const run = await runCli("tools/deploy.ts", ["deploy", "local", "--auto-approve"], {
      cwd: copy,
      env: { ...machine(log), PLATFORM_STATE_BACKEND: "s3" },
    });
    expect(run.status, run.output).toBe(0);
    expect(run.stdout).toContain(
      'deploy local: cdktf deploy local --app "node tools/run-app.mjs local" --auto-approve\n',
    );
    expect(readFileSync(log, "utf8")).toBe(`cdktf deploy local ${LOCAL_APP} --auto-approve\n`);
  });

  it("GIVEN an app command of the user's own WHEN local is deployed THEN it is passed on as it is, and no other is added", async () => {
    const log = path.join(folder("deploy-local-log-"), "calls");
    const copy = copyWithStandInCdktf(log);
    const run = await runCli("tools/deploy.ts", ["deploy", "local", "--app", "node my-app.mjs"], {
      cwd: copy,
      env: machine(log),
    });
    expect(run.status, run.output).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("cdktf deploy local --app node my-app.mjs\n");
  });

  it("GIVEN --delete-data for staging WHEN destroyed THEN it is refused with exit 2 and nothing runs", async () => {
    const log = path.join(folder("destroy-local-log-"), "calls");
    const run = await runCli("tools/deploy.ts", ["destroy", "staging", "--delete-data"], { env: machine(log) });
    expect(run.stderr).toContain(
      "destroy staging: --delete-data is not accepted here; accepted: npm run destroy -- local --delete-data",
    );
    expect(run.status).toBe(2);
  });
});
