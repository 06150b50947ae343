import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { defaultMigrationsDir } from "@platform/service-runtime";
import { describe, expect, it } from "vitest";
import { scratchFolders } from "../../../../test/support/scratch.js";
import { migrationsFolderOf } from "../../src/backing-services/schema-migrations.js";

// Where a service's migrations are found: beside the bundle or the service's sources, and
// which PostgreSQL resource a folder belongs to.

const scratch = scratchFolders();

/** A folder holding `files` (relative paths), each with a line of SQL. */
function folderWith(...files: string[]): string {
  const root = scratch.folder("migrations-");
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), "SELECT 1;\n");
  }
  return root;
}

describe("the migrations folder of a resource", () => {
  it("GIVEN one PostgreSQL resource WHEN its SQL files are directly in migrations/ THEN that folder is its", () => {
    const root = folderWith("001_a.sql");
    expect(migrationsFolderOf(root, "db", ["db"])).toBe(root);
  });

  it("GIVEN migrations/<resource>/ WHEN looked up THEN that folder is the resource's, whatever else lies beside it", () => {
    const root = folderWith("db/001_a.sql", "reports/001_b.sql");
    expect(migrationsFolderOf(root, "reports", ["db", "reports"])).toBe(path.join(root, "reports"));
  });

  it("GIVEN several PostgreSQL resources WHEN SQL files lie directly in migrations/ THEN the start is refused with where to put them", () => {
    const root = folderWith("001_a.sql");
    expect(() => migrationsFolderOf(root, "db", ["db", "reports"])).toThrow(
      `${root}: holds 001_a.sql, but the service has 2 PostgreSQL resources (db, reports); put each one's migrations in migrations/<resource>/`,
    );
  });

  it("GIVEN no folder or no SQL file WHEN looked up THEN there is nothing to apply", () => {
    expect(migrationsFolderOf(path.join(folderWith(), "absent"), "db", ["db"])).toBeUndefined();
    expect(migrationsFolderOf(folderWith("README.md"), "db", ["db"])).toBeUndefined();
  });
});

describe("the default migrations folder", () => {
  it("GIVEN the bundle with migrations/ beside it WHEN run THEN that folder is used", () => {
    const service = folderWith("dist/migrations/001_a.sql", "migrations/001_a.sql");
    expect(defaultMigrationsDir(path.join(service, "dist", "main.mjs"))).toBe(path.join(service, "dist", "migrations"));
  });

  it("GIVEN src/main.ts run from the sources WHEN the service has migrations/ THEN the service's folder is used", () => {
    const service = folderWith("src/main.ts", "migrations/001_a.sql");
    expect(defaultMigrationsDir(path.join(service, "src", "main.ts"))).toBe(path.join(service, "migrations"));
  });
});
