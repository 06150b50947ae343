import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";

type Variables = Readonly<Record<string, string | undefined>>;

/** How to reach one cluster's API server and who to be there, read from a kubeconfig context. */
export interface ClusterConnection {
  /** The kubeconfig file it was read from. */
  readonly file: string;
  readonly context: string;
  /** The context's user entry, as lines name it. */
  readonly user: string;
  /** The API server's base URL (`https://10.0.0.1:6443`). */
  readonly server: string;
  /** The CA that signs the API server's certificate; undefined: the system's CAs. */
  readonly ca?: Buffer;
  /** `insecure-skip-tls-verify`: the API server's certificate is not verified. */
  readonly insecure: boolean;
  /** `tls-server-name`: the name the certificate is checked against instead of the server's host. */
  readonly serverName?: string;
  /** `proxy-url`: the proxy kubectl and the Terraform provider reach the API server through; undefined: none set there. */
  readonly proxyUrl?: string;
  readonly token?: string;
  readonly clientCertificate?: Buffer;
  readonly clientKey?: Buffer;
  readonly basic?: { readonly username: string; readonly password: string };
  /** How the credentials were found, for lines: `a bearer token`, `the exec plugin aws`. */
  readonly credentials: string;
}

/** Why a context's connection could not be read, with what to do. */
export class KubeconfigProblem extends Error {}

type Entry = Record<string, unknown>;

/** The kubeconfig file `configPath` names, `~/` expanded as the provider does. */
export function kubeconfigFile(configPath: string, variables: Variables): string {
  return configPath.startsWith("~/") ? path.join(variables.HOME ?? os.homedir(), configPath.slice(2)) : configPath;
}

/**
 * Reads what `context` of the kubeconfig `file` says about its cluster (server, CA, TLS
 * options) and user (a token or token file, a client certificate and key, a username and
 * password, or an exec plugin, which is run as kubectl runs it), resolving relative file
 * paths against the kubeconfig's folder as kubectl does. Throws a {@link KubeconfigProblem}.
 */
export async function readClusterConnection(
  file: string,
  context: string,
  variables: Variables,
): Promise<ClusterConnection> {
  const folder = path.dirname(path.resolve(file));
  const config = (parseYaml(readFileSync(file, "utf8")) ?? {}) as Entry;
  const named = (list: string, name: string, inner: string): Entry | undefined => {
    const entries = (Array.isArray(config[list]) ? config[list] : []) as Entry[];
    return entries.find((e) => e.name === name)?.[inner] as Entry | undefined;
  };
  const contextEntry = named("contexts", context, "context");
  const clusterName = String(contextEntry?.cluster ?? "");
  const userName = String(contextEntry?.user ?? "");
  const cluster = clusterName ? named("clusters", clusterName, "cluster") : undefined;
  if (!cluster)
    throw new KubeconfigProblem(
      clusterName
        ? `names cluster '${clusterName}', which its clusters do not have`
        : "names no cluster (its 'context.cluster' is empty)",
    );
  const server = typeof cluster.server === "string" ? cluster.server : "";
  if (!/^https?:\/\//.test(server))
    throw new KubeconfigProblem(`has cluster '${clusterName}' without an https:// server (${JSON.stringify(server)})`);
  const user = (userName ? named("users", userName, "user") : undefined) ?? {};
  const credentialFields = ["token", "tokenFile", "password", "client-key", "client-key-data", "exec"];
  const sent = credentialFields.filter((field) => user[field] !== undefined && user[field] !== "");
  if (server.startsWith("http://") && sent.length > 0)
    throw new KubeconfigProblem(
      `has cluster '${clusterName}' with the server ${server}, which is plain http, and user '${userName}' with credentials (${sent.join(", ")}) that would cross the network in cleartext; accepted: an https:// server (the cluster's TLS address, usually port 6443 or 443), or a user without credentials`,
    );
  const fromFile = (entry: Entry, field: string): Buffer | undefined => {
    const value = entry[field];
    if (typeof value !== "string" || value === "") return undefined;
    const resolved = path.resolve(folder, value);
    if (!existsSync(resolved)) throw new KubeconfigProblem(`names ${field} ${resolved}, which does not exist`);
    return readFileSync(resolved);
  };
  const fromData = (entry: Entry, field: string): Buffer | undefined => {
    const value = entry[field];
    return typeof value === "string" && value !== "" ? Buffer.from(value, "base64") : undefined;
  };
  const base = {
    file,
    context,
    user: userName || "(none)",
    server: server.replace(/\/+$/, ""),
    ca: fromData(cluster, "certificate-authority-data") ?? fromFile(cluster, "certificate-authority"),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    serverName: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
    proxyUrl:
      typeof cluster["proxy-url"] === "string" && cluster["proxy-url"] !== "" ? cluster["proxy-url"] : undefined,
  };
  const clientCertificate = fromData(user, "client-certificate-data") ?? fromFile(user, "client-certificate");
  const clientKey = fromData(user, "client-key-data") ?? fromFile(user, "client-key");
  if (typeof user.token === "string" && user.token !== "")
    return { ...base, token: user.token, credentials: "a bearer token" };
  if (typeof user.tokenFile === "string" && user.tokenFile !== "") {
    const token = fromFile(user, "tokenFile")!.toString("utf8").trim();
    return { ...base, token, credentials: `the token file ${path.resolve(folder, user.tokenFile)}` };
  }
  if (clientCertificate && clientKey)
    return { ...base, clientCertificate, clientKey, credentials: "a client certificate" };
  if (typeof user.username === "string" && typeof user.password === "string")
    return {
      ...base,
      basic: { username: user.username, password: user.password },
      credentials: `the password of ${user.username}`,
    };
  if (user.exec && typeof user.exec === "object")
    return { ...base, ...(await runExecPlugin(user.exec as Entry, userName || "(none)", folder, variables)) };
  if (user["auth-provider"])
    throw new KubeconfigProblem(
      `has user '${userName}' with an auth-provider, which the doctor cannot use (kubectl 1.26 and the Terraform provider neither); use your cloud's exec plugin instead (for example gke-gcloud-auth-plugin, kubelogin)`,
    );
  return { ...base, credentials: "no credentials" };
}

/** How long an exec plugin may take to print its credential. */
const EXEC_TIMEOUT_MS = 30_000;

/**
 * Runs a kubeconfig `exec` credential plugin as kubectl does, not interactively: the
 * command (a relative path with a `/` is relative to the kubeconfig's folder), its args
 * and env, with KUBERNETES_EXEC_INFO; its stdout is an ExecCredential whose `status`
 * holds a token or a client certificate and key.
 */
function runExecPlugin(
  exec: Entry,
  user: string,
  folder: string,
  variables: Variables,
): Promise<Pick<ClusterConnection, "token" | "clientCertificate" | "clientKey" | "credentials">> {
  const command = String(exec.command ?? "");
  const program = command.includes("/") ? path.resolve(folder, command) : command;
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const extra = Array.isArray(exec.env) ? (exec.env as Entry[]) : [];
  const apiVersion = String(exec.apiVersion ?? "client.authentication.k8s.io/v1");
  const env: NodeJS.ProcessEnv = {
    ...variables,
    ...Object.fromEntries(extra.map((e) => [String(e.name), String(e.value ?? "")])),
    KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { interactive: false } }),
  };
  // Lines reach CI logs: name the command and the user, never its args or Node's error.message, which repeats them (`--client-secret=...`).
  const rerun = `run the exec command of user '${user}' yourself to see why (it may need a login first)`;
  return new Promise((resolve, reject) => {
    execFile(program, args, { env, timeout: EXEC_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        const failure = error as NodeJS.ErrnoException & { code?: string | number; signal?: string | null };
        const why =
          failure.code === "ENOENT"
            ? `is not on PATH; install it`
            : `failed (${stderr.trim().split("\n")[0] || exitOf(failure)}); ${rerun}`;
        return reject(new KubeconfigProblem(`has an exec plugin '${command}' that ${why}`));
      }
      let status: Entry | undefined;
      try {
        status = (JSON.parse(stdout) as { status?: Entry }).status;
      } catch {
        return reject(
          new KubeconfigProblem(`has an exec plugin '${command}' that printed no ExecCredential; ${rerun}`),
        );
      }
      const credentials = `the exec plugin ${command}`;
      if (typeof status?.token === "string" && status.token !== "")
        return resolve({ token: status.token, credentials });
      if (typeof status?.clientCertificateData === "string" && typeof status.clientKeyData === "string")
        return resolve({
          clientCertificate: Buffer.from(status.clientCertificateData),
          clientKey: Buffer.from(status.clientKeyData),
          credentials,
        });
      reject(
        new KubeconfigProblem(
          `has an exec plugin '${command}' whose ExecCredential has no token or client certificate; ${rerun}`,
        ),
      );
    });
  });
}

/** How a failed plugin ended, without its command line: `exit 1`, `killed by SIGTERM`. */
function exitOf(failure: { code?: string | number; signal?: string | null }): string {
  if (typeof failure.code === "number") return `exit ${failure.code}`;
  if (failure.signal) return `killed by ${failure.signal}`;
  return typeof failure.code === "string" ? failure.code : "no exit code";
}
