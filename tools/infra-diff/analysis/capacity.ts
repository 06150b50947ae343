import { addAmounts, formatCpu, formatMemory, NO_AMOUNTS, type ResourceAmounts } from "../../../infra/spec/quantity.js";
import type { CapacityReport } from "../report.js";
import { capacityOf, type ServiceFacts } from "../service-facts.js";
import type { EnvironmentAnalysis } from "./environment.js";

/** An environment's capacity before and after (a {@link CapacityReport} without its environment). */
export type CapacityTotalsChange = Omit<CapacityReport, "environment">;

/** The environment's total cpu and memory at minimum and maximum replicas, when they change. */
export function capacityChange(environment: EnvironmentAnalysis): CapacityTotalsChange | undefined {
  const was = sum(environment.factsBefore);
  const now = sum(environment.factsAfter);
  const same = (a: ResourceAmounts, b: ResourceAmounts) => a.cpuMillis === b.cpuMillis && a.memoryMiB === b.memoryMiB;
  if (same(was.totals.atMin, now.totals.atMin) && same(was.totals.atMax, now.totals.atMax)) return undefined;
  return { basis: now.basis, before: was.totals, after: now.totals };
}

function sum(facts: ReadonlyMap<string, ServiceFacts>) {
  let basis: "request" | "limit" = "request";
  const totals = { atMin: NO_AMOUNTS, atMax: NO_AMOUNTS };
  for (const service of facts.values()) {
    const capacity = capacityOf(service);
    if (!capacity) continue;
    if (capacity.basis === "limit") basis = "limit";
    totals.atMin = addAmounts(totals.atMin, capacity.atMin);
    totals.atMax = addAmounts(totals.atMax, capacity.atMax);
  }
  return { basis, totals };
}

/** `cpu at min replicas 0.80 -> 0.90 cores, at max 3.20 cores; memory at min 1Gi -> 1152Mi, at max 4Gi`. */
export function describeCapacity(totals: CapacityTotalsChange): string {
  const pair = (a: number, b: number, format: (n: number) => string) =>
    a === b ? format(a) : `${format(a)} -> ${format(b)}`;
  const inCores = (millis: number) => `${cores(millis)} cores`;
  return (
    `cpu at min replicas ${pair(totals.before.atMin.cpuMillis, totals.after.atMin.cpuMillis, inCores)}, at max ${pair(totals.before.atMax.cpuMillis, totals.after.atMax.cpuMillis, inCores)}; ` +
    `memory at min ${pair(totals.before.atMin.memoryMiB, totals.after.atMin.memoryMiB, memory)}, at max ${pair(totals.before.atMax.memoryMiB, totals.after.atMax.memoryMiB, memory)}`
  );
}

/** The cells of an environment's capacity table: cpu and memory, at min and at max replicas, `before -> after (+delta)`. */
export interface CapacityCells {
  readonly cpu: readonly [atMin: string, atMax: string];
  readonly memory: readonly [atMin: string, atMax: string];
}

/** `1.20 -> 1.40 cores (+0.20)` for each total that changes, the total alone for one that does not. */
export function capacityCells(totals: CapacityTotalsChange): CapacityCells {
  const cell = (before: number, after: number, format: (n: number) => string, unit = "") => {
    if (before === after) return `${format(after)}${unit}`;
    const delta = after - before;
    return `${format(before)} -> ${format(after)}${unit} (${delta > 0 ? "+" : "-"}${format(Math.abs(delta))})`;
  };
  const { before, after } = totals;
  return {
    cpu: [
      cell(before.atMin.cpuMillis, after.atMin.cpuMillis, cores, " cores"),
      cell(before.atMax.cpuMillis, after.atMax.cpuMillis, cores, " cores"),
    ],
    memory: [
      cell(before.atMin.memoryMiB, after.atMin.memoryMiB, memory),
      cell(before.atMax.memoryMiB, after.atMax.memoryMiB, memory),
    ],
  };
}

/** Millicores as Kubernetes writes them (`250m`). */
export function cpu(millis: number): string {
  return formatCpu(Math.round(millis));
}

/** Millicores as cores, for totals (`1.40`). */
function cores(millis: number): string {
  return (millis / 1000).toFixed(2);
}

/** MiB as Kubernetes writes them (`256Mi`, `1Gi`). */
export function memory(mib: number): string {
  return formatMemory(Math.round(mib * 1024) / 1024);
}
