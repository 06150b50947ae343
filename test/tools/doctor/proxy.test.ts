import { describe, expect, it } from "vitest";
import { proxyVariableFor } from "../../../tools/doctor/proxy.js";

const API = new URL("https://api.cluster.example:6443");

describe("proxyVariableFor", () => {
  it("GIVEN HTTPS_PROXY or https_proxy WHEN asked for an https URL THEN that variable applies, and HTTP_PROXY alone does not", () => {
    expect(proxyVariableFor(API, { HTTPS_PROXY: "http://proxy:3128" })).toBe("HTTPS_PROXY");
    expect(proxyVariableFor(API, { https_proxy: "http://proxy:3128" })).toBe("https_proxy");
    expect(proxyVariableFor(API, { HTTP_PROXY: "http://proxy:3128" })).toBeUndefined();
    expect(proxyVariableFor(new URL("http://api.cluster.example"), { HTTP_PROXY: "http://proxy:3128" })).toBe(
      "HTTP_PROXY",
    );
    expect(proxyVariableFor(API, {})).toBeUndefined();
  });

  it("GIVEN HTTPS_PROXY WHEN the host is localhost or a loopback address THEN no proxy applies, as in Go", () => {
    const proxy = { HTTPS_PROXY: "http://proxy:3128" };
    expect(proxyVariableFor(new URL("https://localhost:6443"), proxy)).toBeUndefined();
    expect(proxyVariableFor(new URL("https://127.0.0.1:6443"), proxy)).toBeUndefined();
    expect(proxyVariableFor(new URL("https://[::1]:6443"), proxy)).toBeUndefined();
  });

  it("GIVEN HTTPS_PROXY and NO_PROXY WHEN NO_PROXY covers the host (its name, a parent domain, a CIDR, *) THEN no proxy applies, and otherwise it does", () => {
    const through = (noProxy: string, url = API): string | undefined =>
      proxyVariableFor(url, { HTTPS_PROXY: "http://proxy:3128", NO_PROXY: noProxy });
    expect(through("api.cluster.example")).toBeUndefined();
    expect(through("other.example, .cluster.example")).toBeUndefined();
    expect(through("cluster.example")).toBeUndefined();
    expect(through("*")).toBeUndefined();
    expect(through("api.cluster.example:6443")).toBeUndefined();
    expect(through("10.0.0.0/8", new URL("https://10.1.2.3:6443"))).toBeUndefined();
    expect(through("api.cluster.example:443")).toBe("HTTPS_PROXY");
    expect(through("example.org,luster.example")).toBe("HTTPS_PROXY");
    expect(through("10.0.0.0/8", new URL("https://192.168.1.1:6443"))).toBe("HTTPS_PROXY");
    expect(proxyVariableFor(API, { HTTPS_PROXY: "http://proxy:3128", no_proxy: ".example" })).toBeUndefined();
  });
});
