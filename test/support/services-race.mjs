/**
 * Loaded with `node --import` (through NODE_OPTIONS) into a synth, to change services/
 * at one precise moment of its run, as another command doing so at that moment would:
 * when the module whose URL ends with SERVICES_RACE's `trigger` is resolved (the
 * compiled app's entry, or one service's spec file), the folder `remove` is removed or
 * the folder `copyFrom` is copied to `copyTo`. Once.
 */
import { register } from "node:module";

register("./services-race-hooks.mjs", import.meta.url, { data: JSON.parse(process.env.SERVICES_RACE ?? "{}") });
