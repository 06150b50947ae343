import { LINKERD_IDENTITY_ISSUER_SECRET } from "../../addons/service-mesh.js";
import type { KubernetesEnvironment } from "../../environments.js";
import type { ServiceSpec } from "../../spec/resolve.js";
import { CONNECTION_SECRET_KEYS } from "./connection-environment.js";

/** A Secret a Kubernetes stack refers to and does not create: it must exist in the environment's namespace. */
export interface ReferencedSecret {
  readonly name: string;
  /** The keys read from it, sorted. */
  readonly keys: readonly string[];
  /** Who reads it: service names, or `PostgreSQL backups`. */
  readonly readBy: readonly string[];
  /**
   * Its Kubernetes type, when it must have one (its values are then files, like PEM certificates).
   * @default undefined - an Opaque Secret of literal values
   */
  readonly type?: string;
}

/** A Secret an add-on of the environment's add-ons stack reads and nothing creates, in the add-on's namespace. */
export interface AddonSecret extends ReferencedSecret {
  readonly namespace: string;
}

/**
 * The Secrets the environment's add-ons read that the platform team makes before their
 * first deploy: when the add-ons install Linkerd, the identity issuer's `kubernetes.io/tls`
 * Secret (see `LINKERD_IDENTITY_ISSUER_SECRET`: its control plane does not start without it).
 */
export function addonSecrets(environment: KubernetesEnvironment): AddonSecret[] {
  if (!environment.kubernetes.addons.includes("linkerd")) return [];
  const { name, namespace, type, keys } = LINKERD_IDENTITY_ISSUER_SECRET;
  return [{ name, namespace, type, keys: [...keys], readBy: ["Linkerd's identity service (linkerd-control-plane)"] }];
}

/**
 * The Secrets a Kubernetes environment's stack refers to that nothing in it creates: each
 * service's `secrets` references, the Secret of each `external` backing service (read with
 * its type's connection keys), and, with backups configured and a PostgreSQL database the
 * platform runs, the object store's credentials Secret. The Secrets the operators or the
 * stack make (`<db>-app`, `<cache>-connection`, `<queue>-default-user`) and the TLS
 * Secrets cert-manager makes are not among them. Sorted by name.
 */
export function referencedSecrets(
  environment: KubernetesEnvironment,
  services: readonly Pick<ServiceSpec, "name" | "secrets" | "backingServices">[],
): ReferencedSecret[] {
  const secrets = new Map<string, { keys: Set<string>; readBy: Set<string> }>();
  const add = (name: string, keys: readonly string[], reader: string) => {
    const entry = secrets.get(name) ?? { keys: new Set<string>(), readBy: new Set<string>() };
    for (const key of keys) entry.keys.add(key);
    entry.readBy.add(reader);
    secrets.set(name, entry);
  };
  for (const spec of services) {
    for (const ref of Object.values(spec.secrets)) add(ref.secretName, [ref.key], spec.name);
    for (const resource of spec.backingServices)
      if (resource.external)
        add(resource.external.secretName, Object.values(CONNECTION_SECRET_KEYS[resource.type]), spec.name);
  }
  const backup = environment.kubernetes.backup;
  const runsPostgres = services.some((s) => s.backingServices.some((r) => r.type === "postgres" && !r.external));
  if (backup && runsPostgres)
    add(backup.credentialsSecret, ["ACCESS_KEY_ID", "ACCESS_SECRET_KEY"], "PostgreSQL backups");
  return [...secrets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { keys, readBy }]) => ({ name, keys: [...keys].sort(), readBy: [...readBy].sort() }));
}
