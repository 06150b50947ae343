import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../infra/app.js";
import { Token, forgetTokensFrom, nextTokenNumber, resolveTokens, withoutTokenTraces } from "../../infra/engine/cdk.js";
import { loadEnvironments } from "../../infra/environments.js";
import { renderMonitoringFiles } from "../../infra/monitoring/monitoring-files.js";
import { resolveCatalogue } from "../../infra/spec/model.js";
import { stackNamesOf } from "../../infra/stack-names.js";
import { continuingOnErrorAnnotations } from "../support/guardrails.js";
import { exampleServices, service } from "../support/platform.js";
import { scratchFolders } from "../support/scratch.js";

const { folder: tempDir } = scratchFolders();

function filesUnder(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const file = path.join(entry.parentPath, entry.name);
        return [path.relative(folder, file), readFileSync(file, "utf8")];
      })
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

describe("buildPlatformApp, one environment at a time (monitoringOutdir)", () => {
  const environments = loadEnvironments({});

  it("GIVEN the example catalogue WHEN synthesized one environment at a time THEN every cdk.tf.json is the same as when every stack is built up front, and the monitoring files are written", () => {
    const eagerOut = tempDir("app-eager-");
    const oneByOneOut = tempDir("app-one-by-one-");
    withoutTokenTraces(() =>
      buildPlatformApp({ services: exampleServices(), environments, outdir: eagerOut }).app.synth(),
    );
    const oneByOne = withoutTokenTraces(() => {
      const built = buildPlatformApp({
        services: exampleServices(),
        environments,
        outdir: oneByOneOut,
        monitoringOutdir: path.join(oneByOneOut, "monitoring"),
      });
      built.app.synth();
      return built;
    });

    expect(filesUnder(path.join(oneByOneOut, "stacks"))).toEqual(filesUnder(path.join(eagerOut, "stacks")));
    expect(JSON.parse(readFileSync(path.join(oneByOneOut, "manifest.json"), "utf8"))).toEqual(
      JSON.parse(readFileSync(path.join(eagerOut, "manifest.json"), "utf8")),
    );
    for (const environment of environments) {
      const catalogue = resolveCatalogue(
        exampleServices(),
        environment.name,
        environments.map((e) => e.name),
      );
      const expected = Object.fromEntries(
        renderMonitoringFiles(environment, catalogue).map((file) => [file.path, file.content]),
      );
      expect(filesUnder(path.join(oneByOneOut, "monitoring", environment.name))).toEqual(expected);
    }
    expect(oneByOne.monitoring.size).toBe(0);
    expect(oneByOne.guardrails.environments).toEqual(environments.flatMap(stackNamesOf));
  });

  it("GIVEN one environment at a time WHEN synthesized THEN each stack keeps only its backend afterwards: its target is let go of", () => {
    const outdir = tempDir("app-released-");
    const { app, stacks } = buildPlatformApp({
      services: exampleServices(),
      environments,
      outdir,
      monitoringOutdir: path.join(outdir, "monitoring"),
    });
    expect(stacks.map((stack) => stack.node.children.map((child) => child.node.id))).toEqual([
      ["backend"],
      ["backend"],
      ["backend"],
    ]);
    withoutTokenTraces(() => app.synth());
    expect(stacks.map((stack) => stack.node.children.map((child) => child.node.id))).toEqual([
      ["backend"],
      ["backend"],
      ["backend"],
    ]);
  });

  it("GIVEN a guardrail error in one environment WHEN synthesized one environment at a time THEN the findings and annotations are those of a synth with every stack built up front", () => {
    const services = [service({ name: "api", build: {}, port: 8080, scaling: { min: 1, max: 3 } })];
    const findingsOf = (monitoringOutdir?: string) => {
      const outdir = tempDir("app-findings-");
      const { app, guardrails } = buildPlatformApp({
        services,
        environments,
        outdir,
        monitoringOutdir: monitoringOutdir && path.join(outdir, monitoringOutdir),
      });
      withoutTokenTraces(() => app.synth());
      const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
        stacks: Record<string, { annotations: unknown[] }>;
      };
      return {
        findings: guardrails.findings.map((finding) => `${finding.environment} ${finding.rule} ${finding.path}`),
        annotations: Object.values(manifest.stacks).map((stack) => stack.annotations),
      };
    };
    continuingOnErrorAnnotations(() => {
      const eager = findingsOf();
      expect(eager.findings).toContain("production K8S-15 production/kubernetes/api/workload/deployment");
      expect(findingsOf("monitoring")).toEqual(eager);
    });
  });
});

describe("forgetTokensFrom", () => {
  it("GIVEN tokens registered before and after a mark WHEN the later ones are forgotten THEN the earlier ones still resolve and a forgotten one fails loudly", () => {
    const scope = buildPlatformApp({
      services: exampleServices(),
      environments: loadEnvironments({}),
      outdir: tempDir("app-tokens-"),
    }).stacks[0]!;
    const kept = Token.asString({ resolve: () => "kept" });
    const mark = nextTokenNumber();
    const forgotten = Token.asString({ resolve: () => "forgotten" });
    const forgottenNumber = Token.asNumber({ resolve: () => 42 });
    expect(resolveTokens(scope, forgotten)).toBe("forgotten");
    expect(resolveTokens(scope, forgottenNumber)).toBe(42);

    forgetTokensFrom(mark);

    expect(resolveTokens(scope, kept)).toBe("kept");
    expect(() => resolveTokens(scope, forgotten)).toThrow(/Unrecognized Token Key 'TOKEN\.\d+'/);
    expect(() => resolveTokens(scope, forgottenNumber)).toThrow(/Encoded representation of unknown number Token found/);
  });
});
