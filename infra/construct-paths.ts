/**
 * Construct paths are API: `<env>/<target>/<service>/<concern>/<resource>` for a
 * service's resources, `<env>/<target>/platform/...` for the environment's own. The
 * guardrail report and the infrastructure diff group resources by these paths.
 */

/** The construct id of an environment's shared resources (a reserved service name). */
export const PLATFORM_CONSTRUCT_ID = "platform";

/** Which service a resource belongs to, from its construct path; undefined for the platform's own. */
export function serviceOfPath(constructPath: string): string | undefined {
  const segments = constructPath.split("/");
  if (segments.length < 4) return undefined;
  const owner = segments[2];
  return owner === PLATFORM_CONSTRUCT_ID || owner === "provider" ? undefined : owner;
}
