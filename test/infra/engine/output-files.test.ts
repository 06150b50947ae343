import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { replaceFolder } from "../../../infra/engine/output-files.js";

describe("replaceFolder", () => {
  const scratch: string[] = [];
  afterEach(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const folderWith = (files: Record<string, string>) => {
    const root = mkdtempSync(path.join(os.tmpdir(), "replace-folder-"));
    scratch.push(root);
    const folder = path.join(root, "out");
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
      writeFileSync(path.join(folder, name), content);
    }
    return folder;
  };

  it("GIVEN a folder of an earlier synth WHEN replaced THEN it holds exactly the new files, and nothing is left beside it", () => {
    const folder = folderWith({ "rules/a.yml": "a", "rules/deleted.yml": "gone" });
    replaceFolder(folder, [
      { path: "rules/a.yml", content: "a2" },
      { path: "dashboards/b.json", content: "{}" },
    ]);
    expect(readdirSync(folder, { recursive: true }).map(String).sort()).toEqual([
      "dashboards",
      "dashboards/b.json",
      "rules",
      "rules/a.yml",
    ]);
    expect(readFileSync(path.join(folder, "rules/a.yml"), "utf8")).toBe("a2");
    expect(readdirSync(path.dirname(folder))).toEqual(["out"]);
  });

  it("GIVEN files whose content did not change WHEN replaced THEN they are the same files, linked rather than written again, and changed or edited ones are written", () => {
    const folder = folderWith({ "same.yml": "same", "changed.yml": "old", "edited.yml": "edited by hand" });
    const inode = (name: string) => statSync(path.join(folder, name)).ino;
    const before = { same: inode("same.yml"), changed: inode("changed.yml"), edited: inode("edited.yml") };
    replaceFolder(folder, [
      { path: "same.yml", content: "same" },
      { path: "changed.yml", content: "new" },
      { path: "edited.yml", content: "as rendered" },
      { path: "new.yml", content: "new" },
    ]);
    expect(inode("same.yml")).toBe(before.same);
    expect(inode("changed.yml")).not.toBe(before.changed);
    expect(inode("edited.yml")).not.toBe(before.edited);
    expect(
      Object.fromEntries(
        ["same.yml", "changed.yml", "edited.yml", "new.yml"].map((name) => [
          name,
          readFileSync(path.join(folder, name), "utf8"),
        ]),
      ),
    ).toEqual({
      "same.yml": "same",
      "changed.yml": "new",
      "edited.yml": "as rendered",
      "new.yml": "new",
    });
    expect(statSync(path.join(folder, "same.yml")).nlink).toBe(1);
  });

  it("GIVEN no folder yet WHEN replaced THEN it is made with the files", () => {
    const folder = folderWith({});
    replaceFolder(folder, [{ path: "a/b/c.txt", content: "c" }]);
    expect(readFileSync(path.join(folder, "a/b/c.txt"), "utf8")).toBe("c");
  });
});
