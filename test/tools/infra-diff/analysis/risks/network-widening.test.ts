import { beforeAll, describe, expect, it } from "vitest";
import { analyse } from "../../../../../tools/infra-diff/analysis/index.js";
import type { InfraDiffReport } from "../../../../../tools/infra-diff/report.js";
import { compareStacks } from "../../../../../tools/infra-diff/resource-changes.js";
import type { StackJson as SynthesizedJson } from "../../../../../infra/guardrails/synthesized-stack.js";
import { snapshotOfStack } from "../../../../../tools/infra-diff/stack-snapshot.js";
import {
  copyStack,
  manifestIn,
  meshStack,
  withCopyOf,
  withoutManifest,
  type MeshStackJson,
} from "../../../../support/mesh-stacks.js";
import { service, synthPlatform, type StackJson } from "../../../../support/platform.js";

/**
 * Network widening as infra:diff finds it, on stacks the platform synthesized: orders owns
 * a database, and a pull request lets reports read it (`uses`).
 */
const API = { PLATFORM_KUBE_API_CIDR: "10.0.0.1/32" };
const catalogue = (uses: string[]) =>
  synthPlatform(
    [
      service({ name: "orders", build: {}, port: 8080, backingServices: { db: { type: "postgres" } } }),
      service({ name: "reports", build: {}, port: 8081, uses }),
    ],
    API,
  );

function widening(before: Record<string, StackJson>, after: Record<string, StackJson>, environment: string) {
  const report: InfraDiffReport = analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: [
      compareStacks(
        snapshotOfStack(environment, before[environment] as SynthesizedJson),
        snapshotOfStack(environment, after[environment] as SynthesizedJson),
      ),
    ],
  });
  return report.risks
    .filter((risk) => risk.kind === "network-widening")
    .map((risk) => [risk.code, risk.reason, risk.change]);
}

describe("network widening by a new reader of a backing service", () => {
  let before: Record<string, StackJson>;
  let after: Record<string, StackJson>;
  beforeAll(() => {
    before = catalogue([]);
    after = catalogue(["orders.db"]);
  });

  it.each(["local", "staging"])(
    "GIVEN reports newly using orders.db WHEN %s is diffed THEN it is a new edge from reports to orders",
    (environment) => {
      expect(widening(before, after, environment)).toContainEqual([
        "new-edge",
        "reports may now call orders",
        { what: "calls orders", before: "not allowed", after: "allowed" },
      ]);
    },
  );

  it("GIVEN no change of readers WHEN diffed THEN there is no widening", () => {
    for (const environment of ["local", "staging"])
      expect(widening(after, catalogue(["orders.db"]), environment)).toEqual([]);
  });
});

describe("a new edge that closes a cycle of calls", () => {
  // GIVEN gateway calls orders, which calls catalog
  const calls = (catalogCalls: string[]) =>
    synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, dependsOn: catalogCalls }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders"] }),
    ]);
  let before: Record<string, StackJson>;
  beforeAll(() => {
    before = calls([]);
  });

  it.each(["local", "staging"])(
    "GIVEN catalog newly calling gateway WHEN %s is diffed THEN the edge and the cycle it closes are risks",
    (environment) => {
      expect(widening(before, calls(["gateway"]), environment)).toEqual([
        [
          "new-edge",
          "catalog may now call gateway",
          { what: "calls gateway", before: "not allowed", after: "allowed" },
        ],
        [
          "dependency-cycle",
          "catalog may now call gateway, which closes the cycle catalog -> gateway -> orders -> catalog: a request can loop round it and a failure of one of them reaches the others",
          { what: "calls gateway", before: "no cycle", after: "cycle catalog -> gateway -> orders -> catalog" },
        ],
      ]);
    },
  );

  it("GIVEN catalog newly calling a service that does not call it back WHEN diffed THEN it is a new edge and no cycle", () => {
    const after = synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, dependsOn: ["prices"] }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders"] }),
      service({ name: "prices", build: {}, port: 8083 }),
    ]);
    const risks = widening(before, after, "staging");
    expect(risks).toContainEqual([
      "new-edge",
      "catalog may now call prices",
      { what: "calls prices", before: "not allowed", after: "allowed" },
    ]);
    expect(risks.filter(([code]) => code === "dependency-cycle")).toEqual([]);
  });

  it("GIVEN a cycle already there WHEN a shortcut inside it is added (gateway newly calling catalog) THEN it is a new edge and no new cycle", () => {
    const cyclic = calls(["gateway"]);
    const shortcut = synthPlatform([
      service({ name: "catalog", build: {}, port: 8080, dependsOn: ["gateway"] }),
      service({ name: "orders", build: {}, port: 8081, dependsOn: ["catalog"] }),
      service({ name: "gateway", build: {}, port: 8082, dependsOn: ["orders", "catalog"] }),
    ]);
    const risks = widening(cyclic, shortcut, "staging");
    expect(risks.map(([code, reason]) => [code, reason])).toEqual([["new-edge", "gateway may now call catalog"]]);
  });
});

/** The widening risks of a diff of two generated stacks of staging, as [code, service, change]. */
function meshWidening(before: MeshStackJson, after: MeshStackJson) {
  const report = analyse({
    base: { ref: "main", commit: null },
    head: { ref: null, commit: null },
    environments: [compareStacks(snapshotOfStack("staging", before), snapshotOfStack("staging", after))],
  });
  return report.risks
    .filter((risk) => risk.kind === "network-widening")
    .map((risk) => [risk.code, risk.service, risk.change]);
}

/** A copy of the stack, changed. */
function changed(stack: MeshStackJson, change: (copy: MeshStackJson) => void): MeshStackJson {
  const copy = copyStack(stack);
  change(copy);
  return copy;
}

const STAGING_NS = "platform-staging";
const principal = (service: string) => `cluster.local/ns/${STAGING_NS}/sa/${service}`;
const OWN_POLICY = "Istio AuthorizationPolicy orders";

describe("network widening by Istio authorization policies", () => {
  const istio = meshStack("staging", "istio");
  const rulesOf = (stack: MeshStackJson, name = "orders") => manifestIn(stack, "AuthorizationPolicy", name).spec.rules;

  it("GIVEN the same stack on both sides WHEN diffed THEN nothing widens", () => {
    expect(meshWidening(istio, copyStack(istio))).toEqual([]);
  });

  it("GIVEN a new principal among orders' callers WHEN diffed THEN it is a new source of orders' policy, and only it", () => {
    const after = changed(istio, (s) => rulesOf(s)[0].from[0].source.principals.push(principal("catalog")));
    expect(meshWidening(istio, after)).toEqual([
      [
        "new-mesh-source",
        "orders",
        {
          what: `${OWN_POLICY}: principals ${principal("catalog")}`,
          before: "not let in",
          after: "let in: ports 8081",
        },
      ],
    ]);
  });

  it("GIVEN a new namespace as a source WHEN diffed THEN it is a new source", () => {
    const after = changed(istio, (s) => rulesOf(s)[1].from[0].source.namespaces.push("tools"));
    expect(meshWidening(istio, after)).toEqual([
      [
        "new-mesh-source",
        "orders",
        {
          what: `${OWN_POLICY}: namespaces tools`,
          before: "not let in",
          after: "let in: ports 8081, methods GET, paths /metrics",
        },
      ],
    ]);
  });

  it.each([
    ["without `from`", (rule: Record<string, unknown>) => delete rule.from],
    ["with an empty `from`", (rule: Record<string, unknown>) => (rule.from = [])],
  ])(
    "GIVEN orders' callers' rule %s (every source) WHEN diffed THEN any source is a new source on the callers' port",
    (_, widen) => {
      const after = changed(istio, (s) => widen(rulesOf(s)[0]));
      expect(meshWidening(istio, after)).toEqual([
        [
          "new-mesh-source",
          "orders",
          { what: `${OWN_POLICY}: any source`, before: "not let in", after: "let in: ports 8081" },
        ],
      ]);
    },
  );

  it("GIVEN a port, a method and a path added, and then the operation restriction removed WHEN diffed THEN each is a wider operation of a known source, before -> after", () => {
    const port = changed(istio, (s) => rulesOf(s)[0].to[0].operation.ports.push("5005"));
    expect(meshWidening(istio, port)).toEqual([
      [
        "wider-mesh-operation",
        "orders",
        {
          what: `${OWN_POLICY}: principals ${principal("gateway")}`,
          before: "ports 8081",
          after: "ports 8081 | 5005",
        },
      ],
      [
        "wider-mesh-operation",
        "orders",
        {
          what: `${OWN_POLICY}: principals ${principal("reports")}`,
          before: "ports 8081",
          after: "ports 8081 | 5005",
        },
      ],
    ]);
    const method = changed(istio, (s) => rulesOf(s)[1].to[0].operation.methods.push("POST"));
    expect(meshWidening(istio, method)).toEqual([
      [
        "wider-mesh-operation",
        "orders",
        {
          what: `${OWN_POLICY}: namespaces monitoring`,
          before: "ports 8081, methods GET, paths /metrics",
          after: "ports 8081, methods GET | POST, paths /metrics",
        },
      ],
    ]);
    const path = changed(istio, (s) => (rulesOf(s)[1].to[0].operation.paths = ["/metrics", "/admin/*"]));
    expect(meshWidening(istio, path).map(([code, , change]) => [code, (change as { after: string }).after])).toEqual([
      ["wider-mesh-operation", "ports 8081, methods GET, paths /metrics | /admin/*"],
    ]);
    const anyOperation = changed(istio, (s) => delete rulesOf(s)[1].to);
    expect(meshWidening(istio, anyOperation)).toEqual([
      [
        "wider-mesh-operation",
        "orders",
        {
          what: `${OWN_POLICY}: namespaces monitoring`,
          before: "ports 8081, methods GET, paths /metrics",
          after: "any operation",
        },
      ],
    ]);
  });

  it("GIVEN a narrowing (a principal and a whole rule removed, paths refused) WHEN diffed THEN it is no risk", () => {
    const after = changed(istio, (s) => {
      rulesOf(s)[0].from[0].source.principals.pop();
      rulesOf(s, "gateway").splice(0, 1);
      rulesOf(s, "catalog")[1].to[0].operation.notPaths = ["/metrics/private"];
    });
    expect(meshWidening(istio, after)).toEqual([]);
  });

  it("GIVEN a second ALLOW policy on orders WHEN its rules are already allowed THEN nothing widens; WHEN it has a new rule THEN that rule is a new source, named by the new policy", () => {
    const second = (rules: unknown[]) =>
      withCopyOf(copyStack(istio), "AuthorizationPolicy", "orders", "orders-extra", (m) => {
        m.spec.rules = rules;
      });
    expect(meshWidening(istio, second([rulesOf(istio)[0]]))).toEqual([]);
    expect(
      meshWidening(
        istio,
        second([
          { from: [{ source: { principals: [principal("catalog")] } }], to: [{ operation: { ports: ["8081"] } }] },
        ]),
      ),
    ).toEqual([
      [
        "new-mesh-source",
        "orders",
        {
          what: `Istio AuthorizationPolicy orders-extra: principals ${principal("catalog")}`,
          before: "not let in",
          after: "let in: ports 8081",
        },
      ],
    ]);
  });

  it("GIVEN the mesh turned on (each service's first ALLOW policy) WHEN diffed THEN the policies narrow: the one widening is the pods' new egress to their control plane", () => {
    expect(meshWidening(meshStack("staging", "none"), istio)).toEqual([
      [
        "new-external-egress",
        null,
        { what: "namespace istio-system", before: "not allowed", after: "allowed on 15012/TCP" },
      ],
    ]);
  });

  it("GIVEN orders' only ALLOW policy deleted while orders stays WHEN diffed THEN its guard is removed: any source", () => {
    const after = withoutManifest(copyStack(istio), "AuthorizationPolicy", "orders");
    expect(meshWidening(istio, after)).toEqual([
      [
        "mesh-guard-removed",
        "orders",
        {
          what: "istio authorization of workloads app.kubernetes.io/name=orders",
          before: `principals ${principal("gateway")} | ${principal("reports")}; namespaces monitoring`,
          after: "any source (no ALLOW policy left)",
        },
      ],
    ]);
  });
});

describe("network widening by Linkerd authorization", () => {
  const linkerd = meshStack("staging", "linkerd");
  const identity = (ns: string) => `*.${ns}.serviceaccount.identity.linkerd.cluster.local`;
  const CALLERS = "Linkerd AuthorizationPolicy orders-callers (MeshTLSAuthentication orders-callers)";

  it("GIVEN the same stack on both sides WHEN diffed THEN nothing widens", () => {
    expect(meshWidening(linkerd, copyStack(linkerd))).toEqual([]);
  });

  it("GIVEN a MeshTLSAuthentication that gains an identityRef WHEN diffed THEN the service account's identity is a new source of the Server", () => {
    const after = changed(linkerd, (s) =>
      manifestIn(s, "MeshTLSAuthentication", "orders-callers").spec.identityRefs.push({
        kind: "ServiceAccount",
        name: "catalog",
      }),
    );
    expect(meshWidening(linkerd, after)).toEqual([
      [
        "new-mesh-source",
        "orders",
        {
          what: `${CALLERS}: identities catalog.${STAGING_NS}.serviceaccount.identity.linkerd.cluster.local`,
          before: "not let in",
          after: "let in: any operation",
        },
      ],
    ]);
  });

  it('GIVEN an identity of a namespace already let in, and then the identity "*" WHEN diffed THEN the first is no risk and the widest is a new source', () => {
    const same = changed(linkerd, (s) =>
      manifestIn(s, "MeshTLSAuthentication", "orders-monitoring").spec.identities.push(
        `prometheus.monitoring.serviceaccount.identity.linkerd.cluster.local`,
      ),
    );
    expect(meshWidening(linkerd, same)).toEqual([]);
    const everyone = changed(linkerd, (s) =>
      manifestIn(s, "MeshTLSAuthentication", "orders-monitoring").spec.identities.push("*"),
    );
    expect(
      meshWidening(linkerd, everyone).map(([code, service, change]) => [
        code,
        service,
        (change as { what: string }).what,
      ]),
    ).toEqual([
      [
        "new-mesh-source",
        "orders",
        "Linkerd AuthorizationPolicy orders-monitoring (MeshTLSAuthentication orders-monitoring): identities *",
      ],
    ]);
  });

  it("GIVEN a new AuthorizationPolicy letting the ingress' authentication into orders' Server WHEN diffed THEN the ingress' identities are a new source; and a narrowing is none", () => {
    const after = withCopyOf(
      copyStack(linkerd),
      "AuthorizationPolicy",
      "orders-callers",
      "orders-from-ingress",
      (m) => {
        m.spec.requiredAuthenticationRefs = [
          { group: "policy.linkerd.io", kind: "MeshTLSAuthentication", name: "gateway-ingress" },
        ];
      },
    );
    expect(meshWidening(linkerd, after)).toEqual([
      [
        "new-mesh-source",
        "orders",
        {
          what: `Linkerd AuthorizationPolicy orders-from-ingress (MeshTLSAuthentication gateway-ingress): identities ${identity("ingress-nginx")}`,
          before: "not let in",
          after: "let in: any operation",
        },
      ],
    ]);
    const narrower = changed(linkerd, (s) =>
      manifestIn(s, "MeshTLSAuthentication", "orders-callers").spec.identityRefs.pop(),
    );
    expect(meshWidening(linkerd, narrower)).toEqual([]);
  });

  it("GIVEN orders' Server deleted while orders stays WHEN diffed THEN its guard is removed: the namespace's default inbound policy lets in", () => {
    const after = withoutManifest(copyStack(linkerd), "Server", "orders");
    expect(
      meshWidening(linkerd, after).map(([code, service, change]) => [
        code,
        service,
        (change as { after: string }).after,
      ]),
    ).toEqual([["mesh-guard-removed", "orders", "the namespace's default inbound policy (no Server)"]]);
  });
});
