import { CONTRACT_FILE, type Contract } from "./contract/define-contract.js";
import { operationsOf } from "./contract/request-validation.js";
import type { RouteDefinition } from "./router.js";

/** The path at which a service with a contract serves it as OpenAPI 3.1. */
export const OPENAPI_PATH = "/openapi.json";

/** A method and path with its parameters' names left out: `/products/:id` and `/products/:sku` are one route. */
function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/:[^/]*/g, ":")}`;
}

/**
 * What is wrong with an application's routes against its contract, one line each: its
 * `service` is not the manifest's name, an operation no route implements, a route
 * registered with `router.get`/`post`/... that is an operation of the contract (it must
 * go through `router.implement`, which checks its requests), and, when the application
 * has a contract, any route the contract does not have. `router.implement` of a contract
 * that is not the application's is refused too. Empty when all agree.
 */
export function contractRouteProblems(
  contract: Contract | undefined,
  serviceName: string,
  routes: readonly RouteDefinition[],
): string[] {
  const problems: string[] = [];
  for (const route of routes)
    if (route.kind === "operation" && route.contract !== contract)
      problems.push(
        `router.implement of the contract of "${route.contract.service}" (operation "${route.operation.name}"): ${contract === undefined ? "the application declares no contract" : "it is not the application's contract"}; accepted: contract: the default export of ${CONTRACT_FILE} in the application, and router.implement(contract, ...) of that one`,
      );
  if (contract === undefined) return problems;

  if (contract.service !== serviceName)
    problems.push(
      `service: got ${JSON.stringify(contract.service)}; accepted: ${JSON.stringify(serviceName)}, the service's name in its manifest`,
    );
  const operations = operationsOf(contract);
  const operationAt = new Map(operations.map((operation) => [routeKey(operation.method, operation.path), operation]));
  for (const operation of operations)
    if (!routes.some((route) => route.kind === "operation" && route.operation.name === operation.name))
      problems.push(
        `operation "${operation.name}" (${operation.method} ${operation.path}): not implemented; accepted: router.implement(contract, { ${operation.name}: async (request) => ({ status, body }), ... })`,
      );
  for (const route of routes) {
    if (route.kind !== "plain") continue;
    const registered = `router.${route.method.toLowerCase()}("${route.pattern}")`;
    const operation = operationAt.get(routeKey(route.method, route.pattern));
    problems.push(
      operation === undefined
        ? `${route.method} ${route.pattern}: registered with ${registered}, but the contract has no such operation; accepted: every route is an operation of ${CONTRACT_FILE} (${operations.map((o) => `${o.method} ${o.path}`).join(", ")}): add it there and register it with router.implement`
        : `${route.method} ${route.pattern}: registered with ${registered}, but it is operation "${operation.name}", whose requests must be checked; accepted: router.implement(contract, { ${operation.name}: ... })`,
    );
  }
  return problems;
}

/**
 * Throws an `Error` listing every {@link contractRouteProblems} of an application, naming
 * `src/api.ts` and the service; returns when there are none.
 */
export function checkRoutesAgainstContract(
  contract: Contract | undefined,
  serviceName: string,
  routes: readonly RouteDefinition[],
): void {
  const problems = contractRouteProblems(contract, serviceName, routes);
  if (problems.length > 0)
    throw new Error(
      `${CONTRACT_FILE} of service "${serviceName}": the application's routes do not match its contract:\n${problems.map((p) => `  ${p}`).join("\n")}`,
    );
}
