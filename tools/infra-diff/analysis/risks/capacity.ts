import { capacityChange, describeCapacity } from "../capacity.js";
import type { RiskCheck } from "./risk-check.js";

/** The environment's total cpu and memory at minimum and maximum replicas, when it changes. */
export const capacityRisks: RiskCheck = {
  kind: "capacity",
  checks: "the environment's requested (Docker: limited) cpu and memory at min and max replicas",
  check(environment) {
    const totals = capacityChange(environment);
    if (!totals) return [];
    const deltas = [
      totals.after.atMin.cpuMillis - totals.before.atMin.cpuMillis,
      totals.after.atMax.cpuMillis - totals.before.atMax.cpuMillis,
      totals.after.atMin.memoryMiB - totals.before.atMin.memoryMiB,
      totals.after.atMax.memoryMiB - totals.before.atMax.memoryMiB,
    ];
    const code = deltas.every((d) => d >= 0)
      ? "capacity-increase"
      : deltas.every((d) => d <= 0)
        ? "capacity-decrease"
        : "capacity-change";
    const word = totals.basis === "request" ? "requested" : "limited to";
    return [
      {
        kind: "capacity",
        code,
        environment: environment.environment,
        service: null,
        resources: [],
        reason: `${word} ${describeCapacity(totals)}`,
      },
    ];
  },
};
