/**
 * Kubernetes-style resource quantities, parsed once so that both targets and the
 * diff tool compute with the same numbers.
 */

const CPU_PATTERN = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)$/;

/** What a cpu quantity may look like, for error messages. */
export const CPU_ACCEPTED = 'millicores like "250m" or cores like "0.5" or 1';
/** What a memory quantity may look like, for error messages. */
export const MEMORY_ACCEPTED = 'a size in Ki, Mi or Gi like "256Mi" or "1Gi"';

/** Parses a cpu quantity ("250m", "0.5", 2) to millicores; undefined when malformed. */
export function parseCpuMillis(value: string | number): number | undefined {
  const match = CPU_PATTERN.exec(String(value));
  if (!match) return undefined;
  const amount = Number(match[1]);
  const millis = match[2] === "m" ? amount : amount * 1000;
  return millis > 0 && Number.isInteger(millis) ? millis : undefined;
}

/** Parses a memory quantity ("256Mi", "1Gi") to MiB; undefined when malformed. */
export function parseMemoryMiB(value: string): number | undefined {
  const match = MEMORY_PATTERN.exec(value);
  if (!match) return undefined;
  const factor = { Ki: 1 / 1024, Mi: 1, Gi: 1024 }[match[2] as "Ki" | "Mi" | "Gi"];
  const mib = Number(match[1]) * factor;
  return mib > 0 ? mib : undefined;
}

/** Renders millicores the way Kubernetes prints them ("250m"). */
export function formatCpu(millis: number): string {
  return `${millis}m`;
}

/** Renders MiB the way Kubernetes prints them ("256Mi", "1Gi"). */
export function formatMemory(mib: number): string {
  if (Number.isInteger(mib / 1024)) return `${mib / 1024}Gi`;
  return Number.isInteger(mib) ? `${mib}Mi` : `${Math.round(mib * 1024)}Ki`;
}
