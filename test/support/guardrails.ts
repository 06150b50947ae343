import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { IConstruct } from "constructs";
import { buildPlatformApp } from "../../infra/app.js";
import { App, TerraformResource } from "../../infra/engine/cdk.js";
import { loadEnvironments } from "../../infra/environments.js";
import type { ImagesLock } from "../../infra/images-lock.js";
import {
  checkStackJson,
  GuardrailsRun,
  ruleEnvironmentOf,
  suppressionsOf,
  SynthesizedStack,
  type Finding,
  type GuardrailRule,
  type RuleOutcome,
  type StackJson,
} from "../../infra/guardrails/index.js";
import { renderMonitoring } from "../../infra/monitoring/monitoring-files.js";
import { PlatformStack } from "../../infra/platform-stack.js";
import { resolveCatalogue, type DiscoveredService } from "../../infra/spec/model.js";
import { exampleServices } from "./platform.js";

// Stacks built here are rendered in memory, never synthesized; the App still wants an outdir.
const OUTDIR = mkdtempSync(path.join(os.tmpdir(), "platform-guardrails-"));
process.on("exit", () => rmSync(OUTDIR, { recursive: true, force: true }));

/** A finding as the rule tests compare it. */
export type FindingSummary = Pick<Finding, "rule" | "level" | "resource" | "message">;

/** A rendered stack's JSON, its resources by type and logical id. */
export type RenderedStack = { resource: Record<string, Record<string, any>> };

/** One environment's stack, built from services, ready for escape hatches and checks. */
export interface GuardrailsFixture {
  readonly stack: PlatformStack;
  /** The resource construct at a path below the stack, like `kubernetes/orders/workload/deployment`. */
  resource(constructPath: string): TerraformResource;
  /** Its address in the JSON: `<type>.<logical id>`. */
  address(constructPath: string): string;
  /** Renders the stack (overrides included) and checks it, suppressions applied. */
  findings(): Finding[];
  /** The findings of one rule, reduced to what the tests compare. */
  findingsOf(rule: string): FindingSummary[];
  /**
   * The findings of one rule on the rendered JSON after `change` edits it (where
   * `addOverride` cannot: it appends to a list instead of replacing an element).
   */
  findingsAfter(rule: string, change: (json: RenderedStack) => void): FindingSummary[];
  /** Every finding, suppressions applied, on the rendered JSON after `change` edits it. */
  checkedAfter(change: (json: RenderedStack) => void): Finding[];
  /** One rule's outcome on one resource, or on the stack for a stack rule (path ignored). */
  outcome(rule: GuardrailRule, constructPath: string): RuleOutcome;
}

/**
 * GIVEN helper: builds one environment's stack (not synthesized) from these services
 * @default exampleServices() - public gateway -> orders -> catalog
 */
export function guardrailsFixture(
  environment: string,
  services: readonly DiscoveredService[] = exampleServices(),
  variables: Record<string, string> = {},
): GuardrailsFixture {
  const environments = loadEnvironments(variables);
  const chosen = environments.find((e) => e.name === environment)!;
  const catalogue = resolveCatalogue(
    services,
    environment,
    environments.map((e) => e.name),
  );
  const stack = new PlatformStack(new App({ outdir: OUTDIR, stackTraces: false }), {
    environment: chosen,
    catalogue,
    monitoring: renderMonitoring(chosen, catalogue),
    guardrails: new GuardrailsRun(),
  });
  const ruleEnvironment = ruleEnvironmentOf(stack.environment, catalogue);

  const resource = (constructPath: string) => resourceAt(stack, constructPath);
  const address = (constructPath: string) => {
    const found = resource(constructPath);
    return `${found.terraformResourceType}.${found.friendlyUniqueId}`;
  };
  const check = (json: StackJson) => checkStackJson(json, ruleEnvironment, suppressionsOf(catalogue));
  const findings = () => check(stack.toTerraform());
  const checkedAfter = (change: (json: RenderedStack) => void) => {
    const json = structuredClone(stack.toTerraform()) as StackJson & RenderedStack;
    change(json);
    return check(json);
  };
  const summaries = (all: Finding[], rule: string) =>
    all
      .filter((f) => f.rule === rule)
      .map(({ rule: id, level, resource: at, message }) => ({ rule: id, level, resource: at, message }));
  return {
    stack,
    resource,
    address,
    findings,
    findingsOf: (rule) => summaries(findings(), rule),
    findingsAfter: (rule, change) => summaries(checkedAfter(change), rule),
    checkedAfter,
    outcome: (rule, constructPath) => {
      const synthesized = new SynthesizedStack(stack.toTerraform());
      const context = { environment: ruleEnvironment, stack: synthesized };
      return rule.scope === "resource"
        ? rule.check(synthesized.at(address(constructPath))!, context)
        : rule.check(context);
    },
  };
}

/** Construct paths (below the stack) of the example catalogue's Kubernetes resources. */
export const K8S = {
  deployment: (service: string) => `kubernetes/${service}/workload/deployment`,
  serviceAccount: (service: string) => `kubernetes/${service}/workload/service-account`,
  autoscaler: (service: string) => `kubernetes/${service}/scaling/autoscaler`,
  disruptionBudget: (service: string) => `kubernetes/${service}/scaling/disruption-budget`,
  networkPolicy: (service: string) => `kubernetes/${service}/network-rules/policy`,
  service: (service: string) => `kubernetes/${service}/exposure/service`,
  ingress: (service: string) => `kubernetes/${service}/exposure/ingress`,
  defaultDeny: "kubernetes/platform/default-deny",
  acmeSolverPolicy: "kubernetes/platform/acme-solver/policy",
} as const;

/** Field paths of an escape hatch on the example Deployments' first container and pod. */
export const CONTAINER = "spec.template.spec.container.0";
export const POD = "spec.template.spec";

/** What a full synth with the guardrails produced. */
export interface GuardrailsSynth {
  readonly run: GuardrailsRun;
  /** The annotations cdktf wrote to manifest.json, by stack: what the cdktf CLI reads. */
  readonly annotations: Record<string, Array<{ constructPath: string; level: string; message: string }>>;
}

/**
 * Runs `body` with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS set, as `npm run synth` sets
 * it (every stack synthesizes even with errors), and puts the variable's earlier value back.
 */
export function continuingOnErrorAnnotations<T>(body: () => T): T {
  const previous = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
  try {
    return body();
  } finally {
    if (previous === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
    else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = previous;
  }
}

/**
 * WHEN helper: builds every environment, lets `prepare` apply escape hatches, and
 * synthesizes the app the way `npm run synth` does (every stack, even with errors).
 * @param variables the settings (environment variables) the environments are loaded with
 * @default variables none: every default
 */
export function synthWithGuardrails(
  services: readonly DiscoveredService[],
  prepare: (stacks: readonly PlatformStack[]) => void = () => {},
  variables: Readonly<Record<string, string>> = {},
): GuardrailsSynth {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "platform-guardrails-synth-"));
  try {
    return continuingOnErrorAnnotations(() => {
      const { app, stacks, guardrails } = buildPlatformApp({
        services,
        environments: loadEnvironments(variables),
        imageLock: lockOfEvery(services),
        outdir,
      });
      prepare(stacks);
      app.synth();
      const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
        stacks: Record<string, { annotations: GuardrailsSynth["annotations"][string] }>;
      };
      return {
        run: guardrails,
        annotations: Object.fromEntries(
          Object.entries(manifest.stacks).map(([name, stack]) => [name, stack.annotations]),
        ),
      };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * A lock that records every service at its version, so that the annotations hold the
 * guardrails' alone and not the synth's warning of images deployed by tag (tested in
 * test/infra/targets/kubernetes/image-reference.test.ts). The digests are made up.
 */
function lockOfEvery(services: readonly DiscoveredService[]): ImagesLock {
  return {
    images: Object.fromEntries(
      services.map((s) => [s.folder, { version: s.version, digest: `sha256:${"0".repeat(64)}` }]),
    ),
  };
}

/** The resource construct at a path below a stack (`kubernetes/orders/workload/deployment`). */
export function resourceAt(stack: PlatformStack, constructPath: string): TerraformResource {
  let current: IConstruct | undefined = stack;
  for (const segment of constructPath.split("/")) current = current?.node.tryFindChild(segment);
  if (!(current instanceof TerraformResource)) throw new Error(`no resource at ${stack.node.id}/${constructPath}`);
  return current;
}
