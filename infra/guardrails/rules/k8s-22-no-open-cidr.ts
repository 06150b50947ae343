import { EGRESS_CIDR_ACCEPTED, egressCidrRefusal, WIDEST_EGRESS_PREFIX } from "../../spec/egress-cidr.js";
import { KUBERNETES_TYPES } from "../kubernetes-index.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, blocks, isUnresolved, show } from "../values.js";

/**
 * K8S-22 (error): no NetworkPolicy rule allows an `ip_block` of every address
 * (0.0.0.0/0 or ::/0), in or out, nor one the spec's `egress` would refuse: wider than
 * /8, host bits set, or overlapping loopback, link-local or a cloud metadata address
 * (the same rules, from `infra/spec/egress-cidr.ts`). Name the peers by selector, or the
 * external networks by their own CIDRs (the spec's `egress`). An IPv6 CIDR other than
 * ::/0 is reported as unverifiable: the platform checks IPv4 ranges only.
 * Anchor: tfsec kubernetes network-no-public-ingress / network-no-public-egress.
 */
export const noOpenCidr: ResourceRule = {
  id: "K8S-22",
  level: "error",
  scope: "resource",
  checks: `no NetworkPolicy ip_block allows 0.0.0.0/0 or ::/0, a prefix wider than /${WIDEST_EGRESS_PREFIX}, host bits, loopback, link-local or a metadata address`,
  anchor: "tfsec network-no-public-ingress, network-no-public-egress",
  appliesTo: ofTypes(KUBERNETES_TYPES.networkPolicy),
  check(resource) {
    const spec = block(resource.values.spec);
    const problems = new Problems();
    for (const [direction, peers] of [
      ["ingress", "from"],
      ["egress", "to"],
    ] as const) {
      blocks(spec?.[direction]).forEach((rule, ruleIndex) => {
        for (const peer of blocks(rule[peers])) {
          const cidr = block(peer.ip_block)?.cidr;
          if (isUnresolved(cidr)) {
            problems.unresolved(
              `${direction}[${ruleIndex}].${peers}.ip_block.cidr`,
              cidr,
              "give the CIDR as a literal",
            );
            continue;
          }
          if (typeof cidr !== "string") continue;
          const allows = `${direction} rule ${ruleIndex + 1} allows ip_block`;
          const fix =
            direction === "ingress"
              ? "let traffic in by pod or namespace selector (dependsOn), or from the ingress controller"
              : "declare the external networks the service calls by their own CIDRs (the spec's egress)";
          const refusal = egressCidrRefusal(cidr);
          if (refusal?.kind === "every-address") problems.add(`${allows} ${cidr}: every address on the internet`, fix);
          else if (refusal?.kind === "refused")
            problems.add(`${allows} ${cidr}, which ${refusal.clause}`, `${fix}; accepted: ${EGRESS_CIDR_ACCEPTED}`);
          else if (refusal?.kind === "not-ipv4")
            problems.unverifiable(
              `${allows} ${show(cidr)}, which is not an IPv4 CIDR, so its range cannot be checked`,
              "give IPv4 CIDRs (the spec's egress)",
            );
        }
      });
    }
    return problems.outcome();
  },
};
