import { podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asBoolean, isUnresolved, show } from "../values.js";

/**
 * K8S-12 (error): pods mount no service account token (`automount_service_account_token
 * = false`; the provider defaults it to true) and run under their own service account,
 * not the namespace's `default` one that every other pod shares.
 * Anchor: Polaris automountServiceAccountToken, kube-linter default-service-account, checkov CKV_K8S_38.
 */
export const noServiceAccountToken: ResourceRule = {
  id: "K8S-12",
  level: "error",
  scope: "resource",
  checks: "pods set automount_service_account_token = false and use their own service account, not default",
  anchor: "Polaris; kube-linter default-service-account; checkov CKV_K8S_38",
  appliesTo: ofTypes(POD_RESOURCE_TYPES),
  check(resource, context) {
    const pod = podTemplateOf(resource)!;
    const problems = new Problems();
    const automount = pod.spec?.automount_service_account_token;
    if (isUnresolved(automount))
      problems.unresolved(
        "pod automount_service_account_token",
        automount,
        "set automount_service_account_token = false as a literal",
      );
    else if (asBoolean(automount) !== false) {
      problems.add(
        `pod automount_service_account_token is ${show(automount)}${automount === undefined ? " (the provider defaults it to true)" : ""}, so every container gets an API token`,
        `set automount_service_account_token = false in ${pod.specPath}`,
      );
    }
    const account = pod.spec?.service_account_name;
    const accountName = context.stack.kubernetes.resolveName(account);
    if (isUnresolved(account) && accountName === undefined)
      problems.unresolved(
        "pod service_account_name",
        account,
        "name the service account as a literal or by reference to its ServiceAccount",
      );
    else if (accountName === undefined || accountName === "default") {
      problems.add(
        `pod service_account_name is ${show(account)}, so it runs as the namespace's default service account, shared by every pod`,
        "give the service its own ServiceAccount and set service_account_name to it",
      );
    }
    return problems.outcome();
  },
};
