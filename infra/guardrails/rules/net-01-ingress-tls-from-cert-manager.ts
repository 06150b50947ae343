import { CERT_MANAGER_ISSUER_ANNOTATIONS, INGRESS_TYPES } from "../kubernetes-index.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asString, asStringList, asStringMap, block, blocks, isUnresolved, show } from "../values.js";

const SECRET_TYPES = ["kubernetes_secret_v1", "kubernetes_secret"];

const FIX =
  'give the Ingress a tls block naming each of its hosts and a secret_name, and the annotation "cert-manager.io/cluster-issuer" (the platform sets it from <ENV>_CLUSTER_ISSUER), so that cert-manager creates that Secret';

/**
 * NET-01 (error): every Ingress (each one takes traffic from outside the cluster) serves
 * its hosts over TLS, from a certificate something creates: a `tls` block covers each
 * rule's host and names a Secret, and either a cert-manager issuer annotation makes
 * cert-manager create that Secret, or the stack itself defines it. An Ingress that names
 * a Secret nothing creates serves the ingress controller's self-signed default.
 * Anchor: cert-manager ingress-shim; checkov CKV_K8S (Ingress TLS).
 */
export const ingressTlsFromCertManager: ResourceRule = {
  id: "NET-01",
  level: "error",
  scope: "resource",
  checks: "Ingresses serve each host over TLS from a Secret cert-manager (issuer annotation) or the stack creates",
  anchor: "cert-manager ingress-shim",
  appliesTo: ofTypes(INGRESS_TYPES),
  check(resource, context) {
    const index = context.stack.kubernetes;
    const spec = block(resource.values.spec);
    const problems = new Problems();
    const tls = blocks(spec?.tls);
    if (tls.length === 0) {
      problems.add("has no tls block, so its hosts are served over plain HTTP", FIX);
      return problems.outcome();
    }
    const covered = new Set(tls.flatMap((t) => asStringList(t.hosts)));
    for (const rule of blocks(spec?.rule)) {
      const host = rule.host;
      if (isUnresolved(host)) problems.unresolved("rule host", host, "give the host as a literal");
      else if (asString(host) === undefined)
        problems.add("a rule has no host, so it answers for any name, which no certificate covers", FIX);
      else if (!covered.has(host as string))
        problems.add(`host ${show(host)} is in no tls block, so it is served over plain HTTP`, FIX);
    }
    const annotations = asStringMap(block(resource.values.metadata)?.annotations) ?? {};
    const issuer = CERT_MANAGER_ISSUER_ANNOTATIONS.map((key) => annotations[key]).find((v) => v !== undefined);
    if (issuer !== undefined && isUnresolved(issuer)) {
      problems.unresolved("the cert-manager issuer annotation", issuer, "name the issuer as a literal");
      return problems.outcome();
    }
    const namespace = index.namespaceOf(resource);
    for (const [position, entry] of tls.entries()) {
      const secretName = entry.secret_name;
      if (asString(secretName) === undefined) {
        problems.add(`tls block ${position + 1} names no secret_name, so no certificate is served for it`, FIX);
        continue;
      }
      if (issuer !== undefined && issuer !== "") continue;
      const name = index.resolveName(secretName);
      if (name === undefined || namespace === undefined) {
        problems.unresolved("tls secret_name or metadata.namespace", secretName, "give both as literals");
        continue;
      }
      const made = SECRET_TYPES.flatMap((type) => context.stack.ofType(type)).some(
        (secret) => index.nameOf(secret) === name && index.namespaceOf(secret) === namespace,
      );
      if (!made)
        problems.add(
          `tls names Secret "${name}", which nothing creates: the Ingress has no cert-manager issuer annotation (${CERT_MANAGER_ISSUER_ANNOTATIONS.join(" or ")}) and the stack defines no such Secret in namespace "${namespace}"`,
          FIX,
        );
    }
    return problems.outcome();
  },
};
