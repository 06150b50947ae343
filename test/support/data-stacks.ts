import { readFileSync } from "node:fs";
import path from "node:path";
import { loadEnvironments } from "../../infra/environments.js";
import { checkStackJson, type StackJson } from "../../infra/guardrails/index.js";
import { ruleEnvironmentWith } from "../../infra/guardrails/rule-environment.js";
import { runCli } from "./cli.js";
import type { FindingSummary } from "./guardrails.js";
import { withOrdersDatabase } from "./repo-copy.js";

/** The settings a deployable database needs: the API server's CIDR, and production's backup object store. */
export const DATABASE_VARIABLES = {
  PLATFORM_KUBE_API_CIDR: "10.0.0.1/32",
  PLATFORM_BACKUP_DESTINATION: "s3://acme-pg-backups/production",
  PLATFORM_BACKUP_CIDR: "10.20.0.0/24",
} as const;

/** A mutable resource of a synthesized stack's JSON, found by its construct path. */
export interface JsonResource {
  /** `<type>.<logical id>`, as the findings name it. */
  readonly address: string;
  readonly values: Record<string, any>;
}

/** The stacks the platform synthesized for a copy of the repository whose orders owns a PostgreSQL database. */
export interface DataStacks {
  /** A fresh, deep copy of one environment's `cdk.tf.json`, for a test to change. */
  json(environment: string): StackJson & { resource: Record<string, Record<string, any>> };
  /** The findings of one rule on a stack's JSON, as the rule tests compare them. */
  findingsOf(environment: string, json: StackJson, rule: string): FindingSummary[];
}

/**
 * GIVEN helper: gives the orders of a copy of the repository (`copyRepository`) a PostgreSQL database, and
 * synthesizes it the way `npm run synth` does (with {@link DATABASE_VARIABLES}) into `outdir`.
 */
export async function synthesizeOrdersDatabase(copy: string, outdir: string): Promise<DataStacks> {
  withOrdersDatabase(copy);
  const run = await runCli("tools/run-app.mjs", [], {
    cwd: copy,
    env: { ...process.env, ...DATABASE_VARIABLES, CDKTF_OUTDIR: outdir },
  });
  if (run.status !== 0) throw new Error(`synth of the copy failed (${run.status}):\n${run.output}`);
  const texts = new Map(
    ["local", "staging", "production"].map((environment) => [
      environment,
      readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8"),
    ]),
  );
  const environments = loadEnvironments(DATABASE_VARIABLES);
  return {
    json: (environment) => JSON.parse(texts.get(environment)!),
    findingsOf: (environment, json, rule) =>
      checkStackJson(json, ruleEnvironmentWith(environments.find((e) => e.name === environment)!, new Set(["gateway"])))
        .filter((finding) => finding.rule === rule)
        .map(({ rule: id, level, resource, message }) => ({ rule: id, level, resource, message })),
  };
}

/** The resource of a stack's JSON whose construct path ends with `suffix` (`orders/backing-services/db/cluster`). */
export function resourceAtPath(json: { resource: Record<string, Record<string, any>> }, suffix: string): JsonResource {
  for (const [type, named] of Object.entries(json.resource))
    for (const [name, values] of Object.entries(named))
      if (String(values["//"]?.metadata?.path ?? "").endsWith(`/${suffix}`))
        return { address: `${type}.${name}`, values };
  throw new Error(`no resource at .../${suffix}`);
}
