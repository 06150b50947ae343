import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { KubeconfigProblem, readClusterConnection } from "../../../tools/doctor/kubeconfig.js";
import { writeKubeconfig } from "../../support/kubernetes-api-server.js";
import { scratchFolders } from "../../support/scratch.js";

const { folder } = scratchFolders();
let sandbox: string;
beforeAll(() => {
  sandbox = folder("doctor-kubeconfig-");
});

/** A kubeconfig for https://127.0.0.1:6443 with this user entry. */
function kubeconfig(name: string, user: Record<string, unknown>): string {
  return writeKubeconfig(path.join(sandbox, name), { server: "https://127.0.0.1:6443", context: "staging", user });
}

/** What `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection, but it resolved");
    },
    (error: Error) => error,
  );
}

/** An executable shell script in the sandbox. */
function script(name: string, body: string): string {
  const file = path.join(sandbox, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe("readClusterConnection", () => {
  it("GIVEN an exec plugin that prints an ExecCredential WHEN read THEN its token is the credential, and it was run with KUBERNETES_EXEC_INFO and its env", async () => {
    script(
      "get-token",
      `[ "$1" = "--cluster" ] && [ "$CLUSTER_ENV" = "staging" ] && echo "$KUBERNETES_EXEC_INFO" | grep -q '"interactive":false' || exit 3\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin"}}'`,
    );
    const file = kubeconfig("exec", {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: "./get-token",
        args: ["--cluster", "staging"],
        env: [{ name: "CLUSTER_ENV", value: "staging" }],
      },
    });
    const connection = await readClusterConnection(file, "staging", { PATH: process.env.PATH });
    expect(connection.token).toBe("from-plugin");
    expect(connection.credentials).toBe("the exec plugin ./get-token");
  });

  it("GIVEN an exec plugin that fails WHEN read THEN the problem names it, its message, and how to see why", async () => {
    script("needs-login", `echo "error: not logged in; run 'cloud login'" >&2\nexit 1`);
    const file = kubeconfig("exec-fails", { exec: { command: "./needs-login", args: ["token"] } });
    const error = await rejection(readClusterConnection(file, "staging", { PATH: process.env.PATH }));
    expect(error).toBeInstanceOf(KubeconfigProblem);
    expect((error as Error).message).toBe(
      "has an exec plugin './needs-login' that failed (error: not logged in; run 'cloud login'); run the exec command of user 'deployer' yourself to see why (it may need a login first)",
    );
  });

  it("GIVEN an exec plugin with a secret in its args that fails silently, or prints to stderr WHEN read THEN the problem names the command and the user, its exit code or stderr line, and never the secret", async () => {
    script("oidc-login", "exit 1");
    script("oidc-login-says", `echo "error: invalid_client" >&2\nexit 7`);
    const args = ["get-token", "--oidc-client-secret=S3CR3T"];
    const silent = await rejection(
      readClusterConnection(kubeconfig("exec-secret", { exec: { command: "./oidc-login", args } }), "staging", {}),
    );
    const says = await rejection(
      readClusterConnection(
        kubeconfig("exec-secret-says", { exec: { command: "./oidc-login-says", args } }),
        "staging",
        {},
      ),
    );
    expect(silent.message).toBe(
      "has an exec plugin './oidc-login' that failed (exit 1); run the exec command of user 'deployer' yourself to see why (it may need a login first)",
    );
    expect(says.message).toBe(
      "has an exec plugin './oidc-login-says' that failed (error: invalid_client); run the exec command of user 'deployer' yourself to see why (it may need a login first)",
    );
    expect(`${silent.message}\n${says.message}`).not.toContain("S3CR3T");
  });

  it("GIVEN an exec plugin not on PATH WHEN read THEN the problem says to install it", async () => {
    const file = kubeconfig("exec-missing", { exec: { command: "gke-gcloud-auth-plugin" } });
    const error = await rejection(readClusterConnection(file, "staging", { PATH: sandbox }));
    expect((error as Error).message).toBe(
      "has an exec plugin 'gke-gcloud-auth-plugin' that is not on PATH; install it",
    );
  });

  it("GIVEN a plain http:// server WHEN its user has a token, or no credentials THEN the token is refused naming the cluster, the server and what is accepted, and the user without is read", async () => {
    const file = (name: string, user: Record<string, unknown>): string =>
      writeKubeconfig(path.join(sandbox, name), { server: "http://10.0.0.1:8080", context: "staging", user });
    const error = await rejection(readClusterConnection(file("http-token", { token: "abc" }), "staging", {}));
    expect(error).toBeInstanceOf(KubeconfigProblem);
    expect(error.message).toBe(
      "has cluster 'cluster' with the server http://10.0.0.1:8080, which is plain http, and user 'deployer' with credentials (token) that would cross the network in cleartext; accepted: an https:// server (the cluster's TLS address, usually port 6443 or 443), or a user without credentials",
    );
    const anonymous = await readClusterConnection(file("http-anonymous", {}), "staging", {});
    expect([anonymous.server, anonymous.credentials]).toEqual(["http://10.0.0.1:8080", "no credentials"]);
  });

  it("GIVEN client certificate files named relative to the kubeconfig WHEN read THEN both are read from its folder", async () => {
    writeFileSync(path.join(sandbox, "client.crt"), "CERT");
    writeFileSync(path.join(sandbox, "client.key"), "KEY");
    const connection = await readClusterConnection(
      kubeconfig("client-cert", { "client-certificate": "client.crt", "client-key": "client.key" }),
      "staging",
      {},
    );
    expect([connection.clientCertificate?.toString(), connection.clientKey?.toString()]).toEqual(["CERT", "KEY"]);
    expect(connection.credentials).toBe("a client certificate");
    const missing = await rejection(
      readClusterConnection(
        kubeconfig("client-cert-missing", { "client-certificate": "gone.crt", "client-key": "client.key" }),
        "staging",
        {},
      ),
    );
    expect((missing as Error).message).toBe(
      `names client-certificate ${path.join(sandbox, "gone.crt")}, which does not exist`,
    );
  });

  it("GIVEN a context whose cluster is not in the file, or an auth-provider user WHEN read THEN each is a problem that says what to do", async () => {
    const file = path.join(sandbox, "no-cluster");
    writeFileSync(file, "contexts:\n- name: staging\n  context: {cluster: gone, user: u}\n");
    expect((await rejection(readClusterConnection(file, "staging", {}))).message).toBe(
      "names cluster 'gone', which its clusters do not have",
    );
    const legacy = kubeconfig("auth-provider", { "auth-provider": { name: "gcp" } });
    expect((await rejection(readClusterConnection(legacy, "staging", {}))).message).toContain(
      "with an auth-provider, which the doctor cannot use",
    );
  });
});
