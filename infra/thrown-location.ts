import { existsSync, readFileSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** A place in a file of the repository. */
export interface SourceLocation {
  /** The file, relative to the repository root, with `/` separators: `services/orders/service.ts`. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** A frame of a V8 stack: `    at fn (file:///a/b.js:12:5)` or `    at file:///a/b.js:12:5`. */
const STACK_FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * Where `error` was thrown in the repository at `root`: the first frame of its stack in a
 * file below `below` (a folder relative to the root, like `services/orders`), or undefined
 * (no stack, or none of its frames there).
 *
 * A frame of the compiled app (tools/run-app.mjs bundles the service files into
 * node_modules/.cache/platform-app/) is mapped back to its TypeScript source through the
 * source map esbuild wrote beside it, `<file>.map`; a frame of a source file run from
 * source (tsx maps them itself) is taken as it is.
 */
export function thrownLocation(error: unknown, root: string, below: string): SourceLocation | undefined {
  const prefix = `${below.replace(/\/+$/, "")}/`;
  return firstFrame(error, root, (file) => file.startsWith(prefix));
}

/**
 * Where `error` was thrown in the repository's own files at `root`: the deepest frame of
 * its stack (the first one listed) in a file of the repository, anywhere but below
 * node_modules/ (the packages) and that exists (not the bundle's generated entry), mapped as {@link thrownLocation} maps it; or undefined
 * (no stack, or none of its frames in the repository's files).
 */
export function thrownLocationInRepository(error: unknown, root: string): SourceLocation | undefined {
  return firstFrame(error, root, (file) => !file.startsWith("node_modules/") && existsSync(path.join(root, file)));
}

/** The first frame of `error`'s stack, mapped to the repository's files, whose file `accepts`. */
function firstFrame(error: unknown, root: string, accepts: (file: string) => boolean): SourceLocation | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (typeof stack !== "string") return undefined;
  const maps = new Map<string, SourceMap | undefined>();
  for (const line of stack.split("\n")) {
    const frame = STACK_FRAME.exec(line);
    if (!frame) continue;
    const generated = filePath(frame[1]!);
    if (generated === undefined) continue;
    const location = originalLocation(generated, Number(frame[2]), Number(frame[3]), root, maps);
    if (location !== undefined && accepts(location.file)) return location;
  }
  return undefined;
}

/** A frame's file as a path; undefined for node's own modules (`node:internal/...`). */
function filePath(location: string): string | undefined {
  if (location.startsWith("file://")) return fileURLToPath(location);
  return path.isAbsolute(location) ? location : undefined;
}

/** The frame in the repository's own files: through the file's source map when it has one. */
function originalLocation(
  file: string,
  line: number,
  column: number,
  root: string,
  maps: Map<string, SourceMap | undefined>,
): SourceLocation | undefined {
  if (!maps.has(file)) maps.set(file, sourceMapOf(file));
  const map = maps.get(file);
  if (map === undefined) {
    const relative = path.relative(root, file);
    if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
    return { file: relative.split(path.sep).join("/"), line, column };
  }
  const origin = map.findOrigin(line, column);
  if (!("fileName" in origin)) return undefined;
  // esbuild names each source relative to the bundle's output folder, below the root
  // (node_modules/.cache/platform-app/...); the build folder was renamed since, so the
  // `../` are not counted but dropped: what is left is the path below the root.
  const source = origin.fileName.startsWith("file://") ? fileURLToPath(origin.fileName) : origin.fileName;
  const relative = path.isAbsolute(source) ? path.relative(root, source) : source.replace(/^(\.\.[\\/])+/, "");
  return { file: relative.split(path.sep).join("/"), line: origin.lineNumber, column: origin.columnNumber };
}

/** The source map beside a compiled file (`<file>.map`), or undefined when it has none. */
function sourceMapOf(file: string): SourceMap | undefined {
  if (!file.endsWith(".js") && !file.endsWith(".mjs")) return undefined;
  try {
    return new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")) as SourceMapPayload);
  } catch {
    return undefined;
  }
}
