import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "../support/cli.js";
import { type ProviderRegistryStandIn, startProviderRegistry } from "../support/provider-registry.js";

let sandbox: string;
let dockerSocket: string;
let fakeDocker: http.Server;
let registry: ProviderRegistryStandIn;

/** A PATH holding only a fake `terraform` that reports `version`, plus what node needs. */
function pathWithTerraform(version: string): string {
  const bin = mkdtempSync(path.join(sandbox, "bin-"));
  const terraform = path.join(bin, "terraform");
  writeFileSync(terraform, `#!/bin/sh\necho '{"terraform_version":"${version}","platform":"linux_amd64"}'\n`);
  chmodSync(terraform, 0o755);
  return `${bin}:/usr/bin:/bin`;
}

/** A machine whose provider registry is a loopback stand-in that has every provider. */
function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { HOME: sandbox, PATH: "/usr/bin:/bin", DOCTOR_PROVIDER_REGISTRY: registry.url, ...extra };
}

beforeAll(async () => {
  sandbox = mkdtempSync(path.join(os.tmpdir(), "doctor-"));
  dockerSocket = path.join(sandbox, "docker.sock");
  // A stand-in for the Docker engine: it answers /_ping like dockerd does.
  fakeDocker = http.createServer((request, response) =>
    response.writeHead(request.url === "/_ping" ? 200 : 404).end("OK"),
  );
  await new Promise<void>((resolve) => fakeDocker.listen(dockerSocket, resolve));
  registry = await startProviderRegistry();
});

afterAll(async () => {
  fakeDocker.close();
  await registry.close();
  rmSync(sandbox, { recursive: true, force: true });
});

describe("npm run doctor", () => {
  it("GIVEN terraform and a reachable Docker engine WHEN checking local THEN every line passes and it exits 0", async () => {
    const run = await runCli("tools/doctor.ts", ["local"], {
      env: environment({ PATH: pathWithTerraform("1.11.0"), DOCKER_HOST: `unix://${dockerSocket}` }),
    });
    expect(run.stdout).toContain("✓ terraform: 1.11.0 on PATH");
    expect(run.stdout).toContain(`✓ docker: engine reachable at unix://${dockerSocket}`);
    // The example services refer to no secret: test/tools/doctor/secret-variables.test.ts has the other way.
    expect(run.stdout).toContain("✓ secret variables: the specs refer to no secret");
    expect(run.stdout).toContain("local: ready to deploy");
    expect(run.status).toBe(0);
  });

  it("GIVEN a PATH without terraform and an unreachable Docker socket WHEN checking local THEN each missing piece is one line and it exits 1", async () => {
    const run = await runCli("tools/doctor.ts", [], {
      env: environment({ DOCKER_HOST: `unix://${sandbox}/nothing.sock` }),
    });
    expect(run.stdout).toContain("✗ terraform: not found on PATH; install Terraform 1.5.0 or newer and put it on PATH");
    expect(run.stdout).toMatch(
      new RegExp(
        `✗ docker: engine not reachable at unix://${sandbox}/nothing.sock \\(connect ENOENT .*\\); start Docker, or set DOCKER_HOST to its address`,
      ),
    );
    expect(run.stdout).toContain("local: 2 missing");
    expect(run.status).toBe(1);
  });

  it("GIVEN an old terraform WHEN checking THEN it says the version is too old", async () => {
    const run = await runCli("tools/doctor.ts", ["local"], {
      env: environment({ PATH: pathWithTerraform("1.4.6"), DOCKER_HOST: `unix://${dockerSocket}` }),
    });
    expect(run.stdout).toContain("✗ terraform: 1.4.6 is too old for local; install Terraform 1.5.0 or newer");
    expect(run.status).toBe(1);
  });

  it("GIVEN a kubeconfig without the staging context WHEN checking staging THEN the context and the contexts it has are named", async () => {
    const kubeconfig = path.join(sandbox, "kubeconfig");
    writeFileSync(
      kubeconfig,
      "apiVersion: v1\nkind: Config\ncontexts:\n- name: dev\n  context: {cluster: dev, user: dev}\n",
    );
    const run = await runCli("tools/doctor.ts", ["staging"], {
      env: environment({ PATH: pathWithTerraform("1.11.0"), KUBECONFIG: kubeconfig }),
    });
    expect(run.stdout).toContain(
      `✗ kubernetes: context 'staging' not in ${kubeconfig} (it has: dev); set the context variable of this environment`,
    );
    expect(run.status).toBe(1);

    // The examples own databases and a queue: a real staging also sets the API server's address for their pods.
    const ok = await runCli("tools/doctor.ts", ["staging"], {
      env: environment({
        PATH: pathWithTerraform("1.11.0"),
        KUBECONFIG: kubeconfig,
        STAGING_KUBE_CONTEXT: "dev",
        PLATFORM_KUBE_API_CIDR: "10.0.0.1/32",
        // This kubeconfig names no cluster: test/tools/doctor/cluster.test.ts asks a stand-in API server.
        DOCTOR_SKIP_CLUSTER: "1",
      }),
    });
    expect(ok.stdout).toContain(`✓ kubernetes: context 'dev' in ${kubeconfig}`);
    expect(ok.stdout).toContain(
      "✓ cluster: not checked (DOCTOR_SKIP_CLUSTER is set): the API server, the CRDs and the Secrets the stack needs",
    );
    expect(ok.stdout).toContain("✓ state: kubernetes backend, Secret tfstate-default-platform-staging in kube-system");
    expect(ok.stdout).toContain("✓ databases: the API server's address for the database pods is set");
    expect(ok.status).toBe(0);
  });

  it("GIVEN the pg backend without PG_CONN_STR WHEN checking production THEN the state line says what to set", async () => {
    const kubeconfig = path.join(sandbox, "kubeconfig-prod");
    writeFileSync(kubeconfig, "contexts:\n- name: production\n");
    const run = await runCli("tools/doctor.ts", ["production"], {
      env: environment({ PATH: pathWithTerraform("1.11.0"), KUBECONFIG: kubeconfig, PLATFORM_STATE_BACKEND: "pg" }),
    });
    expect(run.stdout).toContain("✗ state: pg backend needs PG_CONN_STR");
    expect(run.status).toBe(1);
  });

  it("GIVEN an unknown environment or backend WHEN checking THEN it is refused with what is accepted", async () => {
    const unknown = await runCli("tools/doctor.ts", ["qa"], { env: environment({}) });
    expect(unknown.stderr).toContain(
      'doctor: environment "qa" is not accepted; accepted: one of local, staging, production',
    );
    expect(unknown.status).toBe(2);
    const backend = await runCli("tools/doctor.ts", ["staging"], {
      env: environment({ PLATFORM_STATE_BACKEND: "consul" }),
    });
    expect(backend.stderr).toContain(
      '✗ settings: environment variable PLATFORM_STATE_BACKEND: "consul" is not accepted; accepted: kubernetes, s3, gcs, pg',
    );
    expect(backend.status).toBe(1);
  });
});

describe("npm run deploy", () => {
  it("GIVEN a machine without terraform or Docker WHEN deploying THEN it stops in the preflight, runs nothing and changes nothing", async () => {
    const run = await runCli("tools/deploy.ts", ["deploy"], {
      env: environment({ DOCKER_HOST: `unix://${sandbox}/nothing.sock` }),
    });
    expect(run.stdout).toContain("deploy local: preflight");
    expect(run.stdout).toContain("✗ terraform: not found on PATH");
    expect(run.stderr.trimEnd().split("\n").at(-1)).toBe(
      "deploy local: stopped by the preflight before any change; nothing was run. Fix the lines marked ✗ above and run again (npm run doctor -- local checks them alone)",
    );
    expect(run.output).not.toContain("cdktf deploy");
    expect(existsSync(path.join(ROOT, "terraform.local.tfstate"))).toBe(false);
    expect(run.status).toBe(1);
  });

  it("GIVEN --help WHEN asked THEN the usage names the environments", async () => {
    const run = await runCli("tools/deploy.ts", ["destroy", "--help"]);
    expect(run.stdout).toContain("Usage: npm run destroy -- [environment]");
    expect(run.status).toBe(0);
  });
});
