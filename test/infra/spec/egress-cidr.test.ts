import { describe, expect, it } from "vitest";
import { parseIpv4Cidr, rangeContains } from "../../../infra/spec/egress-cidr.js";

describe("IPv4 CIDRs as the spec, guardrail K8S-22 and infra:diff read them", () => {
  it("GIVEN a CIDR with host bits WHEN read THEN its range starts at its network and the address is kept as written", () => {
    expect(parseIpv4Cidr("10.1.2.3/8")).toEqual({
      first: 10 * 2 ** 24,
      last: 11 * 2 ** 24 - 1,
      prefix: 8,
      address: 10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 2 ** 8 + 3,
    });
  });

  it("GIVEN text Kubernetes would refuse (a leading zero, a prefix over 32, a space) WHEN read THEN it is no CIDR", () => {
    expect(["010.0.0.0/8", "10.0.0.0/33", " 10.0.0.0/8", "10.0.0.0", "::/0"].map(parseIpv4Cidr)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("GIVEN two ranges WHEN compared THEN the wider one contains the narrower, not the reverse, and each contains itself", () => {
    const wide = parseIpv4Cidr("203.0.113.0/24")!;
    const narrow = parseIpv4Cidr("203.0.113.128/25")!;
    const other = parseIpv4Cidr("198.51.100.0/24")!;
    expect([
      rangeContains(wide, narrow),
      rangeContains(narrow, wide),
      rangeContains(wide, wide),
      rangeContains(wide, other),
    ]).toEqual([true, false, true, false]);
    expect(rangeContains(parseIpv4Cidr("0.0.0.0/0")!, other)).toBe(true);
  });
});
