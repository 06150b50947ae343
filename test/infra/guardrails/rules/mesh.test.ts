import { describe, expect, it } from "vitest";
import { strictMutualTls } from "../../../../infra/guardrails/rules/mesh-01-strict-mutual-tls.js";
import { authorizedCallers } from "../../../../infra/guardrails/rules/mesh-02-authorized-callers.js";
import type { MeshName } from "../../../../infra/mesh-settings.js";
import { checkManifestSchema, manifestObjectsOf } from "../../../support/crd-validators.js";
import { K8S, synthWithGuardrails, type GuardrailsFixture, type RenderedStack } from "../../../support/guardrails.js";
import {
  addedObjectAddress,
  MESH_SERVICE_NAMES as SERVICES,
  meshFixture,
  meshServices,
  withManifest,
} from "../../../support/mesh-stacks.js";
import { exampleServices, LINKERD_MESH_VARIABLES, service } from "../../../support/platform.js";

const NAMESPACE_PATH = "kubernetes/platform/namespace";
/** The construct path of catalog's Redis StatefulSet, whose pods stay out of the mesh. */
const DATA_PODS_PATH = "kubernetes/catalog/backing-services/cache/stateful-set";
const STRICT_FIX_HINT = expect.stringContaining("STRICT");

/** GIVEN helper: the generated staging stack of the mesh catalogue (test/support/mesh-stacks.ts) with `mesh`, built once. */
const staging = (mesh: MeshName): GuardrailsFixture => meshFixture("staging", mesh);

/** The address of a generated mesh object of staging, `kubernetes_manifest.<logical id>`, from its construct path. */
const istioObject = (owner: string, part: string) => staging("istio").address(`kubernetes/${owner}/mesh/${part}`);
const linkerdObject = (owner: string, part: string) => staging("linkerd").address(`kubernetes/${owner}/mesh/${part}`);

/** The resource at an address of a stack's JSON, for a test to change. */
const at = (json: RenderedStack, address: string): Record<string, any> => {
  const [type, name] = address.split(".") as [string, string];
  const found = json.resource[type]?.[name];
  if (found === undefined) throw new Error(`no ${address} in the stack`);
  return found;
};
/** The spec of a mesh object, for a test to change. */
const specOf = (json: RenderedStack, address: string): Record<string, any> => at(json, address).manifest.spec;
/** Removes the resource at an address. */
const remove = (json: RenderedStack, address: string) => {
  const [type, name] = address.split(".") as [string, string];
  delete json.resource[type]![name];
};

/** GIVEN helper: catalog's data pods no longer opting out of `mesh` (what the platform writes with no mesh). */
const dataPodsOptingIn = (json: RenderedStack, mesh: "istio" | "linkerd") => {
  const template = at(json, staging(mesh).address(DATA_PODS_PATH)).spec.template.metadata;
  if (mesh === "istio") delete template.labels?.["sidecar.istio.io/inject"];
  else delete template.annotations?.["linkerd.io/inject"];
};

/** WHEN helper: a MESH rule's findings on staging with a mesh, after `change`. */
const meshFindings = (rule: string, mesh: "istio" | "linkerd", change: (json: RenderedStack) => void = () => {}) =>
  staging(mesh).findingsAfter(rule, change);

describe("the mesh objects of the fixtures", () => {
  it.each(["istio", "linkerd"] as const)(
    "GIVEN the generated %s staging stack WHEN its mesh objects are validated against the mesh's own CRD schemas THEN each conforms",
    (mesh) => {
      const objects = manifestObjectsOf(staging(mesh).stack.toTerraform()).filter(({ manifest }) =>
        /(^|\.)(istio|linkerd)\.io\//.test(String(manifest.apiVersion)),
      );
      expect(objects.length).toBeGreaterThan(0);
      for (const { address, manifest } of objects)
        expect(checkManifestSchema(manifest), address).toEqual(expect.objectContaining({ outcome: "valid" }));
    },
  );
});

describe("MESH rules in a stack without a mesh", () => {
  it("GIVEN the generated staging and production stacks (no mesh) WHEN checked THEN MESH-01 and MESH-02 find nothing and do not apply to the Deployments", () => {
    for (const environment of ["staging", "production"]) {
      const fixture = meshFixture(environment, "none");
      expect([...fixture.findingsOf("MESH-01"), ...fixture.findingsOf("MESH-02")]).toEqual([]);
      for (const name of SERVICES) {
        expect(fixture.outcome(strictMutualTls, K8S.deployment(name))).toEqual({ status: "not-applicable" });
        expect(fixture.outcome(authorizedCallers, K8S.deployment(name))).toEqual({ status: "not-applicable" });
      }
      expect(fixture.outcome(strictMutualTls, NAMESPACE_PATH)).toEqual({ status: "not-applicable" });
    }
  });

  it("GIVEN an unmeshed stack with a data StatefulSet (no mesh opt-out on its pods) WHEN checked THEN the MESH rules find nothing in it either", () => {
    const json = staging("none").stack.toTerraform() as unknown as RenderedStack;
    expect(at(json, staging("none").address(DATA_PODS_PATH)).spec.template.metadata).not.toHaveProperty("annotations");
    expect(
      staging("none")
        .findings()
        .filter((f) => f.rule.startsWith("MESH-")),
    ).toEqual([]);
  });
});

describe.each([
  ["istio", { PLATFORM_MESH: "istio" }],
  ["linkerd", LINKERD_MESH_VARIABLES],
] as const)("the platform's own %s objects", (mesh, variables) => {
  it(`GIVEN the example catalogue synthesized with PLATFORM_MESH=${mesh} WHEN the guardrails run THEN no rule finds anything, MESH-01 and MESH-02 checked every stack, and nothing is suppressed`, () => {
    const { run } = synthWithGuardrails(exampleServices(), () => {}, variables);
    expect(run.findings.filter((f) => f.level === "error")).toEqual([]);
    expect(run.findings.filter((f) => f.rule.startsWith("MESH-"))).toEqual([]);
    expect(run.findings.filter((f) => f.suppressed)).toEqual([]);
    // The rules did look at meshed stacks: a PERMISSIVE mode or an allow-all rule would be theirs.
    expect(run.rules.map((rule) => rule.id)).toEqual(expect.arrayContaining(["MESH-01", "MESH-02"]));
  });
});

describe.each(["istio", "linkerd"] as const)("the compliant %s stack", (mesh) => {
  it(`GIVEN staging with the ${mesh} objects of the mesh contract and data pods that opt out WHEN checked THEN MESH-01 and MESH-02 find nothing`, () => {
    expect(meshFindings("MESH-01", mesh)).toEqual([]);
    expect(meshFindings("MESH-02", mesh)).toEqual([]);
  });

  it(`GIVEN the compliant ${mesh} stack WHEN each MESH rule checks each resource THEN the meshed Deployments are compliant and the opted-out data pods not concerned`, () => {
    const fixture = staging(mesh);
    for (const rule of [strictMutualTls, authorizedCallers]) {
      for (const name of SERVICES) expect(fixture.outcome(rule, K8S.deployment(name))).toEqual({ status: "compliant" });
      expect(fixture.outcome(rule, DATA_PODS_PATH)).toEqual({ status: "not-applicable" });
    }
    const policyObject =
      mesh === "istio"
        ? "kubernetes/catalog/mesh/authorization-policy"
        : "kubernetes/catalog/mesh/callers-authorization";
    expect(fixture.outcome(authorizedCallers, policyObject)).toEqual({ status: "compliant" });
    const tlsObject = mesh === "istio" ? "kubernetes/platform/mesh/peer-authentication" : NAMESPACE_PATH;
    expect(fixture.outcome(strictMutualTls, tlsObject)).toEqual({ status: "compliant" });
  });

  it(`GIVEN staging with the ${mesh} objects and a data StatefulSet that does not opt out of the mesh WHEN checked THEN MESH-02 reports the StatefulSet`, () => {
    const findings = meshFindings("MESH-02", mesh, (json) => dataPodsOptingIn(json, mesh));
    expect(findings.map((f) => [f.level, f.resource])).toEqual([["error", staging(mesh).address(DATA_PODS_PATH)]]);
  });
});

describe("MESH-01: Istio mTLS STRICT, no PERMISSIVE or DISABLE left", () => {
  const PEER_AUTHENTICATION = istioObject("platform", "peer-authentication");

  it("GIVEN the namespace's PeerAuthentication set to PERMISSIVE, then to DISABLE WHEN checked THEN MESH-01 names it and the mode", () => {
    for (const [mode, effect] of [
      ["PERMISSIVE", "so its pods accept plain-text connections besides mutual TLS"],
      ["DISABLE", "so its pods take plain text only, with no peer identity"],
    ]) {
      expect(
        meshFindings("MESH-01", "istio", (json) => {
          specOf(json, PEER_AUTHENTICATION).mtls.mode = mode;
        }),
      ).toEqual([
        {
          rule: "MESH-01",
          level: "error",
          resource: PEER_AUTHENTICATION,
          message: `Istio PeerAuthentication "default" sets mtls.mode ${mode}, ${effect}`,
        },
      ]);
    }
  });

  it("GIVEN the namespace's PeerAuthentication with no mode WHEN checked THEN MESH-01 says it inherits the mesh-wide PERMISSIVE", () => {
    expect(
      meshFindings("MESH-01", "istio", (json) => {
        delete specOf(json, PEER_AUTHENTICATION).mtls;
      }),
    ).toEqual([
      {
        rule: "MESH-01",
        level: "error",
        resource: PEER_AUTHENTICATION,
        message:
          'Istio PeerAuthentication "default" applies to the whole namespace and sets no mtls.mode (unset), so it inherits the mesh-wide mode, which Istio leaves PERMISSIVE by default',
      },
    ]);
  });

  it("GIVEN a PeerAuthentication of orders, STRICT but with port 8081 PERMISSIVE WHEN checked THEN MESH-01 names the port", () => {
    const findings = staging("istio").checkedAfter((json) => {
      withManifest(json, "orders", "peer-authentication", {
        apiVersion: "security.istio.io/v1beta1",
        kind: "PeerAuthentication",
        metadata: { name: "orders", namespace: "platform-staging" },
        spec: {
          selector: { matchLabels: { "app.kubernetes.io/name": "orders" } },
          mtls: { mode: "STRICT" },
          portLevelMtls: { "8081": { mode: "PERMISSIVE" } },
        },
      });
    });
    expect(findings.filter((f) => f.rule === "MESH-01")).toEqual([
      expect.objectContaining({
        level: "error",
        service: "orders",
        resource: addedObjectAddress("orders", "peer-authentication"),
        message:
          'Istio PeerAuthentication "orders" sets port 8081 to PERMISSIVE (portLevelMtls), so its pods accept plain-text connections besides mutual TLS on that port',
        fix: "remove port 8081 from spec.portLevelMtls, or set its mode to STRICT",
      }),
    ]);
  });

  it("GIVEN a meshed namespace without any PeerAuthentication WHEN checked THEN MESH-01 reports each meshed Deployment, not the data pods that opt out", () => {
    const findings = staging("istio").checkedAfter((json) => {
      remove(json, istioObject("platform", "peer-authentication"));
    });
    expect(findings.filter((f) => f.rule === "MESH-01")).toEqual(
      SERVICES.map((name) =>
        expect.objectContaining({
          level: "error",
          service: name,
          resource: staging("istio").address(K8S.deployment(name)),
          message:
            'its pods are in the Istio mesh (namespace "platform-staging") and no PeerAuthentication sets their mTLS mode, so they accept plain text (Istio\'s default is PERMISSIVE)',
          fix: STRICT_FIX_HINT,
        }),
      ),
    );
  });

  it("GIVEN the catalog DestinationRule with tls.mode DISABLE WHEN checked THEN MESH-01 names the rule and its host", () => {
    expect(
      meshFindings("MESH-01", "istio", (json) => {
        specOf(json, istioObject("catalog", "destination-rule")).trafficPolicy.tls.mode = "DISABLE";
      }),
    ).toEqual([
      {
        rule: "MESH-01",
        level: "error",
        resource: istioObject("catalog", "destination-rule"),
        message:
          'Istio DestinationRule "catalog" sets trafficPolicy.tls.mode DISABLE, so its clients call host "catalog.platform-staging.svc.cluster.local" in plain text, which only a PERMISSIVE or DISABLE server accepts',
      },
    ]);
  });
});

describe("MESH-01: Linkerd accepts authenticated clients only", () => {
  it("GIVEN the namespace's default inbound policy all-unauthenticated, then missing WHEN checked THEN MESH-01 reports the namespace", () => {
    const namespace = staging("linkerd").address(NAMESPACE_PATH);
    const withPolicy = (policy: string | undefined) =>
      meshFindings("MESH-01", "linkerd", (json) => {
        const annotations = Object.values(json.resource.kubernetes_namespace_v1!)[0].metadata.annotations;
        if (policy === undefined) delete annotations["config.linkerd.io/default-inbound-policy"];
        else annotations["config.linkerd.io/default-inbound-policy"] = policy;
      });
    expect(withPolicy("all-unauthenticated")).toEqual([
      {
        rule: "MESH-01",
        level: "error",
        resource: namespace,
        message:
          'namespace "platform-staging" sets config.linkerd.io/default-inbound-policy all-unauthenticated, so clients without a mesh identity get in where no Server says otherwise',
      },
    ]);
    expect(withPolicy(undefined)).toEqual([
      {
        rule: "MESH-01",
        level: "error",
        resource: namespace,
        message:
          'namespace "platform-staging" is in the Linkerd mesh and has no config.linkerd.io/default-inbound-policy annotation, so its pods take the cluster\'s default inbound policy, all-unauthenticated unless Linkerd was installed with another',
      },
    ]);
    expect(withPolicy("cluster-authenticated")).toEqual([]);
    expect(withPolicy("deny")).toEqual([]);
  });

  it("GIVEN orders' pods overriding the policy to all-unauthenticated and catalog's Server with accessPolicy audit WHEN checked THEN MESH-01 reports both", () => {
    const findings = meshFindings("MESH-01", "linkerd", (json) => {
      const [type, name] = staging("linkerd").address(K8S.deployment("orders")).split(".") as [string, string];
      json.resource[type]![name]!.spec.template.metadata.annotations = {
        "config.linkerd.io/default-inbound-policy": "all-unauthenticated",
      };
      specOf(json, linkerdObject("catalog", "server")).accessPolicy = "audit";
    });
    expect(findings).toEqual([
      // The mesh objects come first in the JSON, then the Deployments.
      {
        rule: "MESH-01",
        level: "error",
        resource: linkerdObject("catalog", "server"),
        message:
          'Linkerd Server "catalog" sets accessPolicy audit, so traffic that no AuthorizationPolicy authorizes is let in and only logged',
      },
      {
        rule: "MESH-01",
        level: "error",
        resource: staging("linkerd").address(K8S.deployment("orders")),
        message:
          "its pod template sets config.linkerd.io/default-inbound-policy all-unauthenticated, so clients without a mesh identity get in where no Server says otherwise",
      },
    ]);
  });
});

describe("MESH-02: Istio, every workload selected by an ALLOW policy that names its callers", () => {
  it("GIVEN orders' AuthorizationPolicy removed WHEN checked THEN MESH-02 reports the orders Deployment", () => {
    expect(
      meshFindings("MESH-02", "istio", (json) => {
        remove(json, istioObject("orders", "authorization-policy"));
      }),
    ).toEqual([
      {
        rule: "MESH-02",
        level: "error",
        resource: staging("istio").address(K8S.deployment("orders")),
        message:
          "its pods are in the Istio mesh and no AuthorizationPolicy with action ALLOW selects them, so any caller may reach every port and path",
      },
    ]);
  });

  it("GIVEN orders' policy made DENY WHEN checked THEN MESH-02 still reports orders: a DENY policy leaves the rest allowed", () => {
    expect(
      meshFindings("MESH-02", "istio", (json) => {
        specOf(json, istioObject("orders", "authorization-policy")).action = "DENY";
      }).map((f) => f.resource),
    ).toEqual([staging("istio").address(K8S.deployment("orders"))]);
  });

  it('GIVEN allow-all rules in catalog\'s policy (no from, rules [{}], principals and namespaces "*", a source with notPrincipals only) WHEN checked THEN MESH-02 names each, and not a "*" another field of its source narrows', () => {
    const findings = meshFindings("MESH-02", "istio", (json) => {
      const spec = specOf(json, istioObject("catalog", "authorization-policy"));
      spec.rules = [
        { to: [{ operation: { ports: ["8080"] } }] },
        {},
        { from: [{ source: { principals: ["*"] } }, { source: { namespaces: ["*"] } }] },
        { from: [{ source: { notPrincipals: ["cluster.local/ns/other/sa/x"] } }] },
        // Not all sources: a "*" namespace narrowed by the principals of the same source.
        { from: [{ source: { namespaces: ["*"], principals: ["cluster.local/ns/platform-staging/sa/orders"] } }] },
      ];
    });
    expect(findings.map((f) => [f.level, f.resource])).toEqual(
      Array(5).fill(["error", istioObject("catalog", "authorization-policy")]),
    );
    expect(findings.map((f) => f.message)).toEqual([
      'Istio AuthorizationPolicy "catalog" rule 1 has no from, so it allows every source',
      'Istio AuthorizationPolicy "catalog" rule 2 has no from, so it allows every source',
      'Istio AuthorizationPolicy "catalog" rule 3 allows principals "*": every workload with a mesh identity',
      'Istio AuthorizationPolicy "catalog" rule 3 allows namespaces "*": every namespace',
      'Istio AuthorizationPolicy "catalog" rule 4, from 1 names no principals, namespaces or ipBlocks, so it allows every source',
    ]);
  });

  it("GIVEN a namespace-wide ALLOW policy with no rules (allow nothing) instead of orders' own WHEN checked THEN orders counts as selected", () => {
    expect(
      meshFindings("MESH-02", "istio", (json) => {
        remove(json, istioObject("orders", "authorization-policy"));
        withManifest(json, "platform", "allow-nothing", {
          apiVersion: "security.istio.io/v1beta1",
          kind: "AuthorizationPolicy",
          metadata: { name: "allow-nothing", namespace: "platform-staging" },
          spec: {},
        });
      }),
    ).toEqual([]);
  });
});

describe("MESH-02: Linkerd, every port in a Server an AuthorizationPolicy targets; none allows all", () => {
  it("GIVEN orders' Server removed, then its AuthorizationPolicy WHEN checked THEN MESH-02 reports orders' port", () => {
    const message =
      'its port "http" (8081) is in no Linkerd Server that an AuthorizationPolicy targets, so the default inbound policy decides who calls it';
    const orders = staging("linkerd").address(K8S.deployment("orders"));
    expect(
      meshFindings("MESH-02", "linkerd", (json) => {
        remove(json, linkerdObject("orders", "server"));
      }),
    ).toEqual([{ rule: "MESH-02", level: "error", resource: orders, message }]);
    expect(
      meshFindings("MESH-02", "linkerd", (json) => {
        for (const part of ["callers-authorization", "monitoring-authorization"])
          remove(json, linkerdObject("orders", part));
      }),
    ).toEqual([{ rule: "MESH-02", level: "error", resource: orders, message }]);
  });

  it('GIVEN identities "*", a policy requiring no authentication and a NetworkAuthentication of 0.0.0.0/0 WHEN checked THEN MESH-02 names each object', () => {
    const findings = meshFindings("MESH-02", "linkerd", (json) => {
      specOf(json, linkerdObject("catalog", "callers-authentication")).identities = ["*"];
      specOf(json, linkerdObject("orders", "callers-authorization")).requiredAuthenticationRefs = [];
      withManifest(json, "gateway", "everyone", {
        apiVersion: "policy.linkerd.io/v1alpha1",
        kind: "NetworkAuthentication",
        metadata: { name: "everyone", namespace: "platform-staging" },
        spec: { networks: [{ cidr: "10.0.0.0/8" }, { cidr: "0.0.0.0/0" }] },
      });
    });
    expect(findings).toEqual([
      {
        rule: "MESH-02",
        level: "error",
        resource: linkerdObject("catalog", "callers-authentication"),
        message:
          'Linkerd MeshTLSAuthentication "catalog-callers" accepts identities "*": every meshed workload of the cluster may call what it authorizes',
      },
      {
        rule: "MESH-02",
        level: "error",
        resource: linkerdObject("orders", "callers-authorization"),
        message:
          'Linkerd AuthorizationPolicy "orders-callers" requires no authentication (requiredAuthenticationRefs is empty), so it authorizes every client of its target, meshed or not',
      },
      {
        rule: "MESH-02",
        level: "error",
        resource: addedObjectAddress("gateway", "everyone"),
        message:
          'Linkerd NetworkAuthentication "everyone" admits network 0.0.0.0/0: every address, without a mesh identity',
      },
    ]);
  });
});

describe("MESH rules on the older and the opt-in forms", () => {
  /** GIVEN helper: orders' Server authorized by a ServerAuthorization instead of its AuthorizationPolicies. */
  const withServerAuthorization = (json: RenderedStack, client: Record<string, unknown>) => {
    for (const part of ["callers-authorization", "monitoring-authorization"])
      remove(json, linkerdObject("orders", part));
    withManifest(json, "orders", "server-authorization", {
      apiVersion: "policy.linkerd.io/v1beta1",
      kind: "ServerAuthorization",
      metadata: { name: "orders-callers", namespace: "platform-staging" },
      spec: { server: { name: "orders" }, client },
    });
  };

  it("GIVEN orders' Server authorized by a ServerAuthorization of its callers' service accounts WHEN checked THEN MESH-02 counts orders as authorized", () => {
    expect(
      meshFindings("MESH-02", "linkerd", (json) =>
        withServerAuthorization(json, { meshTLS: { serviceAccounts: [{ name: "gateway" }] } }),
      ),
    ).toEqual([]);
  });

  it('GIVEN a ServerAuthorization of unauthenticated clients, then of identities "*" WHEN checked THEN MESH-02 names it', () => {
    const address = addedObjectAddress("orders", "server-authorization");
    expect(
      meshFindings("MESH-02", "linkerd", (json) => withServerAuthorization(json, { unauthenticated: true })),
    ).toEqual([
      {
        rule: "MESH-02",
        level: "error",
        resource: address,
        message:
          'Linkerd ServerAuthorization "orders-callers" authorizes clients without a mesh identity (client.unauthenticated)',
      },
    ]);
    expect(
      meshFindings("MESH-02", "linkerd", (json) => withServerAuthorization(json, { meshTLS: { identities: ["*"] } })),
    ).toEqual([
      {
        rule: "MESH-02",
        level: "error",
        resource: address,
        message:
          'Linkerd ServerAuthorization "orders-callers" accepts identities "*": every meshed workload of the cluster may call its Servers',
      },
    ]);
  });

  it("GIVEN orders' pods opting into Linkerd in the unmeshed namespace WHEN checked THEN MESH-01 reports the namespace's missing policy and MESH-02 orders' port, on orders alone", () => {
    const orders = staging("none").address(K8S.deployment("orders"));
    const findings = staging("none").checkedAfter((json) => {
      const [type, name] = orders.split(".") as [string, string];
      json.resource[type]![name]!.spec.template.metadata.annotations = { "linkerd.io/inject": "enabled" };
    });
    expect(findings.filter((f) => f.rule.startsWith("MESH-")).map((f) => [f.rule, f.resource, f.message])).toEqual([
      [
        "MESH-01",
        orders,
        'its pods opt into the Linkerd mesh and, like them, their namespace "platform-staging" has no config.linkerd.io/default-inbound-policy annotation, so its pods take the cluster\'s default inbound policy, all-unauthenticated unless Linkerd was installed with another',
      ],
      [
        "MESH-02",
        orders,
        'its port "http" (8081) is in no Linkerd Server that an AuthorizationPolicy targets, so the default inbound policy decides who calls it',
      ],
    ]);
  });
});

describe("MESH suppressions", () => {
  const REASON = "catalog is read by a partner's unmeshed batch job until it moves into the cluster";

  it("GIVEN catalog suppressing MESH-02 with a reason WHEN its policy and gateway's allow every source THEN catalog's finding is suppressed with the reason and gateway's still fails", () => {
    const services = meshServices().map((discovered) =>
      discovered.folder === "catalog"
        ? service({
            name: "catalog",
            build: {},
            port: 8080,
            backingServices: { cache: { type: "redis" } },
            guardrails: { suppress: [{ rule: "MESH-02", reason: REASON }] },
          })
        : discovered,
    );
    const fixture = meshFixture("staging", "istio", services);
    const findings = fixture.checkedAfter((json) => {
      specOf(json, istioObject("catalog", "authorization-policy")).rules = [{}];
      specOf(json, istioObject("gateway", "authorization-policy")).rules = [{}];
    });
    expect(
      findings
        .filter((f) => f.rule === "MESH-02")
        .map(({ service: owner, suppressed, reason }) => ({ service: owner, suppressed, reason })),
    ).toEqual([
      { service: "catalog", suppressed: true, reason: REASON },
      { service: "gateway", suppressed: false, reason: undefined },
    ]);
  });
});
