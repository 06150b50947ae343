/** The module hooks of services-race.mjs (they run in node's hooks thread). */
import { cpSync, rmSync } from "node:fs";

let race = {};
let done = false;

export function initialize(data) {
  race = data;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!done && race.trigger && resolved.url.endsWith(race.trigger)) {
    done = true;
    if (race.remove) rmSync(race.remove, { recursive: true, force: true });
    if (race.copyFrom) cpSync(race.copyFrom, race.copyTo, { recursive: true });
  }
  return resolved;
}
