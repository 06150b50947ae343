import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { terraformPlatform } from "../../../tools/doctor/provider-mirror.js";
import { runCli } from "../../support/cli.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
const PLATFORM = terraformPlatform();

let home: string;
beforeAll(() => {
  home = folder("doctor-mirror-home-");
});

/** The doctor of local with PLATFORM_PROVIDER_MIRROR set, and a registry address where nothing can answer. */
async function providersLine(mirror: string): Promise<{ line: string | undefined; status: number | null }> {
  const run = await runCli("tools/doctor.ts", ["local"], {
    env: {
      HOME: home,
      PATH: "/usr/bin:/bin",
      DOCKER_HOST: `unix://${home}/none.sock`,
      PLATFORM_PROVIDER_MIRROR: mirror,
      // Were the registry asked, this line would say it is not reachable.
      DOCTOR_PROVIDER_REGISTRY: "http://127.0.0.1:1",
    },
  });
  return { line: run.stdout.split("\n").find((l) => l.slice(2).startsWith("providers: ")), status: run.status };
}

const MAKE_IT = `make it on a machine that reaches registry.terraform.io: npm run synth, then 'terraform providers mirror -platform=${PLATFORM} <folder>' in cdktf.out/stacks/<environment>, and copy the folder here`;

describe("npm run doctor with PLATFORM_PROVIDER_MIRROR", () => {
  it("GIVEN an empty mirror folder WHEN checking local THEN the line names each provider it lacks and how to make the mirror, and the doctor exits 1", async () => {
    const mirror = folder("mirror-empty-");
    const { line, status } = await providersLine(mirror);
    expect(line).toBe(
      `✗ providers: the provider mirror ${mirror} lacks kreuzwerker/docker 3.6.2, hashicorp/random 3.7.2 for ${PLATFORM}; ${MAKE_IT}`,
    );
    expect(status).toBe(1);
  });

  it("GIVEN a mirror in the unpacked layout (<host>/<namespace>/<type>/<version>/<os_arch>/) WHEN checking local THEN the line passes without asking the registry", async () => {
    const mirror = folder("mirror-unpacked-");
    for (const [namespace, type, version] of [
      ["kreuzwerker", "docker", "3.6.2"],
      ["hashicorp", "random", "3.7.2"],
    ] as const)
      mkdirSync(path.join(mirror, "registry.terraform.io", namespace, type, version, PLATFORM), { recursive: true });
    const { line } = await providersLine(mirror);
    expect(line).toBe(
      `✓ providers: the provider mirror ${mirror} holds kreuzwerker/docker 3.6.2, hashicorp/random 3.7.2 for ${PLATFORM}`,
    );
  });

  it("GIVEN a mirror in the packed layout of 'terraform providers mirror', one provider at another version WHEN checking local THEN the line names the one it lacks", async () => {
    const mirror = folder("mirror-packed-");
    const docker = path.join(mirror, "registry.terraform.io", "kreuzwerker", "docker");
    const random = path.join(mirror, "registry.terraform.io", "hashicorp", "random");
    mkdirSync(docker, { recursive: true });
    mkdirSync(random, { recursive: true });
    writeFileSync(path.join(docker, `terraform-provider-docker_3.6.2_${PLATFORM}.zip`), "");
    writeFileSync(path.join(random, `terraform-provider-random_3.6.0_${PLATFORM}.zip`), "");
    const { line, status } = await providersLine(mirror);
    expect(line).toBe(
      `✗ providers: the provider mirror ${mirror} lacks hashicorp/random 3.7.2 for ${PLATFORM}; ${MAKE_IT}`,
    );
    expect(status).toBe(1);
  });

  it("GIVEN PLATFORM_PROVIDER_MIRROR naming no folder WHEN checking local THEN the line says so", async () => {
    const mirror = path.join(folder("mirror-missing-"), "providers");
    const { line } = await providersLine(mirror);
    expect(line).toBe(`✗ providers: PLATFORM_PROVIDER_MIRROR=${mirror} is not a folder; ${MAKE_IT}`);
  });
});
