import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serializeTemplateRecord, type TemplateRecord } from "../../../tools/scaffold/answers.js";
import { formattedByBiome } from "../../../tools/scaffold/biome-format.js";
import { ROOT } from "../../support/cli.js";

const FILE = "services/jobs/.template.json";

/** A record whose last answer, a list, makes its one-line form exactly `width` characters long. */
function recordWithLastLine(width: number): TemplateRecord {
  const prefix = '    "topics": ["';
  const suffix = '"]';
  return {
    template: "team",
    version: "0123456789ab",
    commit: null,
    answers: {
      name: "jobs",
      template: "team",
      port: 8080,
      dependsOn: [],
      public: null,
      owner: "team-jobs",
      description: "Jobs.",
      backingServices: [],
      own: { topics: ["t".repeat(width - prefix.length - suffix.length)] },
    },
  };
}

/** What `biome format` makes of `text` for `file` in this repository. */
function biomeFormat(text: string): string {
  const run = spawnSync(path.join(ROOT, "node_modules", ".bin", "biome"), ["format", `--stdin-file-path=${FILE}`], {
    cwd: ROOT,
    input: text,
    encoding: "utf8",
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe("formattedByBiome", () => {
  it.each([119, 120, 121])(
    "GIVEN a record whose last line would be %i characters WHEN formatted THEN Biome would change nothing in it",
    (width) => {
      const text = formattedByBiome(ROOT, FILE, serializeTemplateRecord(recordWithLastLine(width)));
      expect(text).toContain('"topics": [');
      expect(biomeFormat(text)).toBe(text);
    },
  );

  it("GIVEN a folder without Biome installed WHEN formatted THEN the text is returned as given", () => {
    const text = serializeTemplateRecord(recordWithLastLine(120));
    expect(formattedByBiome(path.join(ROOT, "no-such-folder"), FILE, text)).toBe(text);
  });
});
