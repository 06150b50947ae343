import { BlockList, isIP } from "node:net";

type Variables = Readonly<Record<string, string | undefined>>;

/**
 * The proxy variable that applies to a request to `url`, as Go's `ProxyFromEnvironment`
 * reads them, which terraform and kubectl (client-go) both use: HTTPS_PROXY or https_proxy
 * for an https URL, HTTP_PROXY or http_proxy for an http one; none for localhost and
 * loopback addresses, nor for a host NO_PROXY (or no_proxy) covers. The doctor's checks
 * connect directly, so where a proxy applies they cannot tell what terraform or kubectl
 * would see, and say so instead of failing.
 *
 * @returns the variable's name (`HTTPS_PROXY`), or undefined when the request goes direct.
 */
export function proxyVariableFor(url: URL, variables: Variables): string | undefined {
  const names = url.protocol === "https:" ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"];
  const name = names.find((n) => variables[n]);
  if (!name) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return coveredByNoProxy(host, port, variables.NO_PROXY || variables.no_proxy || "") ? undefined : name;
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** NO_PROXY as Go reads it: `*`, hosts, `.domain` or `domain` (with its subdomains), each with an optional port, and CIDR ranges. */
function coveredByNoProxy(host: string, port: string, noProxy: string): boolean {
  return noProxy
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true;
      if (entry.includes("/")) {
        const [network, prefix] = entry.split("/") as [string, string];
        const family = isIP(network);
        if (family === 0 || isIP(host) !== family) return false;
        const range = new BlockList();
        range.addSubnet(network, Number(prefix), family === 4 ? "ipv4" : "ipv6");
        return range.check(host, family === 4 ? "ipv4" : "ipv6");
      }
      const withPort = /^(.*):(\d+)$/.exec(entry);
      const [name, entryPort] = withPort && isIP(entry) !== 6 ? [withPort[1]!, withPort[2]] : [entry, undefined];
      if (entryPort !== undefined && entryPort !== port) return false;
      const domain = name.replace(/^\*?\./, "");
      return host === domain || host.endsWith(`.${domain}`);
    });
}
