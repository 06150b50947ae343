import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AlertReceiverSetting } from "../../../infra/alert-routing-settings.js";
import { type KubernetesEnvironment, loadEnvironments } from "../../../infra/environments.js";
import {
  alertReceiverSecrets,
  alertmanagerConfigYaml,
  alertmanagerMatcherValue,
  renderAlertmanagerConfig,
} from "../../../infra/monitoring/alertmanager-config.js";
import { Catalogue, resolveCatalogue } from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";
import { amtool, renderMonitoringTree, requireAmtool } from "../../support/prometheus-tools.js";

/** The example catalogue with an owner per service: catalog's and gateway's teams, and orders' (two services). */
function ownedServices() {
  return [
    service({ name: "catalog", build: {}, port: 8080, monitoring: { owner: "team-catalog" } }),
    service({ name: "orders", build: {}, port: 8081, monitoring: { owner: "team-orders" } }),
    service({ name: "fulfilment", build: {}, port: 8083, monitoring: { owner: "team-orders" } }),
    service({ name: "gateway", build: {}, port: 8082, monitoring: { owner: "team-edge" } }),
  ];
}

const RECEIVERS = "team-orders=slack:orders-alerts, team-edge=pagerduty:edge-oncall";

function staging(variables: Record<string, string> = {}): KubernetesEnvironment {
  return loadEnvironments(variables, ["staging"])[0] as KubernetesEnvironment;
}

function catalogueOf(services = ownedServices()): Catalogue {
  return resolveCatalogue(services, "staging", ["local", "staging", "production"]);
}

/**
 * The configuration of one service whose owner is `owner`, with a receiver of its own. The
 * spec and the setting both refuse such a name; this shows the configuration would keep it data anyway.
 */
function oddOwnerConfig(owner: string) {
  const [spec] = catalogueOf().services;
  const catalogue = new Catalogue([{ ...spec!, monitoring: { ...spec!.monitoring, owner } }]);
  const environment = staging();
  return renderAlertmanagerConfig(
    {
      ...environment,
      kubernetes: {
        ...environment.kubernetes,
        alerting: {
          ...environment.kubernetes.alerting,
          receivers: new Map<string, AlertReceiverSetting>([[owner, { kind: "slack", secret: "odd-alerts" }]]),
        },
      },
    },
    catalogue,
  );
}

describe("renderAlertmanagerConfig", () => {
  it("GIVEN receivers for team-orders and team-edge WHEN the configuration is rendered THEN each owner has a route to its team's receiver, and an owner without one goes to the default receiver", () => {
    const config = renderAlertmanagerConfig(staging({ STAGING_ALERT_RECEIVERS: RECEIVERS }), catalogueOf());

    expect(config.route.routes).toEqual([
      { matchers: ['alertname=~"Watchdog|InfoInhibitor"'], receiver: "null" },
      { matchers: ['owner="team-catalog"'], receiver: "slack/platform-alerts" },
      { matchers: ['owner="team-edge"'], receiver: "pagerduty/edge-oncall" },
      { matchers: ['owner="team-orders"'], receiver: "slack/orders-alerts" },
    ]);
    expect(config.receivers.map((r) => r.name)).toEqual([
      "null",
      "pagerduty/edge-oncall",
      "slack/orders-alerts",
      "slack/platform-alerts",
    ]);
    expect(config.receivers.find((r) => r.name === "pagerduty/edge-oncall")?.pagerduty_configs?.[0]).toMatchObject({
      routing_key_file: "/etc/alertmanager/secrets/edge-oncall/routing-key",
      send_resolved: true,
    });
    expect(config.receivers.find((r) => r.name === "slack/orders-alerts")?.slack_configs?.[0]).toMatchObject({
      api_url_file: "/etc/alertmanager/secrets/orders-alerts/url",
      send_resolved: true,
    });
  });

  it("GIVEN no setting WHEN rendered THEN the root routes to the default receiver slack:platform-alerts, grouped by alert name and service, and every owner's route leads there", () => {
    const environment = staging();
    const config = renderAlertmanagerConfig(environment, catalogueOf());

    expect(config.route).toMatchObject({
      receiver: "slack/platform-alerts",
      group_by: ["alertname", "service"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
    });
    expect(new Set(config.route.routes?.slice(1).map((r) => r.receiver))).toEqual(new Set(["slack/platform-alerts"]));
    expect(config.receivers.map((r) => r.name)).toEqual(["null", "slack/platform-alerts"]);
    expect(alertReceiverSecrets(environment.kubernetes.alerting)).toEqual(["platform-alerts"]);
  });

  it("GIVEN a default receiver and a team that shares it WHEN rendered THEN it is one receiver, and the Secrets to mount are each named once", () => {
    const environment = staging({
      STAGING_ALERT_DEFAULT_RECEIVER: "pagerduty:platform-oncall",
      STAGING_ALERT_RECEIVERS: "team-catalog=pagerduty:platform-oncall,team-orders=orders-alerts",
    });
    const config = renderAlertmanagerConfig(environment, catalogueOf());

    expect(config.route.receiver).toBe("pagerduty/platform-oncall");
    expect(config.receivers.map((r) => r.name)).toEqual(["null", "pagerduty/platform-oncall", "slack/orders-alerts"]);
    expect(alertReceiverSecrets(environment.kubernetes.alerting)).toEqual(["orders-alerts", "platform-oncall"]);
  });

  it("GIVEN a team in the setting that owns no service here WHEN rendered THEN it still has its route (its services may come later)", () => {
    const config = renderAlertmanagerConfig(
      staging({ STAGING_ALERT_RECEIVERS: "team-search=search-alerts" }),
      catalogueOf(),
    );
    expect(config.route.routes).toContainEqual({ matchers: ['owner="team-search"'], receiver: "slack/search-alerts" });
  });

  it("GIVEN an owner with quotes, a backslash, a comma, a line break and template braces WHEN rendered THEN its matcher holds it as one escaped value", () => {
    const odd = 'x", alertname="y\\ {{ .z }}\nw';

    const config = oddOwnerConfig(odd);

    expect(config.route.routes?.[1]).toEqual({
      matchers: ['owner="x\\", alertname=\\"y\\\\ {{ .z }}\\nw"'],
      receiver: "slack/odd-alerts",
    });
    expect(alertmanagerMatcherValue(odd)).toBe('"x\\", alertname=\\"y\\\\ {{ .z }}\\nw"');
  });
});

describe("the Alertmanager configuration checked by amtool", () => {
  let tree: string;
  let oddFolder: string;
  const ODD_OWNER = 'x", alertname="y\\ {{ .z }}';
  const file = (environment: string) => path.join(tree, environment, "alertmanager.yml");
  const route = async (configFile: string, ...labels: string[]) => {
    const run = await amtool(["config", "routes", "test", `--config.file=${configFile}`, ...labels], tree);
    expect(run.code, run.output).toBe(0);
    return run.stdout.trim();
  };

  beforeAll(() => {
    requireAmtool();
    // GIVEN the owned services WHEN rendered for every environment, staging with receivers by owner
    tree = renderMonitoringTree(ownedServices(), {
      STAGING_ALERT_RECEIVERS: RECEIVERS,
      PRODUCTION_ALERT_DEFAULT_RECEIVER: "pagerduty:platform-oncall",
    });
    // and a configuration whose one owner, with a receiver of its own, is a string a matcher would break on
    oddFolder = mkdtempSync(path.join(os.tmpdir(), "platform-alertmanager-"));
    writeFileSync(path.join(oddFolder, "alertmanager.yml"), alertmanagerConfigYaml(oddOwnerConfig(ODD_OWNER), "test"));
  });
  afterAll(() => {
    rmSync(tree, { recursive: true, force: true });
    rmSync(oddFolder, { recursive: true, force: true });
  });

  it.each(["staging", "production"])("THEN amtool check-config accepts alertmanager.yml of %s", async (environment) => {
    const run = await amtool(["check-config", file(environment)], tree);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("SUCCESS");
  });

  it("THEN the file is the rendered configuration, a page mutes the ticket of its service and environment, and no receiver holds a credential, only the file it is read from", () => {
    const content = readFileSync(file("staging"), "utf8");
    const config = parse(content);
    expect(config.route.receiver).toBe("slack/platform-alerts");
    expect(config.inhibit_rules).toEqual([
      {
        source_matchers: ['severity="page"'],
        target_matchers: ['severity="ticket"'],
        equal: ["service", "environment"],
      },
    ]);
    expect(content).not.toMatch(/api_url:|routing_key:|https?:\/\//);
  });

  it.each([
    ["team-orders", "slack/orders-alerts"],
    ["team-edge", "pagerduty/edge-oncall"],
    ["team-catalog", "slack/platform-alerts"],
    ["team-unknown", "slack/platform-alerts"],
  ])("THEN amtool routes an alert of owner %s in staging to %s", async (owner, receiver) => {
    expect(await route(file("staging"), "alertname=TargetDown", "service=orders", `owner=${owner}`)).toBe(receiver);
  });

  it("THEN an alert without an owner goes to the default receiver, and the chart's Watchdog to none", async () => {
    expect(await route(file("production"), "alertname=KubePodCrashLooping")).toBe("pagerduty/platform-oncall");
    expect(await route(file("production"), "alertname=Watchdog")).toBe("null");
  });

  it("THEN amtool reads the odd owner as one value: that owner's alert goes to its route's receiver, and the fragments it holds match nothing", async () => {
    const odd = path.join(oddFolder, "alertmanager.yml");
    expect((await amtool(["check-config", odd], oddFolder)).code).toBe(0);
    expect(await route(odd, `owner=${alertmanagerMatcherValue(ODD_OWNER)}`)).toBe("slack/odd-alerts");
    const tree = await amtool(["config", "routes", `--config.file=${odd}`], oddFolder);
    expect(tree.stdout).toContain(`{owner=${alertmanagerMatcherValue(ODD_OWNER)}}`);
    expect(await route(odd, "owner=x", "alertname=y")).toBe("slack/platform-alerts");
  });
});
