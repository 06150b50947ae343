import { describe, expect, it } from "vitest";
import { addAmounts, multiplyAmounts, NO_AMOUNTS } from "../../../infra/spec/quantity.js";

describe("resource amounts", () => {
  it("GIVEN the amounts of two pods WHEN added from nothing THEN cpu and memory are summed apart", () => {
    const pods = [
      { cpuMillis: 100, memoryMiB: 128 },
      { cpuMillis: 250, memoryMiB: 512 },
    ];
    expect(pods.reduce(addAmounts, NO_AMOUNTS)).toEqual({ cpuMillis: 350, memoryMiB: 640 });
    expect(NO_AMOUNTS).toEqual({ cpuMillis: 0, memoryMiB: 0 });
  });

  it("GIVEN a pod's amounts WHEN multiplied by its replicas THEN both are multiplied", () => {
    expect(multiplyAmounts({ cpuMillis: 100, memoryMiB: 128 }, 3)).toEqual({ cpuMillis: 300, memoryMiB: 384 });
  });
});
