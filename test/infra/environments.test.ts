import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADDON_NAMES } from "../../infra/addons/addon-names.js";
import { LINKERD_TRUST_ANCHOR_ACCEPTED } from "../../infra/mesh-settings.js";
import {
  DEFAULT_ACME_EMAIL,
  DEFAULT_ACME_SERVER,
  EnvironmentConfigError,
  loadEnvironments,
} from "../../infra/environments.js";
import { runCli } from "../support/cli.js";
import { scratchFolders } from "../support/scratch.js";
import { thrownBy } from "../support/thrown.js";

const { folder: scratch } = scratchFolders();

/** An S3 state backend whose bucket and region are not set. */
const S3_WITHOUT_BUCKET = { PLATFORM_STATE_BACKEND: "s3" };

describe("loadEnvironments: a setting fails only the environments that use it", () => {
  it("GIVEN PLATFORM_STATE_BACKEND=s3 without a bucket WHEN local alone is loaded THEN it loads, with its own file state", () => {
    const environments = loadEnvironments(S3_WITHOUT_BUCKET, ["local"]);
    expect(environments.map((e) => [e.name, e.backend])).toEqual([
      ["local", { type: "local", path: "terraform.local.tfstate" }],
    ]);
  });

  it("GIVEN the same setting WHEN staging, or every environment, is loaded THEN the missing bucket is refused naming exactly the environments that keep their state there", () => {
    const staging = thrownBy(() => loadEnvironments(S3_WITHOUT_BUCKET, ["staging"]));
    expect(staging).toBeInstanceOf(EnvironmentConfigError);
    expect((staging as Error).message).toBe(
      "environment variable PLATFORM_STATE_BUCKET is not set; accepted: a non-empty value when PLATFORM_STATE_BACKEND=s3, the state backend of staging (local keeps its state in a file and needs none)",
    );
    expect((thrownBy(() => loadEnvironments(S3_WITHOUT_BUCKET)) as Error).message).toContain(
      "the state backend of staging and production (local",
    );
  });

  it("GIVEN Kubernetes-only settings that are invalid (a state backend, a scrape mode, a Grafana URL) WHEN local alone is loaded THEN none of them is read", () => {
    for (const variables of [
      { PLATFORM_STATE_BACKEND: "consul" },
      { PLATFORM_SCRAPE: "sidecar" },
      { PLATFORM_GRAFANA_URL: "grafana" },
    ]) {
      expect(loadEnvironments(variables, ["local"]).map((e) => e.name)).toEqual(["local"]);
      expect(thrownBy(() => loadEnvironments(variables, ["production"]))).toBeInstanceOf(EnvironmentConfigError);
    }
  });

  it("GIVEN the environments named out of order WHEN loaded THEN they come in deploy order, with the settings they had when all were loaded", () => {
    const variables = { PLATFORM_STATE_BACKEND: "gcs", PLATFORM_STATE_BUCKET: "acme-tfstate" };
    const all = loadEnvironments(variables);
    expect(loadEnvironments(variables, ["production", "local"])).toEqual([all[0], all[2]]);
  });
});

describe("npm run synth with PLATFORM_STATE_BACKEND=s3 and no bucket", () => {
  const env = (outdir: string) => ({ ...process.env, ...S3_WITHOUT_BUCKET, CDKTF_OUTDIR: outdir });

  it("GIVEN no bucket WHEN `npm run synth -- local` runs THEN local is synthesized: it keeps no state in S3", async () => {
    const outdir = scratch("synth-s3-local-");
    const run = await runCli("tools/run-app.mjs", ["local"], { env: env(outdir) });
    expect(run.stderr).toMatch(/^synthesized local \(\d+ services\)/m);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(outdir, "stacks", "local", "cdk.tf.json"))).toBe(true);
  });

  it("GIVEN no bucket WHEN every environment is synthesized THEN it fails naming the variable and staging and production, and writes no stack", async () => {
    const outdir = scratch("synth-s3-all-");
    const run = await runCli("tools/run-app.mjs", [], { env: env(outdir) });
    expect(run.stderr).toBe(
      "synth failed:\nenvironment variable PLATFORM_STATE_BUCKET is not set; accepted: a non-empty value when PLATFORM_STATE_BACKEND=s3, the state backend of staging and production (local keeps its state in a file and needs none)\n",
    );
    expect(run.status).toBe(1);
    expect(readdirSync(outdir)).toEqual([]);
  });
});

describe("loadEnvironments: tracing settings", () => {
  it("GIVEN no tracing setting WHEN loaded THEN each environment has its default ratio, local its Jaeger UI, the clusters no collector and no trace UI", () => {
    const [local, staging, production] = loadEnvironments({});
    expect([local, staging, production].map((e) => e!.tracing)).toEqual([
      { samplingRatio: 1, tracesUrl: "http://127.0.0.1:16686" },
      { samplingRatio: 1, tracesUrl: undefined },
      { samplingRatio: 0.1, tracesUrl: undefined },
    ]);
    expect(production!.target === "kubernetes" && production!.kubernetes.otlpCollector).toBeUndefined();
  });

  it("GIVEN PRODUCTION_TRACE_SAMPLING_RATIO=0.05 WHEN loaded THEN production alone records that share", () => {
    const ratios = loadEnvironments({ PRODUCTION_TRACE_SAMPLING_RATIO: "0.05" }).map((e) => e.tracing.samplingRatio);
    expect(ratios).toEqual([1, 1, 0.05]);
  });

  it("GIVEN a ratio variable outside [0, 1] WHEN its environment is loaded THEN it is refused naming the variable, the value and what is accepted", () => {
    const error = thrownBy(() => loadEnvironments({ STAGING_TRACE_SAMPLING_RATIO: "1.5" }, ["staging"]));
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    expect((error as Error).message).toBe(
      'environment variable STAGING_TRACE_SAMPLING_RATIO: "1.5" is not accepted; accepted: a number from 0 to 1, the share of new traces recorded (0: none, 1: all), like 0.1',
    );
    expect(
      (thrownBy(() => loadEnvironments({ LOCAL_TRACE_SAMPLING_RATIO: "-1" }, ["local"])) as Error).message,
    ).toContain('LOCAL_TRACE_SAMPLING_RATIO: "-1" is not accepted');
    // Another environment's ratio is not read.
    expect(loadEnvironments({ STAGING_TRACE_SAMPLING_RATIO: "1.5" }, ["local"]).map((e) => e.name)).toEqual(["local"]);
  });

  it("GIVEN an in-cluster collector and a trace UI WHEN the clusters are loaded THEN both get the collector, its namespace as the peer, and the UI", () => {
    const [staging] = loadEnvironments(
      {
        PLATFORM_OTLP_ENDPOINT: "http://otel-collector.observability.svc:4318",
        PLATFORM_TRACES_URL: "https://jaeger.acme.com/",
      },
      ["staging"],
    );
    expect(staging!.target === "kubernetes" && staging!.kubernetes.otlpCollector).toEqual({
      endpoint: "http://otel-collector.observability.svc:4318",
      port: 4318,
      peer: { namespace: "observability" },
    });
    expect(staging!.tracing.tracesUrl).toBe("https://jaeger.acme.com");
  });

  it("GIVEN an external collector WHEN loaded without PLATFORM_OTLP_CIDR THEN it is refused asking for its addresses; with it, the CIDR is the peer", () => {
    const endpoint = { PLATFORM_OTLP_ENDPOINT: "https://otlp.acme.com" };
    const error = thrownBy(() => loadEnvironments(endpoint, ["production"]));
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    expect((error as Error).message).toMatch(
      /^environment variable PLATFORM_OTLP_CIDR is not set; accepted: the IPv4 CIDR of the collector at otlp\.acme\.com \(PLATFORM_OTLP_ENDPOINT is not an in-cluster <name>\.<namespace>\.svc host/,
    );
    const [production] = loadEnvironments({ ...endpoint, PLATFORM_OTLP_CIDR: "203.0.113.0/24" }, ["production"]);
    expect(production!.target === "kubernetes" && production!.kubernetes.otlpCollector).toEqual({
      endpoint: "https://otlp.acme.com",
      port: 443,
      peer: { cidr: "203.0.113.0/24" },
    });
  });

  it("GIVEN a PLATFORM_OTLP_ENDPOINT that is not an OTLP base URL WHEN the clusters are loaded THEN it is refused; local does not read it", () => {
    const variables = { PLATFORM_OTLP_ENDPOINT: "http://collector:4318/v1/traces" };
    expect((thrownBy(() => loadEnvironments(variables, ["staging"])) as Error).message).toMatch(
      /^environment variable PLATFORM_OTLP_ENDPOINT: "http:\/\/collector:4318\/v1\/traces" is not accepted; accepted: the OTLP\/HTTP base URL/,
    );
    expect(loadEnvironments(variables, ["local"]).map((e) => e.name)).toEqual(["local"]);
  });
});

describe("loadEnvironments: the ClusterIssuer of the public Ingresses' certificates", () => {
  const issuers = (variables: Record<string, string>) =>
    loadEnvironments(variables, ["staging", "production"]).map((e) =>
      e.target === "kubernetes" ? [e.name, e.kubernetes.clusterIssuer] : [e.name],
    );

  it("GIVEN no setting WHEN the clusters are loaded THEN both use the ClusterIssuer letsencrypt", () => {
    expect(issuers({})).toEqual([
      ["staging", "letsencrypt"],
      ["production", "letsencrypt"],
    ]);
  });

  it("GIVEN STAGING_CLUSTER_ISSUER=letsencrypt-staging WHEN loaded THEN staging alone uses it", () => {
    expect(issuers({ STAGING_CLUSTER_ISSUER: "letsencrypt-staging" })).toEqual([
      ["staging", "letsencrypt-staging"],
      ["production", "letsencrypt"],
    ]);
  });

  it("GIVEN an issuer that is no Kubernetes object name WHEN its environment is loaded THEN it is refused naming the variable, the value and what is accepted; local does not read it", () => {
    const variables = { PRODUCTION_CLUSTER_ISSUER: "Lets Encrypt" };
    expect((thrownBy(() => loadEnvironments(variables, ["production"])) as Error).message).toBe(
      "environment variable PRODUCTION_CLUSTER_ISSUER: \"Lets Encrypt\" is not accepted; accepted: the name of a cert-manager ClusterIssuer in the cluster (a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters), like letsencrypt or letsencrypt-staging",
    );
    expect(loadEnvironments(variables, ["local", "staging"]).map((e) => e.name)).toEqual(["local", "staging"]);
  });
});

describe("loadEnvironments: Alertmanager's receivers by owner", () => {
  const alerting = (variables: Record<string, string>) =>
    loadEnvironments(variables, ["staging", "production"]).map((e) =>
      e.target === "kubernetes" ? e.kubernetes.alerting : undefined,
    );

  it("GIVEN no setting WHEN the clusters are loaded THEN both send every alert to the default receiver slack:platform-alerts", () => {
    expect(alerting({})).toEqual([
      { receivers: new Map(), defaultReceiver: { kind: "slack", secret: "platform-alerts" } },
      { receivers: new Map(), defaultReceiver: { kind: "slack", secret: "platform-alerts" } },
    ]);
  });

  it("GIVEN STAGING_ALERT_RECEIVERS and PRODUCTION_ALERT_DEFAULT_RECEIVER WHEN loaded THEN each applies to its environment alone, a receiver without a kind being slack", () => {
    const [staging, production] = alerting({
      STAGING_ALERT_RECEIVERS: "team-orders=orders-alerts, team-edge=pagerduty:edge-oncall,",
      PRODUCTION_ALERT_DEFAULT_RECEIVER: "pagerduty:platform-oncall",
    });
    expect(staging).toEqual({
      receivers: new Map([
        ["team-orders", { kind: "slack", secret: "orders-alerts" }],
        ["team-edge", { kind: "pagerduty", secret: "edge-oncall" }],
      ]),
      defaultReceiver: { kind: "slack", secret: "platform-alerts" },
    });
    expect(production).toEqual({
      receivers: new Map(),
      defaultReceiver: { kind: "pagerduty", secret: "platform-oncall" },
    });
  });

  it.each([
    ["team-orders=opsgenie:orders", 'the entry "team-orders=opsgenie:orders" is not one'],
    ["team-orders=Orders_Alerts", 'the entry "team-orders=Orders_Alerts" is not one'],
    ["team-orders", 'the entry "team-orders" is not one'],
    ["Team Orders=orders-alerts", 'the entry "Team Orders=orders-alerts" is not one'],
    ["team-orders=a,team-orders=b", "the owner team-orders is named twice"],
  ])(
    "GIVEN STAGING_ALERT_RECEIVERS=%s WHEN staging is loaded THEN it is refused naming the variable, the value, the entry and what is accepted; local does not read it",
    (value, refusal) => {
      const variables = { STAGING_ALERT_RECEIVERS: value };
      expect((thrownBy(() => loadEnvironments(variables, ["staging"])) as Error).message).toBe(
        `environment variable STAGING_ALERT_RECEIVERS: ${JSON.stringify(value)} is not accepted; accepted: comma-separated owner=receiver pairs, each owner once, the owner a team name as in monitoring.owner (lower-case letters, digits and '-') and the receiver [kind:]secret, the kind one of slack, pagerduty (default slack) and the secret the name of a Kubernetes Secret in the Alertmanager's namespace (a DNS label: lower-case letters, digits and '-', at most 63 characters) holding the credential under the key url (slack) or routing-key (pagerduty), like team-orders=slack:orders-alerts,team-edge=pagerduty:edge-oncall (${refusal})`,
      );
      expect(loadEnvironments(variables, ["local", "production"]).map((e) => e.name)).toEqual(["local", "production"]);
    },
  );

  it("GIVEN a default receiver that is a URL WHEN production is loaded THEN it is refused naming the variable, the value and what is accepted", () => {
    const variables = { PRODUCTION_ALERT_DEFAULT_RECEIVER: "https://hooks.slack.com/services/T0/B0/x" };
    expect((thrownBy(() => loadEnvironments(variables, ["production"])) as Error).message).toBe(
      `environment variable PRODUCTION_ALERT_DEFAULT_RECEIVER: "https://hooks.slack.com/services/T0/B0/x" is not accepted; accepted: a receiver: [kind:]secret, the kind one of slack, pagerduty (default slack) and the secret the name of a Kubernetes Secret in the Alertmanager's namespace (a DNS label: lower-case letters, digits and '-', at most 63 characters) holding the credential under the key url (slack) or routing-key (pagerduty), like slack:platform-alerts`,
    );
  });
});

describe("loadEnvironments: the cluster add-ons and the ACME account", () => {
  const addonsOf = (variables: Record<string, string>) =>
    loadEnvironments(variables, ["staging", "production"]).map((e) =>
      e.target === "kubernetes" ? [e.name, e.kubernetes.addons] : [e.name],
    );

  /** Every add-on but the meshes: the default without a mesh. */
  const ADDONS_WITHOUT_MESH = ADDON_NAMES.filter((name) => name !== "istio" && name !== "linkerd");

  it("GIVEN no setting WHEN loaded THEN both clusters get every add-on but a mesh, and the add-ons stack keeps its state beside the environment's, under its own name", () => {
    expect(addonsOf({})).toEqual([
      ["staging", ADDONS_WITHOUT_MESH],
      ["production", ADDONS_WITHOUT_MESH],
    ]);
    const [staging] = loadEnvironments({}, ["staging"]);
    expect(staging?.target === "kubernetes" && staging.kubernetes.addonsBackend).toEqual({
      type: "kubernetes",
      secretSuffix: "platform-addons-staging",
      namespace: "kube-system",
      configPath: "~/.kube/config",
      configContext: "staging",
    });
    const [production] = loadEnvironments(
      { PLATFORM_STATE_BACKEND: "s3", PLATFORM_STATE_BUCKET: "b", PLATFORM_STATE_REGION: "r" },
      ["production"],
    );
    expect(production?.target === "kubernetes" && production.kubernetes.addonsBackend).toMatchObject({
      key: "platform/addons-production.tfstate",
    });
  });

  it("GIVEN STAGING_ADDONS naming some add-ons, or none WHEN loaded THEN staging installs those (in the list's order) and production every one", () => {
    expect(addonsOf({ STAGING_ADDONS: " ingress-nginx,cert-manager " })).toEqual([
      ["staging", ["cert-manager", "ingress-nginx"]],
      ["production", ADDONS_WITHOUT_MESH],
    ]);
    expect(addonsOf({ PRODUCTION_ADDONS: "none" })).toEqual([
      ["staging", ADDONS_WITHOUT_MESH],
      ["production", []],
    ]);
  });

  it("GIVEN PRODUCTION_ADDONS with an unknown or repeated add-on, or a mesh that is not production's WHEN production is loaded THEN it is refused naming the variable, the value and every accepted name; local does not read it", () => {
    for (const [value, mesh] of [
      ["cert-manager,nginx", "none"],
      ["cert-manager,cert-manager", "none"],
      [",", "none"],
      ["cert-manager,istio", "none"],
      ["linkerd", "istio"],
    ] as const) {
      const variables = { PRODUCTION_ADDONS: value, PLATFORM_MESH: mesh };
      // A mesh add-on that is not the environment's: the message says which mesh the environment has.
      const meshAddon = value.split(",").find((addon) => addon === "istio" || addon === "linkerd");
      expect((thrownBy(() => loadEnvironments(variables, ["production"])) as Error).message, value).toBe(
        `environment variable PRODUCTION_ADDONS: ${JSON.stringify(value)} is not accepted; accepted: a comma-separated list of the add-ons to install, from kube-prometheus-stack, cert-manager, ingress-nginx, cloudnative-pg, rabbitmq-cluster-operator, istio, linkerd (leave out those the cluster already has; istio or linkerd only as the environment's mesh, <ENV>_MESH or PLATFORM_MESH), or none; unset: every one, the environment's mesh among them when it has one${meshAddon === undefined ? "" : ` (${meshAddon} is not production's mesh, which is ${mesh})`}`,
      );
      expect(loadEnvironments(variables, ["local", "staging"]).map((e) => e.name)).toEqual(["local", "staging"]);
    }
  });

  it("GIVEN PLATFORM_MESH=istio and no STAGING_ADDONS WHEN loaded THEN the add-ons install Istio with the rest; GIVEN STAGING_ADDONS naming istio THEN staging installs it, and production, whose mesh is none, may not", () => {
    expect(addonsOf({ PLATFORM_MESH: "istio" })).toEqual([
      ["staging", [...ADDONS_WITHOUT_MESH, "istio"]],
      ["production", [...ADDONS_WITHOUT_MESH, "istio"]],
    ]);
    expect(addonsOf({ STAGING_MESH: "istio", STAGING_ADDONS: "istio,ingress-nginx" })).toEqual([
      ["staging", ["ingress-nginx", "istio"]],
      ["production", ADDONS_WITHOUT_MESH],
    ]);
    expect(thrownBy(() => loadEnvironments({ STAGING_MESH: "istio", PRODUCTION_ADDONS: "istio" }))).toBeInstanceOf(
      EnvironmentConfigError,
    );
  });

  it("GIVEN no mesh setting WHEN loaded THEN no mesh; GIVEN PLATFORM_MESH and STAGING_MESH THEN staging takes its own and production PLATFORM_MESH", () => {
    const meshOf = (variables: Record<string, string>) =>
      loadEnvironments(variables, ["staging", "production"]).map((e) => [
        e.name,
        e.target === "kubernetes" && e.kubernetes.mesh,
      ]);
    expect(meshOf({})).toEqual([
      ["staging", "none"],
      ["production", "none"],
    ]);
    // Linkerd installed by the add-ons needs its trust anchor (tested below).
    const PLATFORM_LINKERD_TRUST_ANCHOR_FILE = trustAnchorFile("anchor");
    expect(meshOf({ PLATFORM_MESH: "istio", STAGING_MESH: " linkerd ", PLATFORM_LINKERD_TRUST_ANCHOR_FILE })).toEqual([
      ["staging", "linkerd"],
      ["production", "istio"],
    ]);
    expect(meshOf({ PLATFORM_MESH: "linkerd", PRODUCTION_MESH: "none", PLATFORM_LINKERD_TRUST_ANCHOR_FILE })).toEqual([
      ["staging", "linkerd"],
      ["production", "none"],
    ]);
  });

  it("GIVEN PLATFORM_MESH or PRODUCTION_MESH naming no mesh WHEN production is loaded THEN it is refused naming the variable, the value and every accepted value; local does not read it", () => {
    for (const variables of [{ PLATFORM_MESH: "consul" }, { PRODUCTION_MESH: "Istio", PLATFORM_MESH: "istio" }]) {
      const [variable, value] = Object.entries(variables)[0]!;
      expect((thrownBy(() => loadEnvironments(variables, ["production"])) as Error).message).toBe(
        `environment variable ${variable}: ${JSON.stringify(value)} is not accepted; accepted: one of none, istio, linkerd (default none: no mesh); <ENV>_MESH, like STAGING_MESH, overrides PLATFORM_MESH for one environment`,
      );
      expect(loadEnvironments(variables, ["local"]).map((e) => e.name)).toEqual(["local"]);
    }
  });

  it("GIVEN PLATFORM_MESH=linkerd and a trust anchor file WHEN loaded THEN the add-ons install Linkerd with the file's PEM; STAGING_LINKERD_TRUST_ANCHOR_FILE is staging's over PLATFORM_LINKERD_TRUST_ANCHOR_FILE", () => {
    const platformAnchor = trustAnchorFile("platform-anchor");
    const stagingAnchor = trustAnchorFile("staging-anchor");
    const environments = loadEnvironments(
      {
        PLATFORM_MESH: "linkerd",
        PLATFORM_LINKERD_TRUST_ANCHOR_FILE: platformAnchor,
        STAGING_LINKERD_TRUST_ANCHOR_FILE: stagingAnchor,
      },
      ["staging", "production"],
    );
    expect(
      environments.map(
        (e) => e.target === "kubernetes" && [e.kubernetes.addons.at(-1), e.kubernetes.linkerdTrustAnchor],
      ),
    ).toEqual([
      ["linkerd", readFileSync(stagingAnchor, "utf8")],
      ["linkerd", readFileSync(platformAnchor, "utf8")],
    ]);
  });

  it("GIVEN Linkerd installed by the add-ons and no trust anchor, an unreadable file, a file without a PEM certificate or a certificate that is no CA WHEN staging is loaded THEN it is refused naming the variable, the file and what is accepted", () => {
    const notPem = path.join(scratch("trust-anchor-"), "anchor.pem");
    writeFileSync(notPem, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    const missing = path.join(scratch("trust-anchor-"), "absent.crt");
    const leaf = trustAnchorFile("leaf", "basicConstraints=critical,CA:FALSE");
    const cases: Array<[Record<string, string>, string]> = [
      [
        {},
        `environment variable PLATFORM_LINKERD_TRUST_ANCHOR_FILE is not set; accepted: ${LINKERD_TRUST_ANCHOR_ACCEPTED}`,
      ],
      [
        { PLATFORM_LINKERD_TRUST_ANCHOR_FILE: missing },
        `environment variable PLATFORM_LINKERD_TRUST_ANCHOR_FILE: ${JSON.stringify(missing)} is not accepted; accepted: ${LINKERD_TRUST_ANCHOR_ACCEPTED} (it cannot be read: ENOENT)`,
      ],
      [
        { STAGING_LINKERD_TRUST_ANCHOR_FILE: notPem },
        `environment variable STAGING_LINKERD_TRUST_ANCHOR_FILE: ${JSON.stringify(notPem)} is not accepted; accepted: ${LINKERD_TRUST_ANCHOR_ACCEPTED} (it holds no PEM certificate)`,
      ],
      [
        { PLATFORM_LINKERD_TRUST_ANCHOR_FILE: leaf },
        `environment variable PLATFORM_LINKERD_TRUST_ANCHOR_FILE: ${JSON.stringify(leaf)} is not accepted; accepted: ${LINKERD_TRUST_ANCHOR_ACCEPTED} (its certificate, CN=leaf, is not a CA)`,
      ],
    ];
    for (const [variables, message] of cases)
      expect(
        (thrownBy(() => loadEnvironments({ PLATFORM_MESH: "linkerd", ...variables }, ["staging"])) as Error).message,
      ).toBe(message);
  });

  it("GIVEN PLATFORM_MESH=linkerd and STAGING_ADDONS leaving Linkerd out (the cluster has it) WHEN staging is loaded THEN no trust anchor is read; neither without a mesh", () => {
    const [staging] = loadEnvironments(
      { PLATFORM_MESH: "linkerd", STAGING_ADDONS: "ingress-nginx", PLATFORM_LINKERD_TRUST_ANCHOR_FILE: "/nowhere.crt" },
      ["staging"],
    );
    expect(staging?.target === "kubernetes" && staging.kubernetes).toMatchObject({
      mesh: "linkerd",
      addons: ["ingress-nginx"],
    });
    expect(staging?.target === "kubernetes" && staging.kubernetes.linkerdTrustAnchor).toBeUndefined();
    const [plain] = loadEnvironments({ PLATFORM_LINKERD_TRUST_ANCHOR_FILE: "/nowhere.crt" }, ["staging"]);
    expect(plain?.target === "kubernetes" && plain.kubernetes.linkerdTrustAnchor).toBeUndefined();
  });

  it("GIVEN no ACME setting WHEN loaded THEN the defaults, the same on every machine; GIVEN a bad e-mail or a plain-http server THEN refused naming the variable", () => {
    const [staging] = loadEnvironments({}, ["staging"]);
    expect(staging?.target === "kubernetes" && staging.kubernetes.acme).toEqual({
      email: DEFAULT_ACME_EMAIL,
      server: DEFAULT_ACME_SERVER,
    });
    expect((thrownBy(() => loadEnvironments({ PLATFORM_ACME_EMAIL: "ops" }, ["staging"])) as Error).message).toBe(
      'environment variable PLATFORM_ACME_EMAIL: "ops" is not accepted; accepted: an e-mail address for the certificate authority\'s notices, like platform@acme.com',
    );
    expect(
      (thrownBy(() => loadEnvironments({ PLATFORM_ACME_SERVER: "http://acme.example.com/dir" }, ["staging"])) as Error)
        .message,
    ).toMatch(
      /^environment variable PLATFORM_ACME_SERVER: "http:\/\/acme\.example\.com\/dir" is not accepted; accepted: an https URL of an ACME directory/,
    );
    const [custom] = loadEnvironments(
      { PLATFORM_ACME_EMAIL: "ops@acme.com", PLATFORM_ACME_SERVER: "https://acme.example.com/directory" },
      ["staging"],
    );
    expect(custom?.target === "kubernetes" && custom.kubernetes.acme).toEqual({
      email: "ops@acme.com",
      server: "https://acme.example.com/directory",
    });
  });
});

/** A self-signed certificate named `name` (a CA unless `constraints` says otherwise), made by the openssl CLI; its PEM file's path. */
function trustAnchorFile(name: string, constraints = "basicConstraints=critical,CA:TRUE"): string {
  const folder = scratch("trust-anchor-");
  const cert = path.join(folder, `${name}.crt`);
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", path.join(folder, `${name}.key`), "-out", cert, "-days", "1", "-subj", `/CN=${name}`],
      ...["-addext", constraints],
    ],
    { stdio: "ignore" },
  );
  return cert;
}
