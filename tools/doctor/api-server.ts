import type { CheckResult } from "./check-result.js";
import type { ClusterConnection } from "./kubeconfig.js";
import { type ApiAnswer, apiMessage, getFromApiServer } from "./kubernetes-api.js";

/** The outcome of {@link checkApiServer}: its line, and whether the environment's namespace exists yet. */
export interface ApiServerCheck extends CheckResult {
  readonly namespaceExists: boolean;
}

/**
 * Whether the API server of the kubeconfig's context answers, and accepts its credentials:
 * `GET /version` (which any client may read), then `GET /api/v1/namespaces/<namespace>`,
 * which needs them. A 401 (credentials not accepted) and a 403 (accepted, but not allowed)
 * are failures of their own, each with its fix; a 404 means the namespace is not there
 * yet, which the deploy creates.
 */
export async function checkApiServer(connection: ClusterConnection, namespace: string): Promise<ApiServerCheck> {
  const where = `the API server ${connection.server} (context '${connection.context}' of ${connection.file})`;
  const failed = (line: string): ApiServerCheck => ({ ok: false, line: `cluster: ${line}`, namespaceExists: false });
  let version: string;
  try {
    const answer = await getFromApiServer(connection, "/version");
    if (answer.status === 401) return failed(refused(where, connection));
    if (answer.status !== 200 || typeof answer.body?.gitVersion !== "string")
      return failed(
        `${where} answered ${answer.status} to /version (${apiMessage(answer)}), not as a Kubernetes API server does; check the server address of the context`,
      );
    version = answer.body.gitVersion;
  } catch (error) {
    const reason = (error as Error).message;
    if (/cert|self.signed|issuer|altname/i.test(reason))
      return failed(
        `${where} answers with a TLS certificate the kubeconfig does not accept (${reason}); the kubeconfig's certificate-authority(-data) must be the CA that signed the API server's certificate, for this address: get the kubeconfig again from the cluster's admin or your cloud's 'get-credentials' command`,
      );
    return failed(
      `${where} is not reachable (${reason}); connect this machine to the cluster's network (VPN, bastion), or point KUBECONFIG and the context variable (STAGING_KUBE_CONTEXT or PRODUCTION_KUBE_CONTEXT) at a cluster it reaches`,
    );
  }
  let answer: ApiAnswer;
  try {
    answer = await getFromApiServer(connection, `/api/v1/namespaces/${namespace}`);
  } catch (error) {
    return failed(
      `${where} answered /version, then not /api/v1/namespaces/${namespace} (${(error as Error).message}); run again`,
    );
  }
  const who = `user '${connection.user}' with ${connection.credentials}`;
  switch (answer.status) {
    case 200:
      return {
        ok: true,
        line: `cluster: ${where} answers (Kubernetes ${version}); ${who} reads namespace ${namespace}`,
        namespaceExists: true,
      };
    case 404:
      return {
        ok: true,
        line: `cluster: ${where} answers (Kubernetes ${version}) and accepts ${who}; namespace ${namespace} is not there yet (the deploy creates it)`,
        namespaceExists: false,
      };
    case 401:
      return failed(refused(where, connection));
    case 403:
      return failed(
        `${where} accepts ${who} but does not allow it to read namespace ${namespace} (403: ${apiMessage(answer)}); the deploy creates and changes objects there: ask the cluster's admin for a role that allows it (for example the ClusterRole 'admin' bound in ${namespace}, and rights on namespaces and CustomResourceDefinitions), or use a context that has one`,
      );
    default:
      return failed(
        `${where} answered ${answer.status} to /api/v1/namespaces/${namespace} (${apiMessage(answer)}); check the cluster's health and run again`,
      );
  }
}

function refused(where: string, connection: ClusterConnection): string {
  return `${where} does not accept the credentials of user '${connection.user}' (${connection.credentials}; 401 Unauthorized): they have expired or are not this cluster's; get fresh ones (your cloud's 'get-credentials' command, or a new token from the cluster's admin) into ${connection.file}`;
}
