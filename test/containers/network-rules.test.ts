import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { discoverServices } from "../../infra/discover-services.js";
import { ENVIRONMENT_NAMES } from "../../infra/environments.js";
import { resolveCatalogue } from "../../infra/spec/model.js";
import { LocalStack } from "./support/local-stack.js";
import { runContext, type RunContext } from "./support/run-context.js";
import { StackRunner, type RunnerContainer } from "./support/stack-runner.js";

/**
 * The network rules of the local stack, for real: every service container the stack
 * declares runs at once, on networks created as the stack declares them, and a
 * container calls the others from inside, the way a service would.
 */

const stackAtCollection = LocalStack.read(inject("containerTestOutdir"));
const catalogueAtCollection = resolveCatalogue(
  await discoverServices(inject("containerTestWorkspace")),
  "local",
  ENVIRONMENT_NAMES,
);
const services = stackAtCollection.services();
const edges = catalogueAtCollection
  .edges()
  .filter(([caller, callee]) => services.includes(caller) && services.includes(callee));
const dependsOn = (caller: string, callee: string) => catalogueAtCollection.get(caller).dependsOn.includes(callee);
/**
 * Pairs with no edge either way: nothing may pass between them, also when one uses a
 * backing service of the other (orders publishes to fulfilment's queue), which it
 * reaches over a network of its own with the data container only.
 */
const unrelated = services.flatMap((a) =>
  services.filter((b) => b !== a && !dependsOn(a, b) && !dependsOn(b, a)).map((b) => [a, b] as const),
);
/** A dependency and its dependent: the dependency calls back only over the network they share. */
const reverse = edges.map(([caller, callee]) => [callee, caller] as const).filter(([a, b]) => !dependsOn(a, b));

/**
 * Calls URLs from inside a container with node's fetch, all at once in one process (a
 * process per URL would crowd the container's memory limit); prints one result per URL,
 * `{ status }` or `{ error }`, after at most 5 seconds. A name that does not resolve on
 * an internal network is not refused but waits for the resolver's timeout (10 s), which
 * no fetch signal cancels: the process reports it as a timeout and exits.
 */
const FETCH_SCRIPT = `const deadline = new Promise((resolve) => setTimeout(() => resolve({ error: "TimeoutError" }), 5000));
Promise.all(process.argv.slice(1).map((url) => Promise.race([deadline,
  fetch(url, { signal: AbortSignal.timeout(5000) })
    .then((r) => ({ status: r.status }))
    .catch((e) => ({ error: String((e.cause && e.cause.code) || e.name) }))])))
  .then((results) => { process.stdout.write(JSON.stringify(results)); process.exit(0); });`;

let context: RunContext;
let runner: StackRunner;
const containersOf = new Map<string, RunnerContainer[]>();

async function fetchFrom(
  container: RunnerContainer,
  urls: readonly string[],
): Promise<Array<{ status?: number; error?: string }>> {
  const result = await runner.exec(container, ["node", "-e", FETCH_SCRIPT, ...urls]);
  if (result.exitCode !== 0)
    throw new Error(`docker exec in ${container.name} failed (${result.exitCode}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Array<{ status?: number; error?: string }>;
}

/** The networks of a container, by name, with its address on each. */
async function networksOf(container: RunnerContainer): Promise<Record<string, { IPAddress: string }>> {
  return (await runner.inspect(container)).NetworkSettings.Networks as Record<string, { IPAddress: string }>;
}

beforeAll(async () => {
  context = await runContext();
  runner = new StackRunner(context.engine, context.stack, context.run, "network", context.images, context.standIns);
  const declared = context.stack.serviceContainers();
  for (const container of declared) await runner.imageOf(container);
  // The services connect to their backing services at start: those run first, healthy.
  const data: Array<{ container: RunnerContainer; at: number }> = [];
  for (const container of context.stack.backingServiceContainers()) {
    await runner.imageOf(container);
    const created = await runner.createContainer(container);
    const at = performance.now();
    await runner.start(created);
    data.push({ container: created, at });
  }
  for (const { container, at } of data) await runner.waitUntilHealthy(container, at);
  const started: Array<{ container: RunnerContainer; at: number }> = [];
  for (const container of declared) {
    const created = await runner.createContainer(container);
    containersOf.set(container.service!, [...(containersOf.get(container.service!) ?? []), created]);
    const at = performance.now();
    await runner.start(created);
    started.push({ container: created, at });
  }
  for (const { container, at } of started) await runner.waitUntilHealthy(container, at);
});

afterAll(async () => {
  await runner?.removeAll();
});

describe("network rules of the local stack", () => {
  it.each(edges)(
    "GIVEN %s depends on %s WHEN each of its containers calls the dependency by the URL it is given THEN it is answered",
    async (caller, callee) => {
      const variable = `${callee.toUpperCase().replace(/-/g, "_")}_URL`;
      for (const container of containersOf.get(caller) ?? []) {
        const url = (container.request.body.Env as string[] | undefined)
          ?.find((e) => e.startsWith(`${variable}=`))
          ?.slice(variable.length + 1);
        expect(url, `${container.name} has no ${variable}`).toBeDefined();
        expect(
          await fetchFrom(container, [`${url}${context.catalogue.get(callee).health.liveness}`]),
          `${container.name} -> ${url}`,
        ).toEqual([{ status: 200 }]);
      }
    },
  );

  it.each(unrelated)(
    "GIVEN neither %s nor %s depends on the other WHEN the first calls the second by name or by any of its addresses THEN no call gets through",
    async (caller, callee) => {
      await expectNoWayThrough(caller, callee, () => false);
    },
  );

  it.each(reverse)(
    "GIVEN %s is a dependency of %s WHEN it calls its dependent THEN the name does not resolve and no address answers but on a network of these two only (Docker networks are not directional)",
    async (caller, callee) => {
      await expectNoWayThrough(caller, callee, (members) =>
        [...members].every((service) => service === caller || service === callee),
      );
    },
  );
});

/**
 * Calls `callee` from every container of `caller`: by its service name, which must not
 * get through, and at each of its addresses, which must not get through unless
 * `allowed(the services on that address's network)` says so.
 */
async function expectNoWayThrough(
  caller: string,
  callee: string,
  allowed: (members: ReadonlySet<string>) => boolean,
): Promise<void> {
  const spec = context.catalogue.get(callee);
  const members = await servicesByNetwork();
  for (const container of containersOf.get(caller) ?? []) {
    const targets = [
      { url: `http://${callee}:${spec.port}${spec.health.liveness}`, network: "(by name)", allowed: false },
    ];
    for (const target of containersOf.get(callee) ?? []) {
      for (const [network, { IPAddress }] of Object.entries(await networksOf(target))) {
        const onNetwork = members.get(network) ?? new Set<string>();
        if (IPAddress)
          targets.push({
            url: `http://${IPAddress}:${spec.port}${spec.health.liveness}`,
            network,
            allowed: onNetwork.has(caller) && allowed(onNetwork),
          });
      }
    }
    const answers = await fetchFrom(
      container,
      targets.map((t) => t.url),
    );
    for (const [index, target] of targets.entries()) {
      if (target.allowed) continue;
      const result = answers[index]!;
      expect(
        result.status,
        `${container.name} -> ${target.url} (${callee} on ${target.network}) got through`,
      ).toBeUndefined();
      expect(result.error).toMatch(
        /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|TimeoutError|UND_ERR_CONNECT_TIMEOUT)$/,
      );
    }
  }
}

/** The services whose containers are on each network. */
async function servicesByNetwork(): Promise<Map<string, Set<string>>> {
  const members = new Map<string, Set<string>>();
  for (const [service, containers] of containersOf) {
    for (const container of containers) {
      for (const network of Object.keys(await networksOf(container)))
        members.set(network, (members.get(network) ?? new Set()).add(service));
    }
  }
  return members;
}
