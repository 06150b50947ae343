import type { RequiredCustomResourceDefinition } from "../../infra/targets/kubernetes/required-crds.js";
import type { CheckResult } from "./check-result.js";
import type { ClusterConnection } from "./kubeconfig.js";
import { type ApiAnswer, apiMessage, getFromApiServer } from "./kubernetes-api.js";

/**
 * Whether each CustomResourceDefinition the stack needs is in the cluster
 * (`GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/<name>`). One that is
 * missing but among `installedByAddons` (what the environment's add-ons stack installs,
 * before the service stack) is no failure: the line says the add-ons stack installs it.
 * @param installedByAddons the CRD names the add-ons stack will install
 * @default installedByAddons none - every missing CRD is a failure
 */
export async function checkCustomResourceDefinitions(
  connection: ClusterConnection,
  needed: readonly RequiredCustomResourceDefinition[],
  installedByAddons: readonly string[] = [],
): Promise<CheckResult> {
  if (needed.length === 0) return { ok: true, line: "crds: the stack needs no CustomResourceDefinition" };
  const installed: string[] = [];
  const byAddons: RequiredCustomResourceDefinition[] = [];
  const missing: RequiredCustomResourceDefinition[] = [];
  for (const crd of needed) {
    let answer: ApiAnswer;
    try {
      answer = await getFromApiServer(
        connection,
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`,
      );
    } catch (error) {
      return {
        ok: false,
        line: `crds: the API server did not answer for ${crd.name} (${(error as Error).message}); run again`,
      };
    }
    if (answer.status === 200) installed.push(crd.name);
    else if (answer.status === 404) (installedByAddons.includes(crd.name) ? byAddons : missing).push(crd);
    else if (answer.status === 403)
      return {
        ok: false,
        line: `crds: user '${connection.user}' may not read CustomResourceDefinitions (403: ${apiMessage(answer)}), which terraform plan reads for each kubernetes_manifest; ask the cluster's admin for 'get' on customresourcedefinitions.apiextensions.k8s.io`,
      };
    else
      return {
        ok: false,
        line: `crds: the API server answered ${answer.status} for ${crd.name} (${apiMessage(answer)}); run again`,
      };
  }
  const parts = [
    ...(installed.length > 0 ? [`installed: ${installed.join(", ")}`] : []),
    ...(byAddons.length > 0 ? [`installed by the add-ons stack: ${byAddons.map((c) => c.name).join(", ")}`] : []),
  ];
  if (missing.length === 0) return { ok: true, line: `crds: ${parts.join("; ")}` };
  const installers = [...new Set(missing.map((c) => c.installedBy))];
  return {
    ok: false,
    line: `crds: not installed: ${missing.map((c) => `${c.name} (${c.kind}, for ${c.neededBy})`).join(", ")}${parts.length > 0 ? `; ${parts.join("; ")}` : ""}; terraform plan fails on an object whose CRD is missing: install ${installers.join(", and ")}`,
  };
}
