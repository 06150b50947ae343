import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { defineContract, errorBody, toOpenApi } from "@platform/service-runtime/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { renderApiDocuments } from "../../infra/api-documents.js";
import { isPlatformError } from "../../infra/platform-error.js";
import { type CliRun, ROOT, runCli } from "../support/cli.js";
import { copyRepository } from "../support/repo-copy.js";
import { scratchFolders } from "../support/scratch.js";

const scratch = scratchFolders();

/**
 * A contract file as a service writes it: catalog's one operation, and the product schema
 * that gateway's contract imports from catalog's.
 */
const CATALOG_API = `import { defineContract, errorBody } from "@platform/service-runtime/contract";
import { z } from "zod";

export const product = z.object({ id: z.string(), priceCents: z.number().int() });

export default defineContract({
  service: "catalog",
  operations: {
    getProduct: {
      method: "GET",
      path: "/products/:id",
      params: z.object({ id: z.string() }),
      responses: { 200: z.object({ id: z.string(), priceCents: z.number().int() }), 404: errorBody },
    },
  },
});
`;

const catalogContract = defineContract({
  service: "catalog",
  operations: {
    getProduct: {
      method: "GET",
      path: "/products/:id",
      params: z.object({ id: z.string() }),
      responses: { 200: z.object({ id: z.string(), priceCents: z.number().int() }), 404: errorBody },
    },
  },
});

/** A repository root whose named services have a src/api.ts (the loader decides what it exports). */
function rootWithContracts(...folders: string[]): string {
  const root = scratch.folder("api-documents-");
  for (const folder of folders) {
    mkdirSync(path.join(root, "services", folder, "src"), { recursive: true });
    writeFileSync(path.join(root, "services", folder, "src", "api.ts"), "// loaded by the test's loader\n");
  }
  return root;
}

/** The CONTRACT_INVALID message renderApiDocuments throws. */
async function refusalOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPlatformError(error, "CONTRACT_INVALID")).toBe(true);
  return (error as Error).message;
}

describe("renderApiDocuments", () => {
  it("GIVEN services with and without a contract WHEN rendered THEN only those with one get a document, named by the service", async () => {
    const root = rootWithContracts("catalog");
    const loaded: string[] = [];
    const files = await renderApiDocuments(
      root,
      [
        { folder: "orders", version: "2.0.0" },
        { folder: "catalog", version: "1.4.2" },
      ],
      async (file) => {
        loaded.push(file);
        return { default: catalogContract };
      },
    );
    expect(loaded).toEqual(["services/catalog/src/api.ts"]);
    expect(files).toEqual([
      {
        path: "catalog.openapi.json",
        content: `${JSON.stringify(toOpenApi(catalogContract, { version: "1.4.2" }), null, 2)}\n`,
      },
    ]);
  });

  it("GIVEN a contract of another service WHEN rendered THEN the file, the name and the folder's name are said", async () => {
    const root = rootWithContracts("orders");
    expect(
      await refusalOf(
        renderApiDocuments(root, [{ folder: "orders", version: "1.0.0" }], async () => ({ default: catalogContract })),
      ),
    ).toBe('services/orders/src/api.ts: service: got "catalog"; accepted: "orders", the name of the service\'s folder');
  });

  it("GIVEN an api.ts whose default export is no contract WHEN rendered THEN the file and defineContract are named", async () => {
    const root = rootWithContracts("catalog");
    expect(
      await refusalOf(
        renderApiDocuments(root, [{ folder: "catalog", version: "1.0.0" }], async () => ({ default: {} })),
      ),
    ).toMatch(
      /^services\/catalog\/src\/api\.ts: the default export is not a contract; accepted: export default defineContract/,
    );
  });

  it("GIVEN an api.ts that defineContract refuses WHEN rendered THEN each problem is said with the file", async () => {
    const root = rootWithContracts("catalog");
    const load = async () => ({
      default: defineContract({
        service: "catalog",
        operations: { op: { method: "GET", path: "/x/:id", responses: { 200: errorBody } } },
      }),
    });
    expect(await refusalOf(renderApiDocuments(root, [{ folder: "catalog", version: "1.0.0" }], load))).toBe(
      'services/catalog/src/api.ts: operation "op": path parameter ":id" of /x/:id is not in params; accepted: params: z.object({...}) with exactly the path\'s parameters (id)',
    );
  });
});

describe("npm run synth and the API contracts", () => {
  describe("GIVEN catalog with a src/api.ts", () => {
    let copy: string;
    let outdir: string;
    let first: CliRun;
    const synth = () => runCli("tools/run-app.mjs", [], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir } });
    beforeAll(async () => {
      copy = scratch.removeLater(copyRepository("platform-api-documents-"));
      writeFileSync(path.join(copy, "services", "catalog", "src", "api.ts"), CATALOG_API);
      outdir = scratch.folder("api-documents-out-");
      first = await synth();
    });

    it("WHEN synthesized THEN its OpenAPI document is written and valid, and the stacks are the examples' as they were", async () => {
      expect(first.status, first.output).toBe(0);
      const document = readFileSync(path.join(outdir, "api", "catalog.openapi.json"), "utf8");
      const version = (
        JSON.parse(readFileSync(path.join(copy, "services", "catalog", "package.json"), "utf8")) as { version: string }
      ).version;
      expect(document).toBe(`${JSON.stringify(toOpenApi(catalogContract, { version }), null, 2)}\n`);
      // The runtime's own answers are declared with the operation's.
      expect(Object.keys(JSON.parse(document).paths["/products/{id}"].get.responses)).toEqual([
        "200",
        "400",
        "404",
        "413",
        "500",
        "502",
        "503",
      ]);
      await expect(SwaggerParser.validate(JSON.parse(document))).resolves.toBeDefined();
      for (const environment of ["local", "staging", "production"])
        expect(readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8")).toBe(
          readFileSync(path.join(ROOT, "test", "infra", "__snapshots__", `${environment}.cdk.tf.json`), "utf8"),
        );
    });

    it("WHEN every contract is removed and the synth runs again THEN the documents are gone too", async () => {
      expect(existsSync(path.join(outdir, "api", "catalog.openapi.json"))).toBe(true);
      for (const service of ["catalog", "orders", "gateway"])
        rmSync(path.join(copy, "services", service, "src", "api.ts"));
      const again = await synth();
      expect(again.status, again.output).toBe(0);
      expect(existsSync(path.join(outdir, "api"))).toBe(false);
    });
  });

  it("GIVEN a src/api.ts naming another service WHEN synthesized THEN the synth fails naming the file", async () => {
    const copy = scratch.removeLater(copyRepository("platform-api-documents-"));
    writeFileSync(path.join(copy, "services", "fulfilment", "src", "api.ts"), CATALOG_API);
    const outdir = scratch.folder("api-documents-out-");
    const run = await runCli("tools/run-app.mjs", [], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'synth failed:\nservices/fulfilment/src/api.ts: service: got "catalog"; accepted: "fulfilment", the name of the service\'s folder',
    );
    expect(existsSync(path.join(outdir, "api"))).toBe(false);
  });

  it("GIVEN a src/api.ts that imports the platform's guardrails or the runtime's server WHEN synthesized THEN the synth refuses it before running", async () => {
    const copy = scratch.removeLater(copyRepository("platform-api-documents-"));
    const file = path.join(copy, "services", "catalog", "src", "api.ts");
    const outdir = scratch.folder("api-documents-out-");
    const synth = () => runCli("tools/run-app.mjs", [], { cwd: copy, env: { ...process.env, CDKTF_OUTDIR: outdir } });

    writeFileSync(
      file,
      `import { GUARDRAIL_RULES } from "../../../infra/guardrails/index.js";\nGUARDRAIL_RULES.length = 0;\n${CATALOG_API}`,
    );
    const guardrails = await synth();
    expect(guardrails.status).toBe(1);
    expect(guardrails.stderr).toContain("services/catalog/src/api.ts: imports infra/guardrails/index.ts;");

    writeFileSync(file, `import { HttpError } from "@platform/service-runtime";\nvoid HttpError;\n${CATALOG_API}`);
    const server = await synth();
    expect(server.status).toBe(1);
    expect(server.stderr).toMatch(
      /^synth failed: the app does not compile:\nservices\/catalog\/src\/api\.ts:1:\d+: imports @platform\/service-runtime; a service file or contract \(and every module it imports\) may import of the service runtime only @platform\/service-runtime\/contract$/m,
    );
    expect(existsSync(path.join(outdir, "stacks"))).toBe(false);
  });
});
