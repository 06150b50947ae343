import type { CheckResult } from "./check-result.js";
import { describeProvider, type TerraformProviderRequirement } from "../../infra/targets/terraform-providers.js";

/** The origin registry of every provider the stacks require. */
export const DEFAULT_PROVIDER_REGISTRY = "https://registry.terraform.io";

/** How long the doctor waits for each answer of the registry. */
const TIMEOUT_MS = 5000;

/** What to do without the registry: the README's section on a provider mirror. */
export const MIRROR_FIX =
  "set PLATFORM_PROVIDER_MIRROR to a provider mirror folder made with 'terraform providers mirror' on a machine that reaches it (README.md: \"Without the provider registry\")";

/**
 * Asks the provider registry at `base` what `terraform init` asks it (the provider registry
 * protocol): its discovery document `/.well-known/terraform.json` for the `providers.v1`
 * base, then `<providers.v1><namespace>/<type>/versions` for each provider, whose
 * `versions` must list the version the stacks pin.
 */
export async function checkProviderRegistry(
  base: string,
  providers: readonly TerraformProviderRequirement[],
): Promise<CheckResult> {
  const needed = providers.map(describeProvider).join(", ");
  const unreachable = (reason: string): CheckResult => ({
    ok: false,
    line: `providers: the provider registry ${base} is not reachable (${reason}), so terraform init cannot install ${needed}; give this machine access to it, or ${MIRROR_FIX}`,
  });
  let providersBase: URL;
  try {
    const discovery = await getJson(new URL("/.well-known/terraform.json", base));
    const path = (discovery as Record<string, unknown> | undefined)?.["providers.v1"];
    if (typeof path !== "string") return unreachable("its /.well-known/terraform.json names no providers.v1 service");
    providersBase = new URL(path.endsWith("/") ? path : `${path}/`, base);
  } catch (error) {
    return unreachable((error as Error).message);
  }
  const lacking: string[] = [];
  for (const provider of providers) {
    let listed: unknown;
    try {
      listed = await getJson(new URL(`${provider.namespace}/${provider.type}/versions`, providersBase));
    } catch (error) {
      return unreachable(`${provider.namespace}/${provider.type}: ${(error as Error).message}`);
    }
    const versions = (listed as { versions?: Array<{ version?: unknown }> } | undefined)?.versions ?? [];
    if (!versions.some((v) => v.version === provider.version)) lacking.push(describeProvider(provider));
  }
  if (lacking.length > 0)
    return {
      ok: false,
      line: `providers: the provider registry ${base} does not list ${lacking.join(", ")}; terraform init would fail on it; ${MIRROR_FIX}`,
    };
  return { ok: true, line: `providers: the provider registry ${base} lists ${needed}` };
}

/** GETs `url` as JSON within the timeout; the error says what happened in a few words. */
async function getJson(url: URL): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    if ((error as Error).name === "TimeoutError") throw new Error(`no answer within ${TIMEOUT_MS / 1000} s`);
    throw new Error(cause?.message ?? (error as Error).message);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url.pathname} answered ${response.status}`);
  }
  try {
    return await response.json();
  } catch {
    throw new Error(`${url.pathname} did not answer JSON`);
  }
}
