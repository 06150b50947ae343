import { renameSync, writeFileSync } from "node:fs";

/**
 * The line that marks a README code block as a command's real output: `<!-- output: <id> -->`,
 * right before the block's opening fence. test/repository/readme-outputs.test.ts runs the
 * command and compares; `README_UPDATE=1` rewrites the block.
 */
const MARKER = /^<!-- output: ([a-z0-9-]+) -->$/;

/** One marked block of the README: its id and the text between its fences. */
export interface ReadmeOutputBlock {
  readonly id: string;
  readonly content: string;
}

/** Where a marked block's content lies: lines `[from, to)` of the README. */
interface BlockLines extends ReadmeOutputBlock {
  readonly from: number;
  readonly to: number;
}

function markedBlocks(readme: string): BlockLines[] {
  const lines = readme.split("\n");
  const blocks: BlockLines[] = [];
  for (let index = 0; index < lines.length; index++) {
    const id = MARKER.exec(lines[index]!)?.[1];
    if (id === undefined) continue;
    const fence = /^(`{3,})/.exec(lines[index + 1] ?? "")?.[1];
    if (fence === undefined)
      throw new Error(`README.md:${index + 1}: "${lines[index]}" is not followed by a code fence`);
    const close = lines.findIndex((line, at) => at > index + 1 && line === fence);
    if (close === -1) throw new Error(`README.md:${index + 2}: the block of "${id}" is never closed`);
    blocks.push({ id, content: lines.slice(index + 2, close).join("\n"), from: index + 2, to: close });
    index = close;
  }
  return blocks;
}

/** The README's marked output blocks, in order; throws on a marker without a block or an id used twice. */
export function readmeOutputBlocks(readme: string): ReadmeOutputBlock[] {
  const blocks = markedBlocks(readme);
  const ids = blocks.map((block) => block.id);
  const twice = ids.filter((id, at) => ids.indexOf(id) !== at);
  if (twice.length > 0) throw new Error(`README.md marks more than one block as ${twice.join(", ")}`);
  return blocks.map(({ id, content }) => ({ id, content }));
}

/** The README with each marked block whose id `outputs` has replaced by that output (its last newline dropped). */
export function withReadmeOutputs(readme: string, outputs: Readonly<Record<string, string>>): string {
  const lines = readme.split("\n");
  // From the last block up, so that the line numbers of the earlier ones stay right.
  for (const block of markedBlocks(readme).reverse()) {
    const output = outputs[block.id];
    if (output !== undefined) lines.splice(block.from, block.to - block.from, ...output.replace(/\n$/, "").split("\n"));
  }
  return lines.join("\n");
}

/**
 * What of a command's output may differ from run to run, made equal on both sides of the
 * comparison (the README keeps the values of the run that wrote it):
 * - a duration, a number followed by `s` or `ms` (`in 0.45s`), reads `<duration>`;
 * - a git commit named after a quoted ref (`` `main` (4558c9fb962e) ``) reads `<commit>`:
 *   the copy's commits hold the whole repository, so they change with every commit;
 * - each `paths` entry (a temporary folder) reads `<tmp>` (the test writes it so in the README too).
 * Nothing else is changed, and no line is left out.
 */
export function normaliseOutput(text: string, paths: readonly string[] = []): string {
  let normalised = text;
  for (const folder of paths) normalised = normalised.split(folder).join("<tmp>");
  return normalised
    .replace(/\b\d+(?:\.\d+)?m?s\b/g, "<duration>")
    .replace(/(`[^`\n]+` \()[0-9a-f]{7,40}\)/g, "$1<commit>)")
    .replace(/\n$/, "");
}

/** Writes `file` whole or not at all: to a temporary file beside it, then a rename. */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
