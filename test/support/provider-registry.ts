import http from "node:http";
import type { AddressInfo } from "node:net";
import { terraformProviders } from "../../infra/targets/terraform-providers.js";

/** A loopback stand-in for registry.terraform.io (see `startProviderRegistry`). */
export interface ProviderRegistryStandIn {
  /** Its base URL, for DOCTOR_PROVIDER_REGISTRY. */
  readonly url: string;
  /** The paths it was asked for, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** Every provider a stack of the platform may require, as the provider packages pin them. */
const ALL_PROVIDERS = [
  ...terraformProviders("docker", [{ backingServices: [{ type: "postgres" }] as never }]),
  ...terraformProviders("kubernetes", []),
];

/**
 * Answers as the provider registry protocol says registry.terraform.io does: its discovery
 * document at `/.well-known/terraform.json` (`{"providers.v1":"/v1/providers/"}`), and at
 * `/v1/providers/<namespace>/<type>/versions` the versions it has, which are the pinned
 * ones of every provider the platform uses, except those `lacking` ("hashicorp/random").
 * Anything else is a 404.
 */
export async function startProviderRegistry(
  options: { lacking?: readonly string[] } = {},
): Promise<ProviderRegistryStandIn> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const url = request.url ?? "";
    requests.push(url);
    const json = (body: unknown) =>
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (url === "/.well-known/terraform.json") return json({ "providers.v1": "/v1/providers/" });
    const versions = /^\/v1\/providers\/([^/]+)\/([^/]+)\/versions$/.exec(url);
    const known = ALL_PROVIDERS.filter(
      (p) =>
        versions &&
        p.namespace === versions[1] &&
        p.type === versions[2] &&
        !options.lacking?.includes(`${p.namespace}/${p.type}`),
    );
    if (versions && known.length > 0)
      return json({
        versions: known.map((p) => ({
          version: p.version,
          protocols: ["5.0"],
          platforms: [{ os: "linux", arch: "amd64" }],
        })),
      });
    response.writeHead(404, { "content-type": "application/json" }).end('{"errors":["Not Found"]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
