import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAlertRules, renderRecordingRules } from "../../../infra/monitoring/alert-rules.js";
import { renderRuleTests } from "../../../infra/monitoring/rule-tests.js";
import {
  annotationScrapeConfig,
  localPrometheusConfig,
  serviceMonitorManifest,
} from "../../../infra/monitoring/scrape-config.js";
import { emitYaml } from "../../../infra/monitoring/yaml-emitter.js";
import { loadEnvironments, type DockerEnvironment, type KubernetesEnvironment } from "../../../infra/environments.js";
import { resolveCatalogue } from "../../../infra/spec/model.js";
import { exampleServices } from "../../support/platform.js";

/** Strings a YAML reader could take for something else, or that need escapes or a block. */
const TRICKY_STRINGS = [
  "",
  " ",
  "  lead",
  "trail ",
  "a: b",
  "a:",
  "key: value: more",
  "a #b",
  "#x",
  "- x",
  "-",
  "-1",
  "? x",
  ": x",
  ",x",
  "[x]",
  "{x}",
  "{{ $labels.instance }}",
  "yes",
  "No",
  "ON",
  "off",
  "y",
  "N",
  "true",
  "False",
  "null",
  "NULL",
  "~",
  "1",
  "1.0",
  "0x1F",
  "0o17",
  "1e3",
  "1_000",
  ".inf",
  "-.Inf",
  ".NaN",
  "8080",
  "15s",
  "1:20",
  "2024-01-01",
  "@x",
  "`x",
  "%x",
  "!x",
  "&x",
  "*x",
  "|x",
  ">x",
  "'x'",
  '"x"',
  "<<",
  "a\\b",
  'a"b',
  "tab\tx",
  "line1\nline2",
  "line1\n",
  "line1\n\n",
  "\nline2",
  " x\ny",
  "x \ny",
  "x\n y",
  "a\n\nb",
  "a\r\nb",
  "\u0085",
  "\u2028",
  "\ufeff",
  "ü é 漢字 😀",
  "a#b",
  "a{b}",
  "a[0], b",
  'up{service="orders",environment="local"} == 0',
  "a: {b}",
  "x\\.0",
  "a'b",
  "a!b&c*d|e>f%g@h`i",
  "http://127.0.0.1:3000/d/local-orders",
  "service:http_requests_errors:ratio_rate5m",
  "app.kubernetes.io/name",
  "/internal/metrics",
  "(a) = b, c; d ~ e ^ f $g",
];

function environmentsAndCatalogue(name: string) {
  const environments = loadEnvironments({});
  return {
    environment: environments.find((e) => e.name === name)!,
    catalogue: resolveCatalogue(
      exampleServices(),
      name,
      environments.map((e) => e.name),
    ),
  };
}

describe("YAML emitter", () => {
  it.each(TRICKY_STRINGS.map((text) => [JSON.stringify(text), text]))(
    "GIVEN the string %s as a key, a value and an item WHEN emitted THEN YAML 1.2 and 1.1 readers read it back unchanged",
    (_, text) => {
      const value = { [text]: text, list: [text, { [text]: [text] }], nested: { value: text } };
      expect(parse(emitYaml(value))).toEqual(value);
      // Prometheus' Go reader resolves some plain words as YAML 1.1 does (yes, on, 1:20, ...).
      expect(parse(emitYaml(value), { version: "1.1" })).toEqual(value);
    },
  );

  it("GIVEN numbers, booleans, null, empty and nested collections WHEN emitted THEN they read back unchanged, and undefined fields are left out as in JSON", () => {
    const value = {
      zero: 0,
      negative: -1.5,
      small: 1e-7,
      ratio: 0.001,
      big: 12345678901,
      yes: true,
      no: false,
      nothing: null,
      emptyList: [],
      emptyMap: {},
      lists: [[1, 2], [], [{ a: [] }]],
      skipped: undefined,
      onlyUndefined: { x: undefined },
    };
    expect(parse(emitYaml(value))).toEqual({ ...JSON.parse(JSON.stringify(value)), onlyUndefined: {} });
    expect(emitYaml(value)).not.toContain("skipped");
  });

  it("GIVEN a value JSON cannot hold WHEN emitted THEN it is refused, naming what is accepted", () => {
    expect(() => emitYaml({ a: Number.NaN })).toThrow(
      "emitYaml: cannot write the number NaN; only finite numbers are accepted",
    );
    expect(() => emitYaml({ a: () => 1 })).toThrow(
      "emitYaml: cannot write a value of type function; accepted: objects, arrays, strings, finite numbers, booleans, null",
    );
  });

  it.each(["local", "staging"])(
    "GIVEN every kind of monitoring document of %s WHEN emitted THEN a YAML reader reads back the same data",
    (name) => {
      const { environment, catalogue } = environmentsAndCatalogue(name);
      const documents: unknown[] = [renderRecordingRules(environment, catalogue)];
      for (const spec of catalogue.services)
        documents.push(
          renderAlertRules(spec, environment),
          renderRuleTests(spec, environment, ["../rules/platform.yml", `../rules/${spec.name}.yml`]),
        );
      if (environment.target === "docker")
        documents.push(localPrometheusConfig(environment as DockerEnvironment, catalogue));
      else
        documents.push(
          annotationScrapeConfig(environment as KubernetesEnvironment),
          ...catalogue.services.map((spec) => serviceMonitorManifest(spec, environment as KubernetesEnvironment)),
        );
      for (const document of documents) expect(parse(emitYaml(document))).toEqual(document);
    },
  );

  it("GIVEN a rule WHEN emitted THEN PromQL keeps its lines in a literal block, so that a diff of a rules file is line by line", () => {
    const { environment, catalogue } = environmentsAndCatalogue("staging");
    const text = emitYaml(renderAlertRules(catalogue.get("orders"), environment));
    expect(text).toContain(
      [
        "groups:",
        "  - name: orders-slo",
        "    rules:",
        "      - alert: AvailabilityBudgetBurnFast",
        "        expr: |-",
        "          (",
        '            service:http_requests_errors:ratio_rate1h{service="orders",environment="staging"} > (14.4 * 0.001)',
        "            and",
      ].join("\n"),
    );
    expect(text).toContain('        for: "5m"\n');
    // A one-line query stays plain, as written.
    expect(text).toContain('        expr: up{service="orders",environment="staging"} == 0\n');
    expect(text).toContain("          severity: page\n");
  });
});
