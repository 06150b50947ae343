import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

/**
 * `text` as Biome formats it for the file `file` (relative to `root`, which need not
 * exist yet), with the repository's own configuration: what the scaffolding tools write
 * then passes `biome check` as it is, whatever width its lines come to. Biome is run on
 * the text (`--stdin-file-path`), never on a file. Where it is not installed, or refuses
 * the text, the text is returned as it was given.
 */
export function formattedByBiome(root: string, file: string, text: string): string {
  const biome = path.join(root, "node_modules", ".bin", "biome");
  if (!existsSync(biome)) return text;
  const run = spawnSync(biome, ["format", "--colors=off", `--stdin-file-path=${file}`], {
    cwd: root,
    input: text,
    encoding: "utf8",
    stdio: ["pipe", "pipe", "pipe"],
  });
  return run.status === 0 && run.stdout.length > 0 ? run.stdout : text;
}
