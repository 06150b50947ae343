import { spawnSync } from "node:child_process";
import { requestIdFrom } from "@platform/service-runtime";
import { describe, expect, it } from "vitest";

// The request id a request is known by (src/request-context.ts): the caller's, or a new one.

const MADE_ID = /^([0-9a-f]{16})-[0-9a-z]+$/;

describe("requestIdFrom", () => {
  it("GIVEN a caller's id that is a sane token WHEN read THEN it is kept, the first of a repeated header too", () => {
    expect(requestIdFrom("shop-checkout-7")).toBe("shop-checkout-7");
    expect(requestIdFrom(["req-1", "req-2"])).toBe("req-1");
  });

  it("GIVEN no id, or one with spaces or too long WHEN read THEN each gets a new id of this process's prefix and a count", () => {
    const made = [undefined, "no spaces allowed", "x".repeat(129), ""].map((header) => requestIdFrom(header));
    expect(made.every((id) => MADE_ID.test(id))).toBe(true);
    expect(new Set(made.map((id) => MADE_ID.exec(id)?.[1])).size).toBe(1);
  });

  it("GIVEN ten thousand requests without an id WHEN each gets one THEN no two are the same, and a caller sending one on has it kept", () => {
    const made = Array.from({ length: 10_000 }, () => requestIdFrom(undefined));
    expect(new Set(made).size).toBe(10_000);
    expect(made.filter((id) => requestIdFrom(id) !== id)).toEqual([]);
  });

  it("GIVEN two processes WHEN each makes an id THEN their prefixes differ (a restart or a second replica makes other ids)", () => {
    const script = 'import { requestIdFrom } from "@platform/service-runtime"; console.log(requestIdFrom(undefined));';
    const prefixes = [1, 2].map(() => {
      const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: import.meta.dirname,
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      return MADE_ID.exec(run.stdout.trim())?.[1];
    });
    expect(prefixes[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(prefixes[1]).not.toBe(prefixes[0]);
  });
});
