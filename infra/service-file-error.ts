import { PlatformError } from "./platform-error.js";
import { formatValue } from "./spec/spec-error.js";
import type { SourceLocation } from "./thrown-location.js";

/** What one service file threw while it was loaded, and where. */
export interface ServiceFileThrow {
  /** The service's file below the root: its spec, such as `services/orders/service.ts`, or its contract, `src/api.ts`. */
  readonly file: string;
  /** What it threw. */
  readonly thrown: unknown;
  /**
   * Where: in the spec file itself, in a module of its own it imports, or (no frame in its
   * folder) in a shared module of the repository it imports.
   * @default undefined - no stack says where (it threw something that is not an Error, or no frame is in the repository)
   */
  readonly location?: SourceLocation;
}

/**
 * Service files whose code threw while the synth loaded them (a `throw` at the top of
 * `service.ts` or of the contract `src/api.ts`, or in a module it imports, its own or shared): one line each, naming the file, the
 * line, and what was thrown. The first thrown error is the cause.
 */
export class ServiceFileError extends PlatformError {
  constructor(readonly throws: readonly ServiceFileThrow[]) {
    super("SERVICE_FILE_THREW", throws.map(describeThrow).join("\n"), { cause: throws[0]?.thrown });
  }
}

function describeThrow({ file, thrown, location }: ServiceFileThrow): string {
  const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message.split("\n")[0]}` : formatValue(thrown);
  const at = location === undefined ? undefined : `${location.file}:${location.line}:${location.column}`;
  if (at === undefined)
    return `${file}: threw ${what} while the synth loaded it (${thrown instanceof Error ? "no frame of its stack is in the repository's files" : "no stack tells the line"})`;
  if (location!.file === file) return `${at}: threw ${what} while the synth loaded it`;
  return `${file}: threw ${what} while the synth loaded it, at ${at} (a module it imports)`;
}
