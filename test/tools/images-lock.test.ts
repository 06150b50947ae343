import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliRun } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

/** `npm run images:lock` as the images workflow runs it, on a lock file of a temporary folder or in a copy of the repository. */

const CLI = "tools/images-lock.ts";
const { folder: scratch, removeLater } = scratchFolders();
const DIGEST_1_0_0 = `sha256:${"ab".repeat(32)}`;
const DIGEST_1_1_0 = `sha256:${"cd".repeat(32)}`;

function lock(...args: string[]): Promise<CliRun> {
  return runCli(CLI, args);
}

describe("npm run images:lock", () => {
  describe("GIVEN a lock file path in a temporary folder", () => {
    let file: string;
    beforeAll(() => {
      file = path.join(scratch("images-lock-cli-"), "images.lock.json");
    });

    it("WHEN orders 1.0.0 is recorded, again, then orders 1.1.0 THEN the file holds the last one, each run saying what it did", async () => {
      const first = await lock("orders", "1.0.0", DIGEST_1_0_0, "--file", file);
      expect([first.status, first.stdout.trim()]).toEqual([
        0,
        `images:lock: ${path.relative(process.cwd(), file)}: orders 1.0.0 ${DIGEST_1_0_0} (new entry)`,
      ]);
      const again = await lock("orders", "1.0.0", DIGEST_1_0_0, "--file", file);
      expect([again.status, again.stdout]).toEqual([
        0,
        expect.stringMatching(/has orders 1\.0\.0 sha256:[a-f0-9]{64} already\n$/),
      ]);
      const bumped = await lock("orders", "1.1.0", DIGEST_1_1_0, "--file", file);
      expect([bumped.status, bumped.stdout]).toEqual([
        0,
        expect.stringContaining(`orders 1.1.0 ${DIGEST_1_1_0} (was 1.0.0 ${DIGEST_1_0_0})`),
      ]);
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
        images: { orders: { version: "1.1.0", digest: DIGEST_1_1_0 } },
      });
      expect(readdirSync(path.dirname(file))).toEqual(["images.lock.json"]);
    });

    it("WHEN a recorded version comes again with another digest THEN it exits 1 naming both digests and leaves the file, and with --replace records the new one", async () => {
      const other = path.join(path.dirname(file), "repushed.lock.json");
      expect((await lock("orders", "1.0.0", DIGEST_1_0_0, "--file", other)).status).toBe(0);
      const before = readFileSync(other, "utf8");
      const repushed = await lock("orders", "1.0.0", DIGEST_1_1_0, "--file", other);
      expect([repushed.status, repushed.stderr]).toEqual([
        1,
        `images:lock: ${path.relative(process.cwd(), other)} records orders 1.0.0 with the digest ${DIGEST_1_0_0}, not ${DIGEST_1_1_0}: the tag 1.0.0 was pushed again with another image; bump the version to ship a new image, or pass --replace if the recorded digest is wrong\n`,
      ]);
      expect(readFileSync(other, "utf8")).toBe(before);
      const replaced = await lock("orders", "1.0.0", DIGEST_1_1_0, "--file", other, "--replace");
      expect([replaced.status, replaced.stdout]).toEqual([
        0,
        expect.stringContaining(`orders 1.0.0 ${DIGEST_1_1_0} (was 1.0.0 ${DIGEST_1_0_0})`),
      ]);
      expect(JSON.parse(readFileSync(other, "utf8"))).toEqual({
        images: { orders: { version: "1.0.0", digest: DIGEST_1_1_0 } },
      });
    });

    it("WHEN given a bad service name, version and digest THEN it exits 2 naming each with what is accepted, and writes nothing", async () => {
      const before = readFileSync(file, "utf8");
      const run = await lock("Orders", "1.0.0 beta", "sha256:ABC", "--file", file);
      expect(run.status).toBe(2);
      expect(run.stderr.split("\n").slice(0, 3)).toEqual([
        `images:lock: <service> "Orders": must be a service's name (the folder under services/): lowercase letters, digits and '-', starting with a letter, at most 63 characters`,
        `<version> "1.0.0 beta": must be the version in the service's package.json, an image tag: letters, digits, '_', '.' and '-', at most 128 characters`,
        `<digest> "sha256:ABC": must be a registry digest: "sha256:" and 64 lowercase hex digits (as docker buildx imagetools inspect prints it)`,
      ]);
      expect(run.stderr).toContain("Usage: npm run images:lock -- <service> <version> <digest>");
      expect(readFileSync(file, "utf8")).toBe(before);
    });

    it("WHEN given a service with no folder, two arguments or an unknown option THEN it exits 2 saying which", async () => {
      const unknown = await lock("payments", "1.0.0", DIGEST_1_0_0, "--file", file);
      expect([unknown.status, unknown.stderr.split("\n")[0]]).toEqual([
        2,
        `images:lock: <service> "payments": has no folder services/payments/; must be a service of this repository`,
      ]);
      const short = await lock("orders", "1.0.0", "--file", file);
      expect([short.status, short.stderr.split("\n")[0]]).toEqual([
        2,
        "images:lock: takes 3 arguments, <service> <version> <digest> (got 2)",
      ]);
      const option = await lock("orders", "1.0.0", DIGEST_1_0_0, "--registry", "r");
      expect([option.status, option.stderr]).toEqual([
        2,
        expect.stringMatching(/^images:lock: Unknown option '--registry'/),
      ]);
    });

    it("WHEN the lock file is not a lock THEN it exits 2 naming the file, the field, the value and what is accepted", async () => {
      const broken = path.join(path.dirname(file), "broken.lock.json");
      writeFileSync(broken, JSON.stringify({ images: { orders: { version: "1.0.0", digest: "latest" } } }));
      const run = await lock("catalog", "1.0.0", DIGEST_1_0_0, "--file", broken);
      expect([run.status, run.stderr]).toEqual([
        2,
        `images:lock: ${path.relative(process.cwd(), broken)}: images.orders.digest: must be a registry digest: "sha256:" and 64 lowercase hex digits (as docker buildx imagetools inspect prints it) (got "latest")\n`,
      ]);
    });

    it("WHEN asked for help THEN it prints the usage and exits 0", async () => {
      const run = await lock("--help");
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(
        /^Usage: npm run images:lock -- <service> <version> <digest> \[--file <lock file>\] \[--replace\]/,
      );
    });
  });

  it("GIVEN a copy of the repository WHEN orders' digest is recorded and the copy synthesized THEN its Deployments run the digest and the warning no longer names orders", async () => {
    const repo = removeLater(copyRepository("images-lock-repo-"));
    const recorded = await runCli(CLI, ["orders", "1.0.0", DIGEST_1_0_0], { cwd: repo });
    expect(recorded.status, recorded.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(repo, "images.lock.json"), "utf8"))).toEqual({
      images: { orders: { version: "1.0.0", digest: DIGEST_1_0_0 } },
    });
    const outdir = scratch("images-lock-synth-");
    const synth = await runCli("tools/run-app.mjs", ["staging"], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    expect(synth.status, synth.stderr).toBe(0);
    const stack = readFileSync(path.join(outdir, "stacks", "staging", "cdk.tf.json"), "utf8");
    expect(stack).toContain(`"image": "registry.example.com/platform/orders:1.0.0@${DIGEST_1_0_0}"`);
    expect(stack).toContain('"image": "registry.example.com/platform/catalog:1.0.0"');
    expect(synth.stderr).toContain(
      "warning: staging: 3 images are deployed by tag, not by digest, as images.lock.json has no digest for their versions: catalog 1.0.0, fulfilment 0.1.0, gateway 1.0.0.",
    );

    // A lock edited by hand into something else fails the synth of a Kubernetes environment, not of local.
    writeFileSync(path.join(repo, "images.lock.json"), JSON.stringify({ images: { orders: { version: "1.0.0" } } }));
    const refused = await runCli("tools/run-app.mjs", ["staging"], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    expect([refused.status, refused.stderr]).toEqual([
      1,
      `synth failed:\nimages.lock.json: images.orders.digest: must be a registry digest: "sha256:" and 64 lowercase hex digits (as docker buildx imagetools inspect prints it) (got nothing)\n`,
    ]);
    const local = await runCli("tools/run-app.mjs", ["local"], {
      cwd: repo,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    expect(local.status, local.stderr).toBe(0);
  });
});
