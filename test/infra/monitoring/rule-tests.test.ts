import { describe, expect, it } from "vitest";
import { fastBurnDetectionMinutes, renderRuleTests, spikeRatio } from "../../../infra/monitoring/rule-tests.js";
import { errorBudget } from "../../../infra/monitoring/slo-policy.js";
import { loadEnvironments } from "../../../infra/environments.js";
import { resolveCatalogue } from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";

describe("generated promtool unit tests", () => {
  it("GIVEN a service WHEN its tests are generated THEN they cover a healthy series, a fast spike, a slow burn for both budgets, and dead targets", () => {
    const environments = loadEnvironments({});
    const spec = resolveCatalogue(
      [service({ name: "orders", build: {}, port: 8080 })],
      "local",
      environments.map((e) => e.name),
    ).get("orders");
    const tests = renderRuleTests(spec, environments[0]!, ["../rules/platform.yml", "../rules/orders.yml"]);
    expect(tests.rule_files).toEqual(["../rules/platform.yml", "../rules/orders.yml"]);
    expect(tests.tests.map((t) => t.name)).toEqual([
      "orders: healthy traffic (half of each budget) fires nothing",
      "orders: an error spike of 10% pages 9 minutes after it starts",
      "orders: errors at 4.5x the budget open a ticket and do not page",
      "orders: 100% of requests slower than 500 ms pages 9 minutes after it starts",
      "orders: 4.5% of requests slower than 500 ms open a ticket and do not page",
      "orders: a dead replica raises TargetDown; with none left, AllTargetsDown pages",
    ]);
    const spike = tests.tests[1]!;
    expect(spike.alert_rule_test.filter((t) => t.exp_alerts.length > 0).map((t) => [t.eval_time, t.alertname])).toEqual(
      [["69m", "AvailabilityBudgetBurnFast"]],
    );
  });

  it.each([93.1, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999])(
    "GIVEN an availability SLO of %s%% WHEN the spike is generated THEN the page is expected within the 1h window",
    (availability) => {
      const budget = errorBudget(availability);
      const minutes = fastBurnDetectionMinutes(budget, budget / 2, spikeRatio(budget));
      expect(minutes).toBeGreaterThanOrEqual(5);
      expect(minutes).toBeLessThanOrEqual(60);
    },
  );
});
