import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const runtime = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

describe("the contract module's imports", () => {
  it("GIVEN @platform/service-runtime/contract WHEN bundled THEN it reaches only zod, node's own modules and the dependency error, never fastify, cockatiel or infra/", async () => {
    const result = await build({
      entryPoints: [path.join(runtime, "src", "contract", "index.ts")],
      absWorkingDir: runtime,
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      packages: "external",
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).sort();
    expect(inputs.filter((file) => !file.startsWith("src/contract/"))).toEqual(["src/dependency-error.ts"]);
    const packages = new Set(
      Object.values(result.metafile.inputs).flatMap((input) =>
        input.imports.filter((i) => i.external).map((i) => i.path),
      ),
    );
    expect([...packages].sort()).toEqual(["zod"]);
  });
});
