/**
 * Cycles of calls between services (`a` depends on `b`, `b` on `a`). Nothing in the
 * infrastructure refuses one: every edge gets its network rule and the stacks apply. But a
 * request can then loop between the services, and a failure of one reaches every other in
 * the cycle, so the synth warns of each cycle and `infra:diff` names the change that closes one.
 */

/** A call from a service to another: [caller, callee]. */
export type CallEdge = readonly [caller: string, callee: string];

/**
 * One cycle per group of services that reach each other (a strongly connected component
 * of two or more), as the shortest way round from its first service by name:
 * `["a", "b", "a"]`. Sorted by that first service; the same edges always give the same cycles.
 */
export function dependencyCycles(edges: Iterable<CallEdge>): string[][] {
  const graph = graphOf(edges);
  return stronglyConnected(graph)
    .filter((group) => group.length > 1)
    .map((group) => {
      const start = [...group].sort()[0]!;
      const members = new Set(group);
      // The shortest way from the start back to it: through the callee whose way back is shortest.
      const callees = [...(graph.get(start) ?? [])].filter((callee) => callee !== start && members.has(callee)).sort();
      const ways = callees.map((callee) => shortestPath(graph, callee, start, members)!);
      const way = ways.reduce((best, path) => (path.length < best.length ? path : best));
      return [start, ...way];
    })
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/**
 * The cycle that the call `caller -> callee` closes in `edges` (which hold it): the shortest
 * way from the callee back to the caller, as `[caller, callee, ..., caller]`; undefined when
 * the callee never reaches the caller.
 */
export function cycleClosedBy(edges: Iterable<CallEdge>, caller: string, callee: string): string[] | undefined {
  const way = shortestPath(graphOf(edges), callee, caller);
  return way === undefined ? undefined : [caller, ...way];
}

/** A cycle as a message writes it: `a -> b -> a`. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(" -> ");
}

function graphOf(edges: Iterable<CallEdge>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [caller, callee] of edges) {
    if (!graph.has(callee)) graph.set(callee, new Set());
    graph.set(caller, (graph.get(caller) ?? new Set()).add(callee));
  }
  return graph;
}

/** The path from `from` to `to` with the fewest calls, both ends included (alphabetical on a tie); undefined when there is none. */
function shortestPath(
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  from: string,
  to: string,
  within?: ReadonlySet<string>,
): string[] | undefined {
  if (from === to) return [to];
  const previous = new Map<string, string>([[from, from]]);
  let frontier = [from];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const node of frontier)
      for (const callee of [...(graph.get(node) ?? [])].sort()) {
        if (previous.has(callee) || (within !== undefined && !within.has(callee))) continue;
        previous.set(callee, node);
        if (callee === to) {
          const backwards = [to];
          for (let at = node; at !== from; at = previous.get(at)!) backwards.push(at);
          return [from, ...backwards.reverse()];
        }
        next.push(callee);
      }
    frontier = next;
  }
  return undefined;
}

/** Tarjan's strongly connected components, iteratively (a long chain of calls does not overflow the stack). */
function stronglyConnected(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; callees: string[] }> = [];
    const enter = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, callees: [...(graph.get(node) ?? [])].sort() });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const callee = frame.callees.shift();
      if (callee !== undefined) {
        if (!index.has(callee)) enter(callee);
        else if (onStack.has(callee)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(callee)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const group: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          group.push(member);
        } while (member !== frame.node);
        groups.push(group);
      }
    }
  }
  return groups;
}
