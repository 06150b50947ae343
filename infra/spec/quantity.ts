/**
 * Kubernetes-style resource quantities, parsed once so that both targets and the
 * diff tool compute with the same numbers.
 */

/** cpu in millicores, memory in MiB: what a spec requests or limits, and what the diff adds up. */
export interface ResourceAmounts {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** No cpu and no memory: where a sum of amounts starts. */
export const NO_AMOUNTS: ResourceAmounts = Object.freeze({ cpuMillis: 0, memoryMiB: 0 });

/** The sum of two amounts. */
export function addAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB };
}

/** An amount times a count (of replicas). */
export function multiplyAmounts(amounts: ResourceAmounts, factor: number): ResourceAmounts {
  return { cpuMillis: amounts.cpuMillis * factor, memoryMiB: amounts.memoryMiB * factor };
}

const CPU_PATTERN = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)$/;

/** What a cpu quantity may look like, for error messages. */
export const CPU_ACCEPTED = 'millicores like "250m" or cores like "0.5" or 1';
/** What a memory quantity may look like, for error messages. */
export const MEMORY_ACCEPTED = 'a size in Ki, Mi or Gi like "256Mi" or "1Gi"';

/**
 * The smallest cpu a spec may request or limit, in millicores: the kubelet's smallest
 * CFS quota is 1 ms per 100 ms period, so a smaller limit is raised to 10m anyway, and
 * a smaller value is almost always a typo ("5m" for "500m").
 */
export const MIN_CPU_MILLIS = 10;
/**
 * The largest cpu, in millicores: 64 cores, the largest general-purpose node this
 * template plans for. A pod runs on one node; a request above every node's size stays
 * Pending for ever. A platform team with larger nodes raises it here.
 */
export const MAX_CPU_MILLIS = 64_000;
/**
 * The smallest memory, in MiB: Docker refuses a limit under 6 MiB and hardly any
 * process with its runtime starts in less than 16 MiB; it also catches "0.001Ki",
 * which would render as "0Ki", no limit at all.
 */
export const MIN_MEMORY_MIB = 16;
/** The largest memory, in MiB: 256 GiB, the memory of the 64-core node of {@link MAX_CPU_MILLIS}. */
export const MAX_MEMORY_MIB = 256 * 1024;

/**
 * What is wrong with a cpu quantity, as the rest of a message ("must be ..."), or
 * undefined when it is a well-formed amount within the bounds.
 */
export function cpuQuantityProblem(value: string | number): string | undefined {
  const millis = parseCpuMillis(value);
  if (millis === undefined) return `must be ${CPU_ACCEPTED}`;
  if (millis < MIN_CPU_MILLIS || millis > MAX_CPU_MILLIS) {
    return `must be from ${formatCpu(MIN_CPU_MILLIS)} to ${formatCpu(MAX_CPU_MILLIS)} (${MAX_CPU_MILLIS / 1000} cores): ${formatCpu(MIN_CPU_MILLIS)} is the smallest cpu the kubelet enforces, ${MAX_CPU_MILLIS / 1000} cores the largest node the platform plans for`;
  }
  return undefined;
}

/**
 * What is wrong with a memory quantity, as the rest of a message ("must be ..."), or
 * undefined when it is a well-formed amount within the bounds.
 */
export function memoryQuantityProblem(value: string): string | undefined {
  const mib = parseMemoryMiB(value);
  if (mib === undefined) return `must be ${MEMORY_ACCEPTED}`;
  if (mib < MIN_MEMORY_MIB || mib > MAX_MEMORY_MIB) {
    return `must be from ${formatMemory(MIN_MEMORY_MIB)} to ${formatMemory(MAX_MEMORY_MIB)}: below ${formatMemory(MIN_MEMORY_MIB)} hardly a process starts, ${formatMemory(MAX_MEMORY_MIB)} is the memory of the largest node the platform plans for`;
  }
  // The targets render memory in whole Ki; a fraction would be rounded silently.
  if (!Number.isInteger(mib * 1024))
    return 'must be a whole number of Ki, like "1536Ki" or "1.5Mi": a fraction of a Ki would be rounded';
  return undefined;
}

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
