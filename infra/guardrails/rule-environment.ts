import type { Environment } from "../environments.js";
import type { Catalogue, Suppression } from "../spec/model.js";
import type { RuleEnvironment } from "./rule.js";

/**
 * The environment as the rules see it. Every environment but the Docker one is
 * shared: the Docker environment runs on the developer's own engine, with its own
 * state file.
 */
export function ruleEnvironmentOf(environment: Environment, catalogue: Catalogue): RuleEnvironment {
  return ruleEnvironmentWith(
    environment,
    new Set(catalogue.services.filter((s) => s.expose.kind === "public").map((s) => s.name)),
  );
}

/**
 * The environment as the rules see it, given the services published outside it: for a
 * tool that reads synthesized stacks without the service specs (infra:diff).
 */
export function ruleEnvironmentWith(environment: Environment, publicServices: ReadonlySet<string>): RuleEnvironment {
  return {
    name: environment.name,
    target: environment.target,
    namespace: environment.namespace,
    production: environment.production,
    shared: environment.target !== "docker",
    publicServices,
  };
}

/** The suppressions of each service of a catalogue, by service name. */
export function suppressionsOf(catalogue: Catalogue): Map<string, readonly Suppression[]> {
  return new Map(catalogue.services.map((s) => [s.name, s.suppressions]));
}
