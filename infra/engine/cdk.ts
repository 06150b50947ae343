/**
 * The one module that imports the CDK for Terraform core. CDKTF 0.21 is its final
 * release; a move to its community continuation changes the import below and the
 * provider imports in `targets/<target>/resources.ts`, nothing else.
 */
import { createRequire } from "node:module";
import type * as Cdktf from "cdktf";
import type * as CdktfTokens from "cdktf/lib/_tokens.js";
import type * as CdktfUtil from "cdktf/lib/util.js";
import type * as CdktfSynthesizer from "cdktf/lib/synthesize/synthesizer.js";
import type * as CdktfErrors from "cdktf/lib/errors.js";
import type * as CdktfVersionValidation from "cdktf/lib/validations/validate-terraform-version.js";
import type * as CdktfProviderValidation from "cdktf/lib/validations/validate-provider-presence.js";

/**
 * Loads a CommonJS module with `require`. cdktf and the provider packages are CommonJS;
 * imported from an ES module, node first scans each of their files (and every file they
 * re-export) for export names. `require` skips that scan: about 0.15 s of CPU and 30 MB
 * less on every synth, with the very same classes.
 */
export const requireCommonJs = createRequire(import.meta.url);

const cdktf = requireCommonJs("cdktf") as typeof Cdktf;
export const {
  App,
  Annotations,
  Aspects,
  GcsBackend,
  LocalBackend,
  PgBackend,
  S3Backend,
  TerraformBackend,
  TerraformDataSource,
  TerraformElement,
  TerraformOutput,
  TerraformRemoteState,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
  Token,
} = cdktf;
export type App = Cdktf.App;
export type Annotations = Cdktf.Annotations;
export type Aspects = Cdktf.Aspects;
export type GcsBackend = Cdktf.GcsBackend;
export type LocalBackend = Cdktf.LocalBackend;
export type PgBackend = Cdktf.PgBackend;
export type S3Backend = Cdktf.S3Backend;
export type TerraformBackend = Cdktf.TerraformBackend;
export type TerraformDataSource = Cdktf.TerraformDataSource;
export type TerraformElement = Cdktf.TerraformElement;
export type TerraformOutput = Cdktf.TerraformOutput;
export type TerraformRemoteState = Cdktf.TerraformRemoteState;
export type TerraformResource = Cdktf.TerraformResource;
export type TerraformStack = Cdktf.TerraformStack;
export type TerraformVariable = Cdktf.TerraformVariable;
export type Testing = Cdktf.Testing;
export type Token = Cdktf.Token;
export type { IAspect, ISynthesisSession } from "cdktf";
// Internal helpers of cdktf 0.21 (a final release, so they no longer move), used by
// EngineStack.render to synthesize with one resolution pass instead of two.
export const resolveTokens = (requireCommonJs("cdktf/lib/_tokens.js") as typeof CdktfTokens).resolve;
export const deepMerge = (requireCommonJs("cdktf/lib/util.js") as typeof CdktfUtil).deepMerge;
// Internals of cdktf 0.21's stack synthesis, used by PlatformStackSynthesizer, which
// does the same steps but writes cdk.tf.json with its own serializer.
const cdktfSynthesizer = requireCommonJs("cdktf/lib/synthesize/synthesizer.js") as typeof CdktfSynthesizer;
export const { StackSynthesizer, invokeAspects } = cdktfSynthesizer;
export type StackSynthesizer = CdktfSynthesizer.StackSynthesizer;
export const { encounteredAnnotationWithLevelError } = requireCommonJs("cdktf/lib/errors.js") as typeof CdktfErrors;
export const { ValidateTerraformVersion } = requireCommonJs(
  "cdktf/lib/validations/validate-terraform-version.js",
) as typeof CdktfVersionValidation;
const { ValidateProviderPresence } = requireCommonJs(
  "cdktf/lib/validations/validate-provider-presence.js",
) as typeof CdktfProviderValidation;

/** cdktf 0.21's token map (`cdktf/lib/tokens/private/token-map.js`), as far as {@link forgetTokensFrom} reads it. */
interface TokenRegistry {
  tokenCounter: number;
  readonly stringTokenMap: Map<string, unknown>;
  readonly numberTokenMap: Map<number, unknown>;
}

function tokenRegistry(): TokenRegistry {
  return (
    requireCommonJs("cdktf/lib/tokens/private/token-map.js") as { TokenMap: { instance(): unknown } }
  ).TokenMap.instance() as TokenRegistry;
}

/** The number of the next token cdktf registers: a mark for {@link forgetTokensFrom}. */
export function nextTokenNumber(): number {
  return tokenRegistry().tokenCounter;
}

/**
 * Forgets every token cdktf registered from the mark `first` on. cdktf keeps each token
 * it ever encoded (every attribute reference, every lazy value) in one global map, for
 * the life of the process, and a token holds the construct it refers to: a stack's
 * whole construct tree stays in memory after it is synthesized. Only for tokens no
 * later synthesis can meet (a stack that references no other stack, forgotten after
 * its own synthesis): resolving a forgotten token fails loudly ("Unrecognized Token Key").
 * cdktf also remembers a token's encoded string on the token object itself: an object that
 * outlives one environment (a module-level `Lazy`, `Token` or `Fn` value) and is first
 * encoded during that environment's synth would be left with a forgotten key. infra/ keeps
 * no such value; keep it that way, or encode it before the first synth.
 */
export function forgetTokensFrom(first: number): void {
  const registry = tokenRegistry();
  for (const key of registry.numberTokenMap.keys()) if (key >= first) registry.numberTokenMap.delete(key);
  for (const key of registry.stringTokenMap.keys()) {
    // String keys end with the token's number: "<display hint>.<number>".
    if (Number(key.slice(key.lastIndexOf(".") + 1)) >= first) registry.stringTokenMap.delete(key);
  }
}

/**
 * Empties what cdktf's provider check of `stack` collected at its last validation. The
 * check (`ValidateProviderPresence`, added to every stack) keeps each provider it
 * found, and through it the provider's whole construct tree, until it runs again.
 * It runs again from scratch at the next validation; until then it holds nothing.
 */
export function forgetValidatedProviders(stack: TerraformStack): void {
  // constructs 10 keeps a node's validations in this private field; it has no reader.
  const validations = (stack.node as unknown as { _validations?: unknown[] })._validations ?? [];
  for (const validation of validations) {
    if (!(validation instanceof ValidateProviderPresence)) continue;
    const collected = validation as unknown as { foundProviders: unknown[]; providerNames: Set<string> };
    collected.foundProviders.length = 0;
    collected.providerNames.clear();
  }
}

/**
 * Runs `build` while cdktf's tokens record no creation stack trace.
 *
 * cdktf captures a full stack trace for every token it creates (each output reference
 * of every provider resource: about 160 per service), only to quote it if that token
 * later fails to resolve. Capturing and formatting those traces took a third of the
 * synth time and half its memory. cdktf captures them on plain objects; real errors
 * (Error instances) keep their stack. Set PLATFORM_TOKEN_TRACES=1 to get the token
 * traces back when debugging a resolution error.
 */
export function withoutTokenTraces<T>(build: () => T): T {
  if (process.env.PLATFORM_TOKEN_TRACES === "1") return build();
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = (target: object, constructorOpt?: (...args: never[]) => unknown) => {
    if (target instanceof Error) capture(target, constructorOpt);
  };
  try {
    return build();
  } finally {
    Error.captureStackTrace = capture;
  }
}
