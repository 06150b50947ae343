import type { DiscoveredService } from "./catalogue.js";
import { type ExposeEnvironment, resolveExpose } from "./resolve.js";
import { formatValue, type SpecProblem } from "./spec-error.js";

/** An environment as the host check sees it: what resolving its `expose` needs. */
export type HostEnvironment = ExposeEnvironment;

/** One environment's public host of one service, and the field of the service file that gives it. */
interface HostClaim {
  readonly environment: string;
  readonly file: string;
  readonly field: string;
}

/**
 * Two environments that serve one public host: an Ingress of each on the same name, so
 * DNS and the certificate can point at only one of them, and the other environment's
 * traffic lands in it (staging answering for production). Only Kubernetes environments
 * claim a host: a Docker environment publishes public services on 127.0.0.1 and has no
 * Ingress. Each clash is reported in the file and field that give the host, naming both
 * environments (and the other file when two services clash).
 */
export function hostClashesAcrossEnvironments(
  discovered: readonly DiscoveredService[],
  environments: readonly HostEnvironment[],
): SpecProblem[] {
  const claims = new Map<string, HostClaim[]>();
  for (const environment of environments) {
    if (environment.target !== "kubernetes") continue;
    for (const service of discovered) {
      const override = service.definition.environments?.[environment.name]?.expose;
      const expose = resolveExpose(service.definition, override, environment);
      if (expose.kind !== "public") continue;
      const field =
        override !== undefined ? `environments.${environment.name}.expose.public.host` : "expose.public.host";
      const claim = { environment: environment.name, file: service.file, field };
      claims.set(expose.host, [...(claims.get(expose.host) ?? []), claim]);
    }
  }
  const order = environments.map((e) => e.name);
  const problems = new Map<string, SpecProblem>();
  for (const [host, all] of claims) {
    for (const claim of all) {
      for (const other of all.filter((o) => o.environment !== claim.environment)) {
        const pair = [claim.environment, other.environment].sort((a, b) => order.indexOf(a) - order.indexOf(b));
        const by = other.file === claim.file ? "" : ` (${other.environment}'s by ${other.file})`;
        const message = `is the public host of both ${pair[0]} and ${pair[1]}${by}: two environments may not serve one host (DNS and the certificate name one Ingress, and the other environment's traffic would reach it); give each environment its own host, like environments.${pair[0]}.expose.public.host = "${pair[0]}.${host}"`;
        problems.set(`${claim.file}|${claim.field}|${message}`, {
          file: claim.file,
          field: claim.field,
          value: formatValue(host),
          message,
        });
      }
    }
  }
  return [...problems.values()];
}
