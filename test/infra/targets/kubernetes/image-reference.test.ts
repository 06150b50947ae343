import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../../../infra/app.js";
import { loadEnvironments } from "../../../../infra/environments.js";
import type { ImagesLock } from "../../../../infra/images-lock.js";
import { resourceOf, service, type StackJson } from "../../../support/platform.js";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const OLD_DIGEST = `sha256:${"f".repeat(64)}`;
const REGISTRY = "registry.example.com/platform";

/** The stacks and the warning annotations of each environment, synthesized with `imageLock`. */
function synthWithLock(imageLock: ImagesLock | undefined): {
  stacks: Record<string, StackJson>;
  warnings: Record<string, string[]>;
} {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-image-lock-"));
  try {
    const { app, stacks } = buildPlatformApp({
      services: [
        service({ name: "orders", build: {}, port: 8080 }, "1.1.0"),
        service({ name: "catalog", build: {}, port: 8081 }, "2.0.0"),
        // Scaffolded a moment ago: never pushed, so the lock has no entry for it.
        service({ name: "payments", build: {}, port: 8082 }, "0.1.0"),
        service({ name: "search", image: "ghcr.io/acme/search:4.2.0", port: 9200 }),
      ],
      environments: loadEnvironments({}),
      imageLock,
      outdir,
    });
    app.synth();
    const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { annotations: Array<{ level: string; message: string; constructPath: string }> }>;
    };
    return {
      stacks: Object.fromEntries(
        stacks.map((stack) => [
          stack.environment.name,
          JSON.parse(readFileSync(path.join(outdir, "stacks", stack.environment.name, "cdk.tf.json"), "utf8")),
        ]),
      ),
      warnings: Object.fromEntries(
        Object.entries(manifest.stacks).map(([name, stack]) => [
          name,
          stack.annotations
            .filter((a) => a.level === "@cdktf/warn" && /deployed by tag/.test(a.message))
            .map((a) => `${a.constructPath}: ${a.message}`),
        ]),
      ),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const imageOf = (stack: StackJson, name: string) =>
  resourceOf(stack, "kubernetes_deployment_v1", name).spec.template.spec.container[0].image as string;

describe("the image a Kubernetes Deployment runs", () => {
  describe("GIVEN a lock with orders at its version, catalog at an older version, and no entry for payments (new)", () => {
    let synthesized: ReturnType<typeof synthWithLock>;
    beforeAll(() => {
      synthesized = synthWithLock({
        images: { orders: { version: "1.1.0", digest: DIGEST }, catalog: { version: "1.9.0", digest: OLD_DIGEST } },
      });
    });

    it("WHEN synthesized THEN orders runs its tag pinned by the digest, in staging and production", () => {
      for (const environment of ["staging", "production"])
        expect(imageOf(synthesized.stacks[environment]!, "orders")).toBe(`${REGISTRY}/orders:1.1.0@${DIGEST}`);
    });

    it("WHEN synthesized THEN catalog's stale entry is not used, payments runs by its tag, and a spec's own image is as it was", () => {
      const staging = synthesized.stacks.staging!;
      expect(imageOf(staging, "catalog")).toBe(`${REGISTRY}/catalog:2.0.0`);
      expect(imageOf(staging, "payments")).toBe(`${REGISTRY}/payments:0.1.0`);
      expect(imageOf(staging, "search")).toBe("ghcr.io/acme/search:4.2.0");
    });

    it("WHEN synthesized THEN each Kubernetes environment warns once, naming each image by tag with its version (and the stale one), and what records the digest", () => {
      expect(synthesized.warnings.staging).toEqual([
        "staging/kubernetes: staging: 2 images are deployed by tag, not by digest, as images.lock.json has no digest for their versions: catalog 2.0.0 (the lock's 1.9.0 is stale), payments 0.1.0. The images workflow (.github/workflows/images.yml) records each digest when it pushes the image (npm run images:lock -- <service> <version> <digest>), in a pull request to merge",
      ]);
      expect(synthesized.warnings.production).toHaveLength(1);
      expect(synthesized.warnings.local).toEqual([]);
    });

    it("WHEN synthesized THEN local (Docker) still builds each image from its folder, by its tag", () => {
      const image = resourceOf(synthesized.stacks.local!, "docker_image", "orders");
      expect(image.name).toBe("platform-local/orders:1.1.0");
      expect(JSON.stringify(synthesized.stacks.local).includes(DIGEST)).toBe(false);
    });
  });

  it("GIVEN every built image in the lock at its version WHEN synthesized THEN no environment warns", () => {
    const { warnings, stacks } = synthWithLock({
      images: {
        orders: { version: "1.1.0", digest: DIGEST },
        catalog: { version: "2.0.0", digest: DIGEST },
        payments: { version: "0.1.0", digest: DIGEST },
      },
    });
    expect(warnings).toEqual({
      local: [],
      "addons-staging": [],
      staging: [],
      "addons-production": [],
      production: [],
    });
    expect(imageOf(stacks.production!, "payments")).toBe(`${REGISTRY}/payments:0.1.0@${DIGEST}`);
  });

  it("GIVEN no lock at all WHEN synthesized THEN every built image runs by its tag, with the warning", () => {
    const { warnings, stacks } = synthWithLock(undefined);
    expect(imageOf(stacks.staging!, "orders")).toBe(`${REGISTRY}/orders:1.1.0`);
    expect(warnings.staging![0]).toContain(": catalog 2.0.0, orders 1.1.0, payments 0.1.0. ");
  });
});
