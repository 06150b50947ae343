import type { ReferencedSecret } from "../../infra/targets/kubernetes/referenced-secrets.js";
import type { CheckResult } from "./check-result.js";
import type { ClusterConnection } from "./kubeconfig.js";
import { type ApiAnswer, apiMessage, getFromApiServer } from "./kubernetes-api.js";

/**
 * `kubectl create secret generic` for one Secret, its values left for the user to fill in:
 * literals, or files for a Secret of a given type (its PEM certificates and key).
 */
export function createSecretCommand(secret: ReferencedSecret, namespace: string, ensureNamespace = false): string {
  // An add-on's namespace may not be there before the add-ons' first deploy, which needs the Secret.
  const first = ensureNamespace
    ? `kubectl create namespace ${namespace} --dry-run=client -o yaml | kubectl apply -f - && `
    : "";
  if (secret.type !== undefined) {
    const files = secret.keys.map((key) => `--from-file=${key}=...`).join(" ");
    return `${first}kubectl create secret generic ${secret.name} -n ${namespace} --type=${secret.type} ${files}`;
  }
  const literals = secret.keys.map((key) => `--from-literal=${key}=...`).join(" ");
  return `${first}kubectl create secret generic ${secret.name} -n ${namespace} ${literals}`;
}

/**
 * Whether each Secret the specs refer to is in the environment's namespace with the keys
 * read from it (`GET /api/v1/namespaces/<namespace>/secrets/<name>`): a pod whose Secret
 * or key is missing never starts (CreateContainerConfigError), and the deploy waits for
 * it in vain. Before the first deploy the namespace is not there: the line then says
 * which Secrets to create as soon as the deploy has made it, and is no failure.
 * @param ensureNamespace the fix of a missing Secret makes its namespace first when it is not
 * there (an add-on's Secret, needed before the deploy that would make the namespace)
 * @default ensureNamespace false
 */
export async function checkReferencedSecrets(
  connection: ClusterConnection,
  namespace: string,
  namespaceExists: boolean,
  secrets: readonly ReferencedSecret[],
  ensureNamespace = false,
): Promise<CheckResult> {
  if (secrets.length === 0)
    return { ok: true, line: "secrets: the specs refer to no Secret the stack does not create" };
  const names = secrets.map((s) => s.name).join(", ");
  if (!namespaceExists)
    return {
      ok: true,
      line: `secrets: namespace ${namespace} is not there yet, so neither are ${names}: the services that read them start once they exist; right after the deploy creates the namespace: ${secrets.map((s) => createSecretCommand(s, namespace)).join("; ")}`,
    };
  const problems: string[] = [];
  const commands: string[] = [];
  for (const secret of secrets) {
    let answer: ApiAnswer;
    try {
      answer = await getFromApiServer(connection, `/api/v1/namespaces/${namespace}/secrets/${secret.name}`);
    } catch (error) {
      return {
        ok: false,
        line: `secrets: the API server did not answer for ${secret.name} (${(error as Error).message}); run again`,
      };
    }
    if (answer.status === 404) {
      problems.push(`${secret.name} (read by ${secret.readBy.join(", ")}) is not in ${namespace}`);
      commands.push(createSecretCommand(secret, namespace, ensureNamespace));
    } else if (answer.status === 403)
      return {
        ok: false,
        line: `secrets: user '${connection.user}' may not read Secrets in ${namespace} (403: ${apiMessage(answer)}); the deploy writes Secrets there too: ask the cluster's admin for a role that allows it`,
      };
    else if (answer.status !== 200)
      return {
        ok: false,
        line: `secrets: the API server answered ${answer.status} for ${secret.name} (${apiMessage(answer)}); run again`,
      };
    else {
      const data = (answer.body?.data ?? {}) as Record<string, unknown>;
      const lacking = secret.keys.filter((key) => !(key in data));
      if (lacking.length > 0) {
        problems.push(
          `${secret.name} in ${namespace} lacks the key${lacking.length > 1 ? "s" : ""} ${lacking.join(", ")} (read by ${secret.readBy.join(", ")})`,
        );
        commands.push(
          `kubectl patch secret ${secret.name} -n ${namespace} --type merge -p '{"stringData":{${lacking.map((k) => `"${k}":"..."`).join(",")}}}'`,
        );
      }
    }
  }
  if (problems.length === 0)
    return { ok: true, line: `secrets: ${names} in ${namespace}, with the keys the specs read` };
  return {
    ok: false,
    line: `secrets: ${problems.join("; ")}; the pods that read them would never start: ${commands.join("; ")}`,
  };
}
