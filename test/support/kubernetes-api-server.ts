import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import path from "node:path";
import { stringify } from "yaml";
import { type ClusterConnection, readClusterConnection } from "../../tools/doctor/kubeconfig.js";

/** A loopback stand-in for a cluster's API server (see `startKubernetesApiServer`). */
export interface KubernetesApiServerStandIn {
  /** Its base URL, `https://127.0.0.1:<port>`, for a kubeconfig's `server`. */
  readonly url: string;
  /** The self-signed certificate it serves (PEM), which is its own CA. */
  readonly ca: string;
  /**
   * A client certificate and key (PEM) for user `name`, signed by the stand-in's CA: the
   * stand-in lets its holder in as it does the allowed token's.
   */
  issueClientCertificate(name: string): { cert: string; key: string };
  /** The paths it was asked for, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** What the stand-in's cluster holds and whom it lets in. */
export interface KubernetesApiServerOptions {
  /** The bearer token of a user allowed everything. */
  readonly token: string;
  /** A bearer token it knows, of a user allowed nothing but `/version`. */
  readonly forbiddenToken?: string;
  readonly namespaces?: readonly string[];
  /** CustomResourceDefinition names (`servicemonitors.monitoring.coreos.com`). */
  readonly crds?: readonly string[];
  /** Secrets by `<namespace>/<name>`, with their keys' values. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A self-signed certificate for 127.0.0.1 and its key, made by the `openssl` CLI in `folder`. */
export function selfSignedCertificate(folder: string): { cert: string; key: string } {
  const cert = path.join(folder, "apiserver.crt");
  const key = path.join(folder, "apiserver.key");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=kube-apiserver"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
}

/**
 * Answers over HTTPS as a Kubernetes API server does, for the paths the doctor asks:
 * `/version` to anyone with no token or a known one; with the allowed token, a namespace
 * (`/api/v1/namespaces/<ns>`), a Secret in it (`.../secrets/<name>`, its `data` base64
 * encoded) and a CRD (`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/<name>`),
 * 404 with a `Status` when absent. An unknown token gets 401 on every path; the forbidden
 * token and no token (`system:anonymous`) get 403 on all but `/version`. A client
 * certificate its CA signed (see `issueClientCertificate`) is let in as the allowed token is; one it did not sign gets 401.
 */
export async function startKubernetesApiServer(
  folder: string,
  options: KubernetesApiServerOptions,
): Promise<KubernetesApiServerStandIn> {
  const { cert, key } = selfSignedCertificate(folder);
  const issueClientCertificate = (name: string) => {
    const [clientKey, request, clientCert] = ["key", "csr", "crt"].map((ext) =>
      path.join(folder, `client-${name}.${ext}`),
    );
    execFileSync(
      "openssl",
      [
        ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", clientKey!, "-out", request!, "-subj", `/CN=${name}`],
      ],
      { stdio: "ignore" },
    );
    execFileSync(
      "openssl",
      [
        ...["x509", "-req", "-in", request!, "-CA", path.join(folder, "apiserver.crt")],
        ...["-CAkey", path.join(folder, "apiserver.key"), "-CAcreateserial", "-out", clientCert!, "-days", "1"],
      ],
      { stdio: "ignore" },
    );
    return { cert: readFileSync(clientCert!, "utf8"), key: readFileSync(clientKey!, "utf8") };
  };
  const requests: string[] = [];
  const server = https.createServer(
    { cert, key, ca: cert, requestCert: true, rejectUnauthorized: false },
    (request, response) => {
      const url = request.url ?? "";
      requests.push(url);
      const send = (code: number, body: unknown) =>
        response.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
      const status = (code: number, reason: string, message: string) =>
        send(code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
      const authorization = request.headers.authorization;
      // A client certificate signed by its CA authenticates as the token of the allowed user does.
      const socket = request.socket as TLSSocket;
      const certified = socket.authorized;
      // As kube-apiserver's x509 authenticator: a client certificate its CA did not sign is a 401.
      const foreignCertificate = !certified && Object.keys(socket.getPeerCertificate()).length > 0;
      const token = certified
        ? options.token
        : authorization?.startsWith("Bearer ")
          ? authorization.slice("Bearer ".length)
          : undefined;
      if (
        foreignCertificate ||
        (authorization !== undefined && token !== options.token && token !== options.forbiddenToken)
      )
        return status(401, "Unauthorized", "Unauthorized");
      if (url === "/version")
        return send(200, { major: "1", minor: "31", gitVersion: "v1.31.4", platform: "linux/amd64" });
      const namespace = /^\/api\/v1\/namespaces\/([^/]+)(?:\/secrets\/([^/]+))?$/.exec(url);
      const crd = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/.exec(url);
      if (token !== options.token) {
        const user = token === undefined ? "system:anonymous" : "system:serviceaccount:ci:reader";
        const [resource, name] = namespace?.[2]
          ? ["secrets", namespace[2]]
          : namespace
            ? ["namespaces", namespace[1]]
            : ["customresourcedefinitions", crd?.[1]];
        return status(
          403,
          "Forbidden",
          `${resource} "${name}" is forbidden: User "${user}" cannot get resource "${resource}" in API group ""`,
        );
      }
      if (namespace?.[2]) {
        const data = options.secrets?.[`${namespace[1]}/${namespace[2]}`];
        if (!data) return status(404, "NotFound", `secrets "${namespace[2]}" not found`);
        return send(200, {
          kind: "Secret",
          apiVersion: "v1",
          metadata: { name: namespace[2], namespace: namespace[1] },
          type: "Opaque",
          data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
        });
      }
      if (namespace) {
        if (!options.namespaces?.includes(namespace[1]!))
          return status(404, "NotFound", `namespaces "${namespace[1]}" not found`);
        return send(200, {
          kind: "Namespace",
          apiVersion: "v1",
          metadata: { name: namespace[1] },
          status: { phase: "Active" },
        });
      }
      if (crd) {
        if (!options.crds?.includes(crd[1]!))
          return status(404, "NotFound", `customresourcedefinitions.apiextensions.k8s.io "${crd[1]}" not found`);
        return send(200, {
          kind: "CustomResourceDefinition",
          apiVersion: "apiextensions.k8s.io/v1",
          metadata: { name: crd[1] },
        });
      }
      status(404, "NotFound", "the server could not find the requested resource");
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: cert,
    issueClientCertificate,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The user entry of a kubeconfig, as kubectl reads it (`token`, `tokenFile`, `exec`, ...). */
export type KubeconfigUser = Readonly<Record<string, unknown>>;

/**
 * Writes a kubeconfig at `file` with one context `context` for the cluster at `server`
 * (its CA given as `certificate-authority-data` when `ca` is) and the user `user`.
 */
export function writeKubeconfig(
  file: string,
  options: { server: string; context: string; ca?: string; user: KubeconfigUser },
): string {
  const cluster: Record<string, unknown> = { server: options.server };
  if (options.ca) cluster["certificate-authority-data"] = Buffer.from(options.ca).toString("base64");
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": options.context,
      clusters: [{ name: "cluster", cluster }],
      users: [{ name: "deployer", user: options.user }],
      contexts: [{ name: options.context, context: { cluster: "cluster", user: "deployer" } }],
    }),
  );
  return file;
}

/**
 * The doctor's connection to `apiServer` as the bearer of `token`: through a kubeconfig
 * (context `staging`, the stand-in's CA) written in `folder`, read as the doctor reads it.
 */
export function connectWithToken(
  apiServer: KubernetesApiServerStandIn,
  folder: string,
  token: string,
): Promise<ClusterConnection> {
  const kubeconfig = writeKubeconfig(path.join(folder, `kubeconfig-${token}`), {
    server: apiServer.url,
    context: "staging",
    ca: apiServer.ca,
    user: { token },
  });
  return readClusterConnection(kubeconfig, "staging", {});
}
