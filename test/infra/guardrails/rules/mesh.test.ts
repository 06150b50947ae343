import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AuthorizationPolicy as IstioAuthorizationPolicy,
  PeerAuthentication,
} from "@kubernetes-models/istio/security.istio.io/v1beta1";
import { DestinationRule, VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1beta1";
import { Ajv } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironments } from "../../../../infra/environments.js";
import { type ResourceRule, ruleEnvironmentWith, SynthesizedStack } from "../../../../infra/guardrails/index.js";
import { strictMutualTls } from "../../../../infra/guardrails/rules/mesh-01-strict-mutual-tls.js";
import { authorizedCallers } from "../../../../infra/guardrails/rules/mesh-02-authorized-callers.js";
import { exampleServices, LINKERD_MESH_VARIABLES, service } from "../../../support/platform.js";
import {
  guardrailsFixture,
  K8S,
  synthWithGuardrails,
  type GuardrailsFixture,
  type RenderedStack,
} from "../../../support/guardrails.js";
import {
  DATA_STATEFUL_SET,
  type FixtureMesh,
  meshObjectAddress,
  meshObjectId,
  withDataPods,
  withMesh,
} from "../../../support/meshed-guardrail-stacks.js";

const SERVICES = ["catalog", "gateway", "orders"] as const;
const NAMESPACE_PATH = "kubernetes/platform/namespace";
const STRICT_FIX_HINT = expect.stringContaining("STRICT");

/** The spec of a mesh object of the fixture, for a test to change. */
const specOf = (json: RenderedStack, owner: string, part: string): Record<string, any> =>
  json.resource.kubernetes_manifest![meshObjectId(owner, part)]!.manifest.spec;

let staging: GuardrailsFixture;
beforeAll(() => {
  // GIVEN the generated staging stack of the example catalogue (no mesh: the default)
  staging = guardrailsFixture("staging");
});

/** WHEN helper: a MESH rule's findings on staging with a mesh and its data pods, after `change`. */
const meshFindings = (rule: string, mesh: FixtureMesh, change: (json: RenderedStack) => void = () => {}) =>
  staging.findingsAfter(rule, (json) => {
    withMesh(json, mesh);
    withDataPods(json, mesh);
    change(json);
  });

/** WHEN helper: a MESH rule's outcome on each resource it reads of staging with a mesh and its data pods, by address. */
const meshOutcomes = (rule: ResourceRule, mesh: FixtureMesh) => {
  const json = structuredClone(staging.stack.toTerraform()) as unknown as RenderedStack;
  withMesh(json, mesh);
  withDataPods(json, mesh);
  const stack = new SynthesizedStack(json);
  const environment = loadEnvironments({}).find((e) => e.name === "staging")!;
  const context = { environment: ruleEnvironmentWith(environment, new Set(["gateway"])), stack };
  return new Map(
    stack.resources.filter((r) => rule.appliesTo(r.type)).map((r) => [r.address, rule.check(r, context).status]),
  );
};

describe("the hand-written mesh objects of the fixtures", () => {
  const CRDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../support/crds");
  /** The Linkerd CRD schemas kept in test/support/crds, by `<apiVersion> <kind>`. */
  const linkerdSchemas = new Map<string, object>(
    ["server", "meshtls-authentication", "authorization-policy"].flatMap((file) => {
      const crd = JSON.parse(readFileSync(path.join(CRDS, `linkerd-${file}.json`), "utf8"));
      return crd.versions.map((version: { name: string; schema: object }): [string, object] => [
        `${crd.group}/${version.name} ${crd.kind}`,
        version.schema,
      ]);
    }),
  );
  const ISTIO_MODELS: Record<string, new (data: any) => { validate(): void }> = {
    "security.istio.io/v1beta1 PeerAuthentication": PeerAuthentication,
    "security.istio.io/v1beta1 AuthorizationPolicy": IstioAuthorizationPolicy,
    "networking.istio.io/v1beta1 DestinationRule": DestinationRule,
    "networking.istio.io/v1beta1 VirtualService": VirtualService,
  };

  it.each(["istio", "linkerd"] as const)(
    "GIVEN the compliant %s objects WHEN validated against the mesh's own CRD schemas THEN each conforms",
    (mesh) => {
      const json = { resource: {} } as RenderedStack;
      json.resource.kubernetes_namespace_v1 = { ns: { metadata: { name: "platform-staging" } } };
      withMesh(json, mesh);
      const ajv = new Ajv({ strict: false });
      const manifests = Object.values(json.resource.kubernetes_manifest!).map((r) => r.manifest);
      expect(manifests.length).toBeGreaterThan(0);
      for (const manifest of manifests) {
        const key = `${manifest.apiVersion} ${manifest.kind}`;
        const Model = ISTIO_MODELS[key];
        const schema = linkerdSchemas.get(key);
        if (Model !== undefined) expect(() => new Model(manifest).validate(), key).not.toThrow();
        else if (schema !== undefined) expect(ajv.validate(schema, manifest), `${key}: ${ajv.errorsText()}`).toBe(true);
        else throw new Error(`no schema for ${key} of ${manifest.metadata.name}`);
      }
    },
  );
});

describe("MESH rules in a stack without a mesh", () => {
  it("GIVEN the generated staging and production stacks (no mesh) WHEN checked THEN MESH-01 and MESH-02 find nothing and do not apply to the Deployments", () => {
    for (const environment of ["staging", "production"]) {
      const fixture = environment === "staging" ? staging : guardrailsFixture(environment);
      expect([...fixture.findingsOf("MESH-01"), ...fixture.findingsOf("MESH-02")]).toEqual([]);
      for (const name of SERVICES) {
        expect(fixture.outcome(strictMutualTls, K8S.deployment(name))).toEqual({ status: "not-applicable" });
        expect(fixture.outcome(authorizedCallers, K8S.deployment(name))).toEqual({ status: "not-applicable" });
      }
      expect(fixture.outcome(strictMutualTls, NAMESPACE_PATH)).toEqual({ status: "not-applicable" });
    }
  });

  it("GIVEN an unmeshed stack with a data StatefulSet WHEN checked THEN the MESH rules find nothing in it either", () => {
    const findings = staging.checkedAfter((json) => withDataPods(json, "istio", false));
    expect(findings.filter((f) => f.rule.startsWith("MESH-"))).toEqual([]);
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
    for (const rule of [strictMutualTls, authorizedCallers]) {
      const outcomes = meshOutcomes(rule, mesh);
      for (const name of SERVICES) expect(outcomes.get(staging.address(K8S.deployment(name)))).toBe("compliant");
      expect(outcomes.get(`kubernetes_stateful_set_v1.${DATA_STATEFUL_SET}`)).toBe("not-applicable");
    }
    const policyObject = mesh === "istio" ? "authorization-policy" : "callers-authorization-policy";
    expect(meshOutcomes(authorizedCallers, mesh).get(meshObjectAddress("catalog", policyObject))).toBe("compliant");
    const tlsObject =
      mesh === "istio" ? meshObjectAddress("platform", "peer-authentication") : staging.address(NAMESPACE_PATH);
    expect(meshOutcomes(strictMutualTls, mesh).get(tlsObject)).toBe("compliant");
  });

  it(`GIVEN staging with the ${mesh} objects and a data StatefulSet that does not opt out of the mesh WHEN checked THEN MESH-02 reports the StatefulSet`, () => {
    const findings = staging.findingsAfter("MESH-02", (json) => {
      withMesh(json, mesh);
      withDataPods(json, mesh, false);
    });
    expect(findings.map((f) => [f.level, f.resource])).toEqual([
      ["error", `kubernetes_stateful_set_v1.${DATA_STATEFUL_SET}`],
    ]);
  });
});

describe("MESH-01: Istio mTLS STRICT, no PERMISSIVE or DISABLE left", () => {
  const PEER_AUTHENTICATION = meshObjectAddress("platform", "peer-authentication");

  it("GIVEN the namespace's PeerAuthentication set to PERMISSIVE, then to DISABLE WHEN checked THEN MESH-01 names it and the mode", () => {
    for (const [mode, effect] of [
      ["PERMISSIVE", "so its pods accept plain-text connections besides mutual TLS"],
      ["DISABLE", "so its pods take plain text only, with no peer identity"],
    ]) {
      expect(
        meshFindings("MESH-01", "istio", (json) => {
          specOf(json, "platform", "peer-authentication").mtls.mode = mode;
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
        delete specOf(json, "platform", "peer-authentication").mtls;
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
    const findings = staging.checkedAfter((json) => {
      withMesh(json, "istio");
      json.resource.kubernetes_manifest![meshObjectId("orders", "peer-authentication")] = {
        "//": { metadata: { path: "staging/kubernetes/orders/mesh/peer-authentication" } },
        manifest: {
          apiVersion: "security.istio.io/v1beta1",
          kind: "PeerAuthentication",
          metadata: { name: "orders", namespace: "platform-staging" },
          spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": "orders" } },
            mtls: { mode: "STRICT" },
            portLevelMtls: { "8081": { mode: "PERMISSIVE" } },
          },
        },
      };
    });
    expect(findings.filter((f) => f.rule === "MESH-01")).toEqual([
      expect.objectContaining({
        level: "error",
        service: "orders",
        resource: meshObjectAddress("orders", "peer-authentication"),
        message:
          'Istio PeerAuthentication "orders" sets port 8081 to PERMISSIVE (portLevelMtls), so its pods accept plain-text connections besides mutual TLS on that port',
        fix: "remove port 8081 from spec.portLevelMtls, or set its mode to STRICT",
      }),
    ]);
  });

  it("GIVEN a meshed namespace without any PeerAuthentication WHEN checked THEN MESH-01 reports each meshed Deployment, not the data pods that opt out", () => {
    const findings = staging.checkedAfter((json) => {
      withMesh(json, "istio");
      withDataPods(json, "istio");
      delete json.resource.kubernetes_manifest![meshObjectId("platform", "peer-authentication")];
    });
    expect(findings.filter((f) => f.rule === "MESH-01")).toEqual(
      SERVICES.map((name) =>
        expect.objectContaining({
          level: "error",
          service: name,
          resource: staging.address(K8S.deployment(name)),
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
        specOf(json, "catalog", "destination-rule").trafficPolicy.tls.mode = "DISABLE";
      }),
    ).toEqual([
      {
        rule: "MESH-01",
        level: "error",
        resource: meshObjectAddress("catalog", "destination-rule"),
        message:
          'Istio DestinationRule "catalog" sets trafficPolicy.tls.mode DISABLE, so its clients call host "catalog.platform-staging.svc.cluster.local" in plain text, which only a PERMISSIVE or DISABLE server accepts',
      },
    ]);
  });
});

describe("MESH-01: Linkerd accepts authenticated clients only", () => {
  it("GIVEN the namespace's default inbound policy all-unauthenticated, then missing WHEN checked THEN MESH-01 reports the namespace", () => {
    const namespace = staging.address(NAMESPACE_PATH);
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
      const [type, name] = staging.address(K8S.deployment("orders")).split(".") as [string, string];
      json.resource[type]![name]!.spec.template.metadata.annotations = {
        "config.linkerd.io/default-inbound-policy": "all-unauthenticated",
      };
      specOf(json, "catalog", "server").accessPolicy = "audit";
    });
    expect(findings).toEqual([
      // The mesh objects come first in the JSON, then the Deployments.
      {
        rule: "MESH-01",
        level: "error",
        resource: meshObjectAddress("catalog", "server"),
        message:
          'Linkerd Server "catalog" sets accessPolicy audit, so traffic that no AuthorizationPolicy authorizes is let in and only logged',
      },
      {
        rule: "MESH-01",
        level: "error",
        resource: staging.address(K8S.deployment("orders")),
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
        delete json.resource.kubernetes_manifest![meshObjectId("orders", "authorization-policy")];
      }),
    ).toEqual([
      {
        rule: "MESH-02",
        level: "error",
        resource: staging.address(K8S.deployment("orders")),
        message:
          "its pods are in the Istio mesh and no AuthorizationPolicy with action ALLOW selects them, so any caller may reach every port and path",
      },
    ]);
  });

  it("GIVEN orders' policy made DENY WHEN checked THEN MESH-02 still reports orders: a DENY policy leaves the rest allowed", () => {
    expect(
      meshFindings("MESH-02", "istio", (json) => {
        specOf(json, "orders", "authorization-policy").action = "DENY";
      }).map((f) => f.resource),
    ).toEqual([staging.address(K8S.deployment("orders"))]);
  });

  it('GIVEN allow-all rules in catalog\'s policy (no from, rules [{}], principals and namespaces "*", a source with notPrincipals only) WHEN checked THEN MESH-02 names each, and not a "*" another field of its source narrows', () => {
    const findings = meshFindings("MESH-02", "istio", (json) => {
      const spec = specOf(json, "catalog", "authorization-policy");
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
      Array(5).fill(["error", meshObjectAddress("catalog", "authorization-policy")]),
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
        delete json.resource.kubernetes_manifest![meshObjectId("orders", "authorization-policy")];
        json.resource.kubernetes_manifest![meshObjectId("platform", "allow-nothing")] = {
          manifest: {
            apiVersion: "security.istio.io/v1beta1",
            kind: "AuthorizationPolicy",
            metadata: { name: "allow-nothing", namespace: "platform-staging" },
            spec: {},
          },
        };
      }),
    ).toEqual([]);
  });
});

describe("MESH-02: Linkerd, every port in a Server an AuthorizationPolicy targets; none allows all", () => {
  it("GIVEN orders' Server removed, then its AuthorizationPolicy WHEN checked THEN MESH-02 reports orders' port", () => {
    const message =
      'its port "http" (8081) is in no Linkerd Server that an AuthorizationPolicy targets, so the default inbound policy decides who calls it';
    const orders = staging.address(K8S.deployment("orders"));
    expect(
      meshFindings("MESH-02", "linkerd", (json) => {
        delete json.resource.kubernetes_manifest![meshObjectId("orders", "server")];
      }),
    ).toEqual([{ rule: "MESH-02", level: "error", resource: orders, message }]);
    expect(
      meshFindings("MESH-02", "linkerd", (json) => {
        for (const part of ["callers-authorization-policy", "monitoring-authorization-policy"])
          delete json.resource.kubernetes_manifest![meshObjectId("orders", part)];
      }),
    ).toEqual([{ rule: "MESH-02", level: "error", resource: orders, message }]);
  });

  it('GIVEN identities "*", a policy requiring no authentication and a NetworkAuthentication of 0.0.0.0/0 WHEN checked THEN MESH-02 names each object', () => {
    const findings = meshFindings("MESH-02", "linkerd", (json) => {
      specOf(json, "catalog", "callers-authentication").identities = ["*"];
      specOf(json, "orders", "callers-authorization-policy").requiredAuthenticationRefs = [];
      json.resource.kubernetes_manifest![meshObjectId("gateway", "everyone")] = {
        "//": { metadata: { path: "staging/kubernetes/gateway/mesh/everyone" } },
        manifest: {
          apiVersion: "policy.linkerd.io/v1alpha1",
          kind: "NetworkAuthentication",
          metadata: { name: "everyone", namespace: "platform-staging" },
          spec: { networks: [{ cidr: "10.0.0.0/8" }, { cidr: "0.0.0.0/0" }] },
        },
      };
    });
    expect(findings).toEqual([
      {
        rule: "MESH-02",
        level: "error",
        resource: meshObjectAddress("catalog", "callers-authentication"),
        message:
          'Linkerd MeshTLSAuthentication "catalog-callers" accepts identities "*": every meshed workload of the cluster may call what it authorizes',
      },
      {
        rule: "MESH-02",
        level: "error",
        resource: meshObjectAddress("orders", "callers-authorization-policy"),
        message:
          'Linkerd AuthorizationPolicy "orders-callers" requires no authentication (requiredAuthenticationRefs is empty), so it authorizes every client of its target, meshed or not',
      },
      {
        rule: "MESH-02",
        level: "error",
        resource: meshObjectAddress("gateway", "everyone"),
        message:
          'Linkerd NetworkAuthentication "everyone" admits network 0.0.0.0/0: every address, without a mesh identity',
      },
    ]);
  });
});

describe("MESH rules on the older and the opt-in forms", () => {
  const serverAuthorization = (client: Record<string, unknown>) => ({
    "//": { metadata: { path: "staging/kubernetes/orders/mesh/server-authorization" } },
    manifest: {
      apiVersion: "policy.linkerd.io/v1beta1",
      kind: "ServerAuthorization",
      metadata: { name: "orders-callers", namespace: "platform-staging" },
      spec: { server: { name: "orders" }, client },
    },
  });
  /** GIVEN helper: orders' Server authorized by a ServerAuthorization instead of its AuthorizationPolicies. */
  const withServerAuthorization = (json: RenderedStack, client: Record<string, unknown>) => {
    for (const part of ["callers-authorization-policy", "monitoring-authorization-policy"])
      delete json.resource.kubernetes_manifest![meshObjectId("orders", part)];
    json.resource.kubernetes_manifest![meshObjectId("orders", "server-authorization")] = serverAuthorization(client);
  };

  it("GIVEN orders' Server authorized by a ServerAuthorization of its callers' service accounts WHEN checked THEN MESH-02 counts orders as authorized", () => {
    expect(
      meshFindings("MESH-02", "linkerd", (json) =>
        withServerAuthorization(json, { meshTLS: { serviceAccounts: [{ name: "gateway" }] } }),
      ),
    ).toEqual([]);
  });

  it('GIVEN a ServerAuthorization of unauthenticated clients, then of identities "*" WHEN checked THEN MESH-02 names it', () => {
    const address = meshObjectAddress("orders", "server-authorization");
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
    const orders = staging.address(K8S.deployment("orders"));
    const findings = staging.checkedAfter((json) => {
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
    const services = exampleServices().map((discovered) =>
      discovered.folder === "catalog"
        ? service({
            name: "catalog",
            build: {},
            port: 8080,
            guardrails: { suppress: [{ rule: "MESH-02", reason: REASON }] },
          })
        : discovered,
    );
    const fixture = guardrailsFixture("staging", services);
    const findings = fixture.checkedAfter((json) => {
      withMesh(json, "istio");
      specOf(json, "catalog", "authorization-policy").rules = [{}];
      specOf(json, "gateway", "authorization-policy").rules = [{}];
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
