import { distance } from "fastest-levenshtein";

/**
 * The accepted name a given one is a near miss of (`memroy` for `memory`, `Memory` for
 * `memory`, `tcp` for `TCP`), or undefined when none is close: at most one edit in three
 * letters, and two edits for any name longer than two letters (a swap of two letters is
 * two edits), counted without case. A tie goes to the first accepted
 * name, so a message is the same on every run.
 */
export function closestName(given: string, accepted: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  const allowed = given.length <= 2 ? 1 : Math.max(2, Math.floor(given.length / 3));
  let best: { name: string; edits: number } | undefined;
  for (const name of accepted) {
    if (name === given) continue;
    const edits = distance(lower, name.toLowerCase());
    if (edits <= allowed && (best === undefined || edits < best.edits)) best = { name, edits };
  }
  return best?.name;
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
