import { manifestObjectsOf } from "./crd-validators.js";
import type { StackJson } from "./platform.js";

/** The objects of one Istio kind in a stack (`AuthorizationPolicy`), by `metadata.name`. */
export function istioObjects(stack: StackJson, kind: string): Map<string, Record<string, any>> {
  return new Map(
    manifestObjectsOf(stack)
      .filter(({ manifest }) => String(manifest.apiVersion).includes(".istio.io/") && manifest.kind === kind)
      .map(({ manifest }) => [manifest.metadata.name as string, manifest]),
  );
}

/** The service a principal names (`cluster.local/ns/<namespace>/sa/<service>`), or the principal when it names none in `namespace`. */
export function serviceOfPrincipal(principal: string, namespace: string): string {
  const prefix = `cluster.local/ns/${namespace}/sa/`;
  return principal.startsWith(prefix) ? principal.slice(prefix.length) : principal;
}

/** Every principal an AuthorizationPolicy allows, in the order of its rules. */
export function allowedPrincipals(policy: Record<string, any>): string[] {
  return (policy.spec.rules as any[]).flatMap((rule) =>
    (rule.from ?? []).flatMap((from: any) => from.source?.principals ?? []),
  );
}
