import { ENVIRONMENT_NAMES } from "../../infra/environments.js";
import { BadInputError } from "./checkouts.js";

/** Output formats. */
export const FORMATS = ["markdown", "json", "text"] as const;
/** An output format. */
export type Format = (typeof FORMATS)[number];

/** What the user asked for. */
export interface InfraDiffOptions {
  readonly help: boolean;
  /** The git ref to compare against. */
  readonly base?: string;
  /** The git ref to review. @default undefined - the working tree */
  readonly head?: string;
  /** @default "markdown" */
  readonly format: Format;
  /** Where to write. @default undefined - standard output */
  readonly output?: string;
  /** Plan files (`terraform show -json`) by environment. */
  readonly plans: ReadonlyMap<string, string>;
  /** Reuse (and keep) the synthesized output of committed revisions. @default true */
  readonly cache: boolean;
}

/** The usage text of `npm run infra:diff -- --help`. */
export const USAGE = `Usage: npm run infra:diff -- --base <git-ref> [--head <git-ref>] [--format markdown|json|text]
                            [--output FILE] [--plan <env>=<file> ...]

Synthesizes the base revision (in a temporary git worktree that reuses the installed
node_modules, or in the working tree when it holds exactly that commit) and the head
(default: the working tree, uncommitted changes included), both at once and once when
both have the same files, compares every environment's stack resource by resource and
attribute by attribute, and reports per service what changes, risks first: destroys and
replacements, security relaxations (weakened settings, new guardrail suppressions),
network widening (new edges, external egress, public endpoints) and capacity (cpu and
memory at min and max replicas). No cloud credentials are needed.

Options:
  --base <git-ref>      the revision to compare against: a branch, tag or commit (origin/main)
  --head <git-ref>      the revision to review instead of the working tree
  --format <format>     markdown (default: pull request comments, each part under 65,536
                        characters and starting with <!-- infra-diff part i/n -->),
                        json (for tools; shape in README.md) or text
  --output <file>       write to this file instead of standard output
  --plan <env>=<file>   take <env>'s actions from a Terraform plan
                        (terraform show -json <planfile> > <file>); repeatable; with
                        --plan only, --base may be left out
  --no-cache            synthesize committed revisions again instead of reusing the stacks
                        kept in .git/infra-diff-cache/ by earlier runs
  -h, --help            this text

Exit status: 0 no change, 1 changes, 2 bad input (unknown ref, a synth that fails on
either side, a worktree that cannot be made, an unreadable plan).`;

const ENVIRONMENT_NAME = /^[a-z][-a-z0-9]*$/;

/** Parses the command line (without `node` and the script). */
export function parseArguments(argv: readonly string[]): InfraDiffOptions {
  let help = false;
  let base: string | undefined;
  let head: string | undefined;
  let format: Format = "markdown";
  let output: string | undefined;
  let cache = true;
  const plans = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    const [flag, inline] =
      argument.startsWith("--") && argument.includes("=")
        ? [argument.slice(0, argument.indexOf("=")), argument.slice(argument.indexOf("=") + 1)]
        : [argument, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === "") throw new BadInputError(`${flag} needs a value; see --help`);
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        help = true;
        break;
      case "--no-cache":
        cache = false;
        break;
      case "--base":
        base = value();
        break;
      case "--head":
        head = value();
        break;
      case "--format": {
        const given = value();
        if (!(FORMATS as readonly string[]).includes(given))
          throw new BadInputError(`--format: "${given}" is not a format; accepted: ${FORMATS.join(", ")}`);
        format = given as Format;
        break;
      }
      case "--output":
        output = value();
        break;
      case "--plan": {
        const given = value();
        const separator = given.indexOf("=");
        const environment = given.slice(0, separator);
        const file = given.slice(separator + 1);
        if (separator <= 0 || file === "" || !ENVIRONMENT_NAME.test(environment)) {
          throw new BadInputError(
            `--plan: "${given}" is not <env>=<file>; for example --plan staging=staging-plan.json`,
          );
        }
        if (!(ENVIRONMENT_NAMES as readonly string[]).includes(environment))
          throw new BadInputError(
            `--plan ${given}: unknown environment "${environment}"; accepted: ${ENVIRONMENT_NAMES.join(", ")}`,
          );
        if (plans.has(environment)) throw new BadInputError(`--plan: environment "${environment}" is given twice`);
        plans.set(environment, file);
        break;
      }
      default:
        throw new BadInputError(`unknown argument "${argument}"; see --help`);
    }
  }
  if (!help && base === undefined && plans.size === 0)
    throw new BadInputError(
      "give --base <git-ref> (the revision to compare against), or --plan <env>=<file>; see --help",
    );
  if (!help && head !== undefined && base === undefined) throw new BadInputError("--head needs --base <git-ref>");
  return { help, base, head, format, output, plans, cache };
}
