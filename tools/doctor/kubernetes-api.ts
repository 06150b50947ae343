import http from "node:http";
import https from "node:https";
import type { ClusterConnection } from "./kubeconfig.js";

/** How long the doctor waits for each answer of the API server. */
const TIMEOUT_MS = 5000;

/** One answer of the API server: its status and JSON body (a `Status` object on failure). */
export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

/** The API server's own words of a failed answer (its `Status.message`), or the status code. */
export function apiMessage(answer: ApiAnswer): string {
  const message = answer.body?.message;
  return typeof message === "string" && message !== "" ? message : `HTTP ${answer.status}`;
}

/**
 * GETs `apiPath` from the API server with the connection's CA and credentials, as kubectl
 * would. Rejects, in a few words, when no answer comes (refused, unresolved, a certificate
 * that is not the CA's, no answer within 5 s).
 */
export function getFromApiServer(connection: ClusterConnection, apiPath: string): Promise<ApiAnswer> {
  const url = new URL(connection.server + apiPath);
  const headers: Record<string, string> = { accept: "application/json" };
  if (connection.token) headers.authorization = `Bearer ${connection.token}`;
  else if (connection.basic)
    headers.authorization = `Basic ${Buffer.from(`${connection.basic.username}:${connection.basic.password}`).toString("base64")}`;
  const secure = url.protocol === "https:";
  const options: https.RequestOptions = {
    method: "GET",
    headers,
    timeout: TIMEOUT_MS,
    ...(secure
      ? {
          ca: connection.ca,
          cert: connection.clientCertificate,
          key: connection.clientKey,
          rejectUnauthorized: !connection.insecure,
          servername: connection.serverName,
          agent: false,
        }
      : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(url, options, (response) => {
      let text = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        let body: Record<string, unknown> | undefined;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message,
        ),
      ),
    );
    request.end();
  });
}
