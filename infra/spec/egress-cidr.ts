/**
 * What an egress CIDR may be: one module read by the spec schema (a spec's `egress`)
 * and by guardrail K8S-22 (every `ip_block` in the synthesized JSON), so the two can
 * never disagree.
 */

/**
 * The widest prefix an egress CIDR may have. A /8 is one whole private network
 * (10.0.0.0/8) or one large provider's block; anything wider is a slice of the internet,
 * and a few wide slices together (0.0.0.0/1 + 128.0.0.0/1) are all of it.
 */
export const WIDEST_EGRESS_PREFIX = 8;

/** An address range no egress may reach, and what it is. */
export interface RefusedRange {
  readonly cidr: string;
  readonly what: string;
}

/**
 * Ranges no egress may overlap, most specific first so a message names the worst one.
 * The metadata endpoints hand out the node's or task's cloud credentials to any pod that
 * can reach them; loopback and link-local are never a real external peer.
 */
export const REFUSED_EGRESS_RANGES: readonly RefusedRange[] = [
  {
    cidr: "169.254.169.254/32",
    what: "the cloud metadata endpoint (AWS, GCP, Azure), which hands out the node's credentials",
  },
  { cidr: "169.254.170.2/32", what: "the AWS ECS task metadata endpoint, which hands out task credentials" },
  { cidr: "100.100.100.200/32", what: "the Alibaba Cloud metadata endpoint, which hands out the node's credentials" },
  { cidr: "127.0.0.0/8", what: "loopback" },
  { cidr: "0.0.0.0/8", what: "'this network', never a peer" },
  { cidr: "169.254.0.0/16", what: "link-local addresses" },
];

/** What an egress CIDR must be, for messages. */
export const EGRESS_CIDR_ACCEPTED = `an IPv4 CIDR like 203.0.113.0/24, /${WIDEST_EGRESS_PREFIX} or narrower, with no host bits set, outside 0.0.0.0/8, loopback (127.0.0.0/8), link-local (169.254.0.0/16) and the cloud metadata addresses (169.254.169.254, 169.254.170.2, 100.100.100.200)`;

/**
 * Why a CIDR is refused:
 * - `every-address`: a /0 of any family (`0.0.0.0/0`, `::/0`);
 * - `not-ipv4`: not an IPv4 CIDR, so its range is unknown here;
 * - `refused`: an IPv4 CIDR that is too wide, has host bits set or overlaps a refused range.
 * `clause` says why, to follow the CIDR ("10.0.0.1/8 has host bits set ...").
 */
export type EgressCidrRefusal =
  | { readonly kind: "every-address" | "not-ipv4" }
  | { readonly kind: "refused"; readonly clause: string };

/** An IPv4 CIDR, read. */
export interface Ipv4Range {
  /** First address, as an unsigned 32-bit number. */
  readonly first: number;
  readonly last: number;
  readonly prefix: number;
  /** The address as written, host bits and all. */
  readonly address: number;
}

/** An octet as Kubernetes (Go's net.ParseCIDR) reads one: 0 to 255, no leading zero. */
const OCTET = String.raw`(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
/** `a.b.c.d/n` exactly: no space around it, no leading zero, a prefix of 0 to 32. */
const IPV4_CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}\\/(3[0-2]|[12]?\\d)$`);

/** Reads `a.b.c.d/n` as Kubernetes reads it; undefined when it is not one. */
export function parseIpv4Cidr(text: string): Ipv4Range | undefined {
  const match = IPV4_CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1, prefix, address };
}

/** True when `outer` holds every address of `inner`. */
export function rangeContains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

function renderIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

const REFUSED_RANGES_PARSED = REFUSED_EGRESS_RANGES.map((range) => ({ ...range, ...parseIpv4Cidr(range.cidr)! }));

/** Why this CIDR may not be an egress (or ingress) peer; undefined when it may. */
export function egressCidrRefusal(cidr: string): EgressCidrRefusal | undefined {
  if (/\/0$/.test(cidr.trim())) return { kind: "every-address" };
  // Checked as written, for it is written as it is: a space or a leading zero that this
  // check let through would fail the apply instead.
  const range = parseIpv4Cidr(cidr);
  if (!range) return { kind: "not-ipv4" };
  if (range.address !== range.first)
    return { kind: "refused", clause: `has host bits set (its network is ${renderIpv4(range.first)}/${range.prefix})` };
  if (range.prefix < WIDEST_EGRESS_PREFIX)
    return {
      kind: "refused",
      clause: `is wider than /${WIDEST_EGRESS_PREFIX} (${range.last - range.first + 1} addresses)`,
    };
  const overlapped = REFUSED_RANGES_PARSED.find(
    (refused) => range.first <= refused.last && refused.first <= range.last,
  );
  if (overlapped) return { kind: "refused", clause: `overlaps ${overlapped.cidr}, ${overlapped.what}` };
  return undefined;
}
