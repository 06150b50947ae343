import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkApiServer } from "../../../tools/doctor/api-server.js";
import { readClusterConnection } from "../../../tools/doctor/kubeconfig.js";
import {
  type KubernetesApiServerStandIn,
  startKubernetesApiServer,
  writeKubeconfig,
} from "../../support/kubernetes-api-server.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
let sandbox: string;
let apiServer: KubernetesApiServerStandIn;

beforeAll(async () => {
  sandbox = folder("doctor-api-server-");
  apiServer = await startKubernetesApiServer(sandbox, {
    token: "deployer-token",
    forbiddenToken: "reader-token",
    namespaces: ["platform-staging"],
  });
});
afterAll(() => apiServer.close());

/** The connection of a kubeconfig for the stand-in with this user entry (and its CA unless `ca` is false). */
async function connect(name: string, user: Record<string, unknown>, ca = true) {
  const file = writeKubeconfig(path.join(sandbox, name), {
    server: apiServer.url,
    context: "staging",
    ca: ca ? apiServer.ca : undefined,
    user,
  });
  return readClusterConnection(file, "staging", { HOME: sandbox, PATH: process.env.PATH });
}

describe("checkApiServer", () => {
  it("GIVEN the kubeconfig's token is the cluster's WHEN checked THEN the API server answers and the namespace is read", async () => {
    const connection = await connect("ok", { token: "deployer-token" });
    const result = await checkApiServer(connection, "platform-staging");
    expect(result).toEqual({
      ok: true,
      line: `cluster: the API server ${apiServer.url} (context 'staging' of ${connection.file}) answers (Kubernetes v1.31.4); user 'deployer' with a bearer token reads namespace platform-staging`,
      namespaceExists: true,
    });
    expect(apiServer.requests.slice(-2)).toEqual(["/version", "/api/v1/namespaces/platform-staging"]);
  });

  it("GIVEN a namespace not made yet WHEN checked THEN it passes, saying the deploy creates it", async () => {
    const result = await checkApiServer(await connect("new", { token: "deployer-token" }), "platform-production");
    expect(result.ok).toBe(true);
    expect(result.namespaceExists).toBe(false);
    expect(result.line).toContain(
      "answers (Kubernetes v1.31.4) and accepts user 'deployer' with a bearer token; namespace platform-production is not there yet (the deploy creates it)",
    );
  });

  it("GIVEN a token file WHEN checked THEN its token is sent", async () => {
    writeFileSync(path.join(sandbox, "token"), "deployer-token\n");
    const result = await checkApiServer(await connect("token-file", { tokenFile: "token" }), "platform-staging");
    expect(result.ok, result.line).toBe(true);
    expect(result.line).toContain(`user 'deployer' with the token file ${path.join(sandbox, "token")} reads`);
  });

  it("GIVEN a client certificate the cluster's CA signed, and one it did not WHEN checked THEN the first is let in, the second refused", async () => {
    const { cert, key } = apiServer.issueClientCertificate("deployer");
    const signed = await connect("client-cert", {
      "client-certificate-data": Buffer.from(cert).toString("base64"),
      "client-key-data": Buffer.from(key).toString("base64"),
    });
    const result = await checkApiServer(signed, "platform-staging");
    expect(result.ok, result.line).toBe(true);
    expect(result.line).toContain("user 'deployer' with a client certificate reads namespace platform-staging");

    const other = await startKubernetesApiServer(folder("doctor-other-ca-"), { token: "t" });
    await other.close();
    const foreign = other.issueClientCertificate("deployer");
    const unsigned = await connect("foreign-cert", {
      "client-certificate-data": Buffer.from(foreign.cert).toString("base64"),
      "client-key-data": Buffer.from(foreign.key).toString("base64"),
    });
    const refused = await checkApiServer(unsigned, "platform-staging");
    expect(refused.ok).toBe(false);
    expect(refused.line).toContain(
      "does not accept the credentials of user 'deployer' (a client certificate; 401 Unauthorized): they have expired or are not this cluster's",
    );
  });

  it("GIVEN a token the cluster does not know WHEN checked THEN the 401 is its own failure: fresh credentials", async () => {
    const connection = await connect("expired", { token: "expired-token" });
    const result = await checkApiServer(connection, "platform-staging");
    expect(result.ok).toBe(false);
    expect(result.line).toBe(
      `cluster: the API server ${apiServer.url} (context 'staging' of ${connection.file}) does not accept the credentials of user 'deployer' (a bearer token; 401 Unauthorized): they have expired or are not this cluster's; get fresh ones (your cloud's 'get-credentials' command, or a new token from the cluster's admin) into ${connection.file}`,
    );
  });

  it("GIVEN a user the cluster knows but allows nothing WHEN checked THEN the 403 is its own failure: a role", async () => {
    const result = await checkApiServer(await connect("reader", { token: "reader-token" }), "platform-staging");
    expect(result.ok).toBe(false);
    expect(result.line).toContain(
      `accepts user 'deployer' with a bearer token but does not allow it to read namespace platform-staging (403: namespaces "platform-staging" is forbidden: User "system:serviceaccount:ci:reader" cannot get resource "namespaces" in API group ""); the deploy creates and changes objects there: ask the cluster's admin for a role`,
    );
  });

  it("GIVEN a kubeconfig without the cluster's CA WHEN checked THEN the certificate is refused, not called unreachable, and the fix names the CA", async () => {
    const result = await checkApiServer(await connect("no-ca", { token: "deployer-token" }, false), "platform-staging");
    expect(result.ok).toBe(false);
    expect(result.line).toMatch(
      /answers with a TLS certificate the kubeconfig does not accept \(.*self-signed certificate.*\); the kubeconfig's certificate-authority/,
    );
  });

  it("GIVEN an API server nobody listens for WHEN checked THEN it is unreachable, naming the context and kubeconfig", async () => {
    const closed = await startKubernetesApiServer(folder("doctor-closed-"), { token: "t" });
    await closed.close();
    const file = writeKubeconfig(path.join(sandbox, "closed"), {
      server: closed.url,
      context: "staging",
      ca: closed.ca,
      user: { token: "t" },
    });
    const result = await checkApiServer(await readClusterConnection(file, "staging", {}), "platform-staging");
    expect(result.line).toBe(
      `cluster: the API server ${closed.url} (context 'staging' of ${file}) is not reachable (connect ECONNREFUSED ${closed.url.slice("https://".length)}); connect this machine to the cluster's network (VPN, bastion), or point KUBECONFIG and the context variable (STAGING_KUBE_CONTEXT or PRODUCTION_KUBE_CONTEXT) at a cluster it reaches`,
    );
    expect(result.ok).toBe(false);
  });
});
