import { ENVIRONMENT_NAMES, isEnvironmentName, type EnvironmentName } from "./environments.js";

/** What `npm run synth -- ...` was asked for. */
export type SynthRequest =
  | { readonly kind: "help" }
  | {
      readonly kind: "synth";
      /** The environments to synthesize, in deploy order: those named, or every one when none is. */
      readonly environments: readonly EnvironmentName[];
    }
  | {
      readonly kind: "refused";
      /** Why, naming the argument and what is accepted. */
      readonly problem: string;
    };

/** What the synth accepts on its command line, for messages. */
export const SYNTH_ARGUMENTS_ACCEPTED = `environment names (${ENVIRONMENT_NAMES.join(", ")}) and --help`;

/**
 * Reads the synth's command line (without node and the script): environment names, or
 * `--help` / `-h`. Anything else is refused, so that a mistyped name or option never
 * synthesizes something else than what was asked.
 */
export function parseSynthArguments(args: readonly string[]): SynthRequest {
  if (args.includes("--help") || args.includes("-h")) return { kind: "help" };
  const unknown = args.filter((arg) => !isEnvironmentName(arg));
  if (unknown.length > 0)
    return {
      kind: "refused",
      problem: `${unknown.map((arg) => JSON.stringify(arg)).join(", ")} ${unknown.length === 1 ? "is" : "are"} not accepted; accepted: ${SYNTH_ARGUMENTS_ACCEPTED}`,
    };
  const named = args.filter(isEnvironmentName);
  return {
    kind: "synth",
    environments: named.length === 0 ? ENVIRONMENT_NAMES : ENVIRONMENT_NAMES.filter((name) => named.includes(name)),
  };
}
