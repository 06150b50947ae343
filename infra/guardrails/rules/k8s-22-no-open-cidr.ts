import { KUBERNETES_TYPES } from "../kubernetes-index.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { block, blocks, isUnresolved } from "../values.js";

/** A CIDR with a /0 prefix: every address. */
function isEveryAddress(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}

/**
 * K8S-22 (error): no NetworkPolicy rule allows an `ip_block` of every address
 * (0.0.0.0/0 or ::/0), in or out: name the peers by selector, or the external networks
 * by their own CIDRs (the spec's `egress`).
 * Anchor: tfsec kubernetes network-no-public-ingress / network-no-public-egress.
 */
export const noOpenCidr: ResourceRule = {
  id: "K8S-22",
  level: "error",
  scope: "resource",
  checks: "no NetworkPolicy ip_block allows 0.0.0.0/0 or ::/0",
  anchor: "tfsec network-no-public-ingress, network-no-public-egress",
  appliesTo: ofTypes(KUBERNETES_TYPES.networkPolicy),
  check(resource) {
    const spec = block(resource.values.spec);
    const problems = new Problems();
    for (const [direction, peers] of [["ingress", "from"], ["egress", "to"]] as const) {
      blocks(spec?.[direction]).forEach((rule, ruleIndex) => {
        for (const peer of blocks(rule[peers])) {
          const cidr = block(peer.ip_block)?.cidr;
          if (isUnresolved(cidr)) problems.unresolved(`${direction}[${ruleIndex}].${peers}.ip_block.cidr`, cidr, "give the CIDR as a literal");
          else if (typeof cidr === "string" && isEveryAddress(cidr)) {
            problems.add(`${direction} rule ${ruleIndex + 1} allows ip_block ${cidr}: every address on the internet`, direction === "ingress" ? "let traffic in by pod or namespace selector (dependsOn), or from the ingress controller" : "declare the external networks the service calls by their own CIDRs (the spec's egress)");
          }
        }
      });
    }
    return problems.outcome();
  },
};
