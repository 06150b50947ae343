import { describe, expect, it } from "vitest";
import { covers, describeAll, expand } from "../../../tools/infra-diff/mesh-facts.js";

describe("expand", () => {
  it("GIVEN a source with two principals and a namespace WHEN expanded THEN it is one atom per principal, each with the namespace, and refused values stay whole", () => {
    expect(expand({ principals: ["a", "b"], namespaces: ["n"], notPaths: ["/x", "/y"] })).toEqual([
      { principals: ["a"], namespaces: ["n"], notPaths: ["/x", "/y"] },
      { principals: ["b"], namespaces: ["n"], notPaths: ["/x", "/y"] },
    ]);
  });

  it("GIVEN no condition, and an empty list of accepted values WHEN expanded THEN the first is one atom that is anything, the second matches nothing", () => {
    expect(expand({})).toEqual([{}]);
    expect(expand({ ports: [] })).toEqual([]);
  });
});

describe("covers", () => {
  it("GIVEN anything WHEN it is compared with any atom THEN it covers it; an atom does not cover anything", () => {
    expect(covers({}, { ports: ["8080"] })).toBe(true);
    expect(covers({ ports: ["8080"] }, {})).toBe(false);
  });

  it("GIVEN patterns (`*`, prefix, suffix) WHEN compared THEN they cover what they match and nothing else", () => {
    const monitoring = { identities: ["*.monitoring.serviceaccount.identity.linkerd.cluster.local"] };
    expect(
      covers(monitoring, { identities: ["prometheus.monitoring.serviceaccount.identity.linkerd.cluster.local"] }),
    ).toBe(true);
    expect(covers(monitoring, { identities: ["*"] })).toBe(false);
    expect(covers({ identities: ["*"] }, monitoring)).toBe(true);
    expect(covers({ paths: ["/api/*"] }, { paths: ["/api/orders"] })).toBe(true);
    expect(covers({ paths: ["/api/*"] }, { paths: ["/admin"] })).toBe(false);
  });

  it("GIVEN refused values WHEN compared THEN a narrower atom refuses at least as much", () => {
    expect(covers({ paths: ["*"], notPaths: ["/admin"] }, { paths: ["/x"], notPaths: ["/admin", "/debug"] })).toBe(
      true,
    );
    expect(covers({ paths: ["*"], notPaths: ["/admin"] }, { paths: ["/x"] })).toBe(false);
  });
});

describe("describeAll", () => {
  it("GIVEN atoms that differ in one accepted value WHEN described THEN they are merged back; others stay apart", () => {
    expect(
      describeAll(
        [{ ports: ["8081"], methods: ["GET"] }, { ports: ["8081"], methods: ["POST"] }, { ports: ["9090"] }],
        "any operation",
      ),
    ).toBe("ports 8081, methods GET | POST; ports 9090");
    expect(describeAll([{}], "any operation")).toBe("any operation");
  });
});
