/**
 * The errors a user meets, each with a stable code. The message says what is wrong and
 * what is accepted, and may be improved at any time; the code stays, so that tests and
 * scripts tell the errors apart by their code, not by their wording. It imports nothing:
 * every tool can load it.
 *
 * A mistake of the platform's own code (an invariant that does not hold) stays a plain
 * `Error`: no user can act on it.
 */
export const PLATFORM_ERROR_CODES = {
  SPEC_INVALID: "a service file declares something the platform cannot use",
  SERVICE_FILE_THREW: "a service file (or a module of its own it imports) threw while it was loaded",
  CONTRACT_INVALID: "a service's API contract (src/api.ts) cannot be loaded or written as OpenAPI",
  ENVIRONMENT_CONFIG_INVALID: "an environment variable of the platform has a value it cannot use",
  SERVICES_CHANGED: "services/ changed while the synth read it",
  EXTENSION_INVALID: "a file of extensions/ cannot be loaded as an extension",
  GUARDRAIL_PACK_INVALID: "a team's guardrail pack is not a valid pack",
  ADJUSTMENT_INVALID: "a team's adjustment is not a valid adjustment",
  GUARDRAIL_RULE_FAILED: "a guardrail rule threw instead of answering (a bug in the rule)",
  OUTPUT_FORMAT_UNSUPPORTED: "the synth was asked for an output the platform does not write",
  TEMPLATE_INVALID: "a template's template.json or files cannot be read or rendered",
  IMAGES_LOCK_INVALID: "images.lock.json (the digests of the pushed images) is not a lock the platform can read",
  TEMPLATE_UPDATE_REFUSED:
    "template:update cannot update a service as the repository is (no record, no commit, uncommitted changes)",
} as const;

export type PlatformErrorCode = keyof typeof PLATFORM_ERROR_CODES;

/** An error a user can act on: a stable `code`, and a message that names what to change. */
export class PlatformError extends Error {
  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Whether `error` is a platform error, with `code` when given. */
export function isPlatformError(error: unknown, code?: PlatformErrorCode): error is PlatformError {
  return error instanceof PlatformError && (code === undefined || error.code === code);
}
