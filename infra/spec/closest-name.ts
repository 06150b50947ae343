/**
 * The accepted name a given one is a near miss of (`memroy` for `memory`, `Memory` for
 * `memory`, `tcp` for `TCP`, `kye` for `key`), or undefined when none is close: at most
 * one edit for each three letters of the given name, and one for a name of up to five
 * letters (so `abc` suggests no `xyz`), counted without case. An edit is a letter added,
 * removed or replaced, or two neighbouring letters swapped. A tie goes to the first
 * accepted name, so a message is the same on every run.
 */
export function closestName(given: string, accepted: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  const allowed = Math.max(1, Math.floor(given.length / 3));
  let best: { name: string; edits: number } | undefined;
  for (const name of accepted) {
    if (name === given) continue;
    const edits = editsBetween(lower, name.toLowerCase());
    if (edits <= allowed && (best === undefined || edits < best.edits)) best = { name, edits };
  }
  return best?.name;
}

/**
 * The fewest edits that turn `a` into `b`: letters added, removed or replaced, and two
 * neighbouring letters swapped, each one edit (the optimal string alignment distance).
 * Written here, not taken from a package: Levenshtein's distance (fastest-levenshtein)
 * counts a swap as two edits, and a swap is the most common slip (`kye` for `key`).
 */
export function editsBetween(a: string, b: string): number {
  // Three rows of the table: the one before the previous, the previous, the current.
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const replaced = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      let edits = Math.min(previous[j]! + 1, current[j - 1]! + 1, replaced);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) edits = Math.min(edits, before[j - 2]! + 1);
      current.push(edits);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The tail of a message that lists what is accepted, led by the near miss when there is
 * one: `; did you mean "memory"? accepted: cpu, memory, limits`, else `; accepted: cpu, memory, limits`.
 * @param what @default "accepted" - what the list is, like `known services`
 */
export function acceptedNames(given: string, accepted: readonly string[], what = "accepted"): string {
  const closest = closestName(given, accepted);
  const listed = `${what}: ${accepted.join(", ") || "(none)"}`;
  return closest === undefined ? `; ${listed}` : `; did you mean ${JSON.stringify(closest)}? ${listed}`;
}
