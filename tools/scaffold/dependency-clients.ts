/**
 * The typed clients a new service gets of the services it depends on: for each one with
 * an API contract (`services/<x>/src/api.ts`, the file the synth writes the OpenAPI
 * document from), an import of that contract and a `contractClient` of it; for one
 * without (a worker), a comment that says how to call it untyped. The source text fills
 * the platform placeholders `{{dependencyImports}}` and `{{dependencyClients}}`.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SERVICE_API_FILE, SERVICES_DIR } from "../../infra/repository-layout.js";
import { isContract } from "../../templates/runtime/src/contract/define-contract.js";
import { pathParameters } from "../../templates/runtime/src/contract/operation.js";

/** Whether a template file's text holds `{{dependencyImports}}` or `{{dependencyClients}}`. */
export function usesDependencyClients(text: string): boolean {
  return text.includes("{{dependencyImports}}") || text.includes("{{dependencyClients}}");
}

/** One operation of a dependency's contract, as the example call in the generated comment shows it. */
export interface ExampleOperation {
  readonly method: string;
  readonly path: string;
  /** Whether it declares a query, and a body. */
  readonly query: boolean;
  readonly body: boolean;
}

/**
 * The dependencies that have a contract, by name -> the operation the generated comment
 * calls as an example (the contract's first), or null when the contract could not be
 * read here (the example is then generic; the synth reports what is wrong with it).
 */
export type DependencyContracts = ReadonlyMap<string, ExampleOperation | null>;

/** The placeholder values: source text, empty when the service depends on nothing. */
export interface DependencyClientSource {
  /** Import lines, each ending with a newline, to sit among the application's imports. */
  readonly dependencyImports: string;
  /** A blank line, then the `dependencyClients` function and its comment (or a comment alone). */
  readonly dependencyClients: string;
}

/**
 * Which of `dependsOn` have a contract (a `src/api.ts` in their folder), with no example
 * operation: what template:check renders with, which compares only the managed files.
 */
export function dependenciesWithContract(root: string, dependsOn: readonly string[]): DependencyContracts {
  return new Map(
    dependsOn
      .filter((dependency) => existsSync(path.join(root, SERVICES_DIR, dependency, SERVICE_API_FILE)))
      .map((dependency) => [dependency, null]),
  );
}

/**
 * Which of `dependsOn` have a contract (a `src/api.ts` in their folder), each with the
 * first operation of its contract for the example call: what new:service renders with.
 */
export async function readDependencyContracts(
  root: string,
  dependsOn: readonly string[],
): Promise<DependencyContracts> {
  const contracts = new Map<string, ExampleOperation | null>();
  for (const dependency of dependenciesWithContract(root, dependsOn).keys())
    contracts.set(dependency, await firstOperation(path.join(root, SERVICES_DIR, dependency, SERVICE_API_FILE)));
  return contracts;
}

async function firstOperation(file: string): Promise<ExampleOperation | null> {
  try {
    const contract = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    if (!isContract(contract)) return null;
    const [operation] = Object.values(contract.operations);
    if (operation === undefined) return null;
    return {
      method: operation.method,
      path: operation.path,
      query: operation.query !== undefined,
      body: operation.body !== undefined,
    };
  } catch {
    return null;
  }
}

/** A service name as a TypeScript identifier: `order-history` -> `orderHistory`, `a-1` -> `a_1`. */
export function identifierOf(service: string): string {
  return service.replace(/-([a-z0-9])/g, (_match, next: string) =>
    /[0-9]/.test(next) ? `_${next}` : next.toUpperCase(),
  );
}

/**
 * The source of the dependencies' clients, for an application module in `services/<name>/src/`:
 * with `orders` (which has a contract) and `fulfilment` (which has none),
 * `import ordersApi from "../../orders/src/api.js";` and
 * `export function dependencyClients(context) { return { orders: contractClient(ordersApi, context.dependency("orders")) }; }`,
 * with a comment saying that fulfilment is called untyped.
 */
export function dependencyClientSource(
  dependsOn: readonly string[],
  contracts: DependencyContracts,
): DependencyClientSource {
  const typed = dependsOn.filter((dependency) => contracts.has(dependency));
  const untyped = dependsOn.filter((dependency) => !contracts.has(dependency));
  const untypedLines = untyped.flatMap((dependency) => [
    `${dependency} has no contract (no ${SERVICES_DIR}/${dependency}/${SERVICE_API_FILE}; a worker serves none):`,
    `call it untyped, as \`await context.dependency(${JSON.stringify(dependency)}).getJson("/path")\`.`,
  ]);
  if (typed.length === 0) {
    if (untyped.length === 0) return { dependencyImports: "", dependencyClients: "" };
    return { dependencyImports: "", dependencyClients: `\n${untypedLines.map((line) => `// ${line}\n`).join("")}` };
  }
  const imports = [
    'import type { ServiceContext } from "@platform/service-runtime";',
    'import { contractClient } from "@platform/service-runtime/contract";',
    ...typed.map(
      (dependency) =>
        `import ${identifierOf(dependency)}Api from "../../${dependency}/${SERVICE_API_FILE.replace(/\.ts$/, ".js")}";`,
    ),
  ];
  const first = typed[0]!;
  const comment = [
    "Typed clients of the services it calls, made from their contracts (each one's src/api.ts):",
    "a path a contract does not have is a type error, and an answer it does not declare throws a",
    "DependencyError (a 502 to the caller). In `routes`, for example:",
    `\`const { ${identifierOf(first)} } = dependencyClients(context);\`, then in a handler`,
    `\`const answer = await ${exampleCall(identifierOf(first), contracts.get(first) ?? null)};\``,
    "(`answer.ok` narrows `answer.body` to the answer's declared body).",
    ...(untypedLines.length > 0 ? ["", ...untypedLines] : []),
  ];
  const clients = typed.map(
    (dependency) =>
      `    ${identifierOf(dependency)}: contractClient(${identifierOf(dependency)}Api, context.dependency(${JSON.stringify(dependency)})),`,
  );
  return {
    dependencyImports: imports.map((line) => `${line}\n`).join(""),
    dependencyClients: [
      "",
      "/**",
      ...comment.map((line) => (line === "" ? " *" : ` * ${line}`)),
      " */",
      'export function dependencyClients(context: Pick<ServiceContext, "dependency">) {',
      "  return {",
      ...clients,
      "  };",
      "}",
      "",
    ].join("\n"),
  };
}

/** `orders.post("/orders", { body })`: a call of the operation, its parts named by what the caller passes. */
function exampleCall(client: string, operation: ExampleOperation | null): string {
  if (operation === null) return `${client}.get("<a path of its contract>")`;
  const parameters = pathParameters(operation.path);
  const parts = [
    ...(parameters.length > 0 ? [`params: { ${parameters.join(", ")} }`] : []),
    ...(operation.query ? ["query"] : []),
    ...(operation.body ? ["body"] : []),
  ];
  const request = parts.length > 0 ? `, { ${parts.join(", ")} }` : "";
  return `${client}.${operation.method.toLowerCase()}(${JSON.stringify(operation.path)}${request})`;
}
