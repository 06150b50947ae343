import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readApiDocuments } from "../../../tools/infra-diff/api-documents.js";

describe("readApiDocuments", () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "api-documents-"));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it("GIVEN an output without an api folder (a revision older than the contracts) WHEN read THEN there are no documents", () => {
    expect(readApiDocuments(outdir)).toEqual({ documents: new Map(), unreadable: new Map() });
  });

  it("GIVEN documents, a broken one and other files WHEN read THEN each service's document is read by its file name, and the broken one is named, not thrown", () => {
    mkdirSync(path.join(outdir, "api"));
    writeFileSync(path.join(outdir, "api", "catalog.openapi.json"), '{"openapi":"3.1.0","paths":{}}');
    writeFileSync(path.join(outdir, "api", "orders.openapi.json"), '{"openapi": ');
    writeFileSync(path.join(outdir, "api", "gateway.openapi.json"), "[1, 2]");
    writeFileSync(path.join(outdir, "api", "README.md"), "not a contract");
    const { documents, unreadable } = readApiDocuments(outdir);
    expect([...documents]).toEqual([["catalog", { openapi: "3.1.0", paths: {} }]]);
    expect([...unreadable.keys()].sort()).toEqual(["gateway", "orders"]);
    expect(unreadable.get("gateway")).toBe("it is not a JSON object");
    expect(unreadable.get("orders")).toMatch(/^it is not JSON: /);
  });
});
