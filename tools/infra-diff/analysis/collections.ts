/** Small helpers over sets and maps that the analysis uses in every section. */

/** True when both sets hold the same items. */
export function setsEqual(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** The items grouped by a key, in the order they come. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The inner map of `key`, created empty on first use. */
export function mapOf<K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

/** `on 443/TCP, 8080/TCP` for a list of ports; nothing when every port is allowed. */
export function portsSuffix(ports: ReadonlySet<string> | readonly string[]): string {
  const list = [...ports];
  return list.length === 0 || (list.length === 1 && list[0] === "all") ? "" : ` on ${list.join(", ")}`;
}
