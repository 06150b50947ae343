import { SECRET_LIKE_ENV_NAME } from "../../spec/secret-like-names.js";
import { credentialVariablesOf, dataObjectOf, dataObjectsOf } from "../data-objects.js";
import { containersOf, podTemplateOf, POD_RESOURCE_TYPES } from "../kubernetes-pods.js";
import { ofTypes, Problems, type ResourceRule, type RuleContext } from "../rule.js";
import type { SynthesizedResource, SynthesizedStack } from "../synthesized-stack.js";
import { asStringList, block, blocks } from "../values.js";

/** A value that is exactly the result of a `random_password` (`${random_password.x.result}`). */
const RANDOM_PASSWORD = /^\$\{random_password\.([A-Za-z0-9_-]+)\.result\}$/;
/** A connection URL whose password is the result of a `random_password`. */
const URL_WITH_RANDOM_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:\$\{random_password\.([A-Za-z0-9_-]+)\.result\}@/;
/**
 * A URL that Kubernetes composes from other variables (dependent environment variables):
 * text and `$(VAR)` references only, no other `$`, whose password is exactly one
 * reference (`amqp://$(JOBS_USER):$(JOBS_PASSWORD)@$(JOBS_HOST):$(JOBS_PORT)`).
 */
const COMPOSED_URL =
  /^[a-z][a-z0-9+.-]*:\/\/(?:[^:@/$]|\$\([A-Za-z_][A-Za-z0-9_]*\))*:\$\(([A-Za-z_][A-Za-z0-9_]*)\)@(?:[^$]|\$\([A-Za-z_][A-Za-z0-9_]*\))*$/;
/** The `$(VAR)` references of a value. */
const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

/**
 * DATA-05 (error): a backing service's credentials reach containers only by reference,
 * never as a value in the synthesized JSON. On Kubernetes, every container's variable
 * that holds one (`<RESOURCE>_PASSWORD` and `<RESOURCE>_URL` of a backing service of the
 * stack, and a reader's `<OWNER>_<RESOURCE>_PASSWORD` and `_URL`; any secret-named
 * variable of the backing service's own containers) is a `value_from.secret_key_ref`
 * and has no `value`, except a URL that Kubernetes composes
 * from earlier variables (`amqp://$(JOBS_USER):$(JOBS_PASSWORD)@...`, the queue's: its
 * operator's Secret has no URL): text and `$(VAR)` references only, its password one
 * reference to a password variable, and every credential variable it references set
 * earlier in the same container by `secret_key_ref`. On Docker, where a container's
 * environment is a list of strings, the data container's secret-named variables and
 * its clients' `<RESOURCE>_PASSWORD` are exactly a `random_password` of the stack
 * (`${random_password.x.result}`: in the state, never in the JSON), and the password in
 * `<RESOURCE>_URL` is one. The values are never printed.
 * Anchor: kube-linter env-var-secret; checkov CKV_K8S_35.
 */
export const credentialsByReference: ResourceRule = {
  id: "DATA-05",
  level: "error",
  scope: "resource",
  checks: "backing-service credentials only by reference: secret_key_ref on Kubernetes, a random_password on Docker",
  anchor: "kube-linter env-var-secret; checkov CKV_K8S_35",
  appliesTo: ofTypes(POD_RESOURCE_TYPES, ["docker_container"]),
  check(resource, context) {
    const problems = new Problems();
    if (resource.type === "docker_container") checkDocker(resource, context, problems);
    else checkKubernetes(resource, context, problems);
    return problems.outcome();
  },
};

/** The names of the variables that hold a credential of a backing service of the stack, by kind. */
function credentialNames(stack: SynthesizedStack): { readonly passwords: Set<string>; readonly urls: Set<string> } {
  return stack.memo("data-05-credential-names", (s) => {
    const passwords = new Set<string>();
    const urls = new Set<string>();
    for (const object of dataObjectsOf(s)) {
      const names = credentialVariablesOf(object);
      if (names === undefined) continue;
      for (const name of names.passwords) passwords.add(name);
      for (const name of names.urls) urls.add(name);
    }
    return { passwords, urls };
  });
}

function checkKubernetes(resource: SynthesizedResource, context: RuleContext, problems: Problems): void {
  const { passwords, urls } = credentialNames(context.stack);
  const isDataObject = dataObjectOf(resource, context.stack) !== undefined;
  const pod = podTemplateOf(resource)!;
  const isCredential = (name: string) =>
    passwords.has(name) || urls.has(name) || (isDataObject && SECRET_LIKE_ENV_NAME.test(name));
  for (const container of containersOf(pod.spec, { includeInit: true })) {
    /** The variables set so far by a secret_key_ref (Kubernetes expands a reference to an earlier variable only). */
    const bySecret = new Set<string>();
    for (const variable of blocks(container.values.env)) {
      const name = variable.name;
      if (typeof name !== "string") continue;
      const fromSecret = block(block(variable.value_from)?.secret_key_ref) !== undefined;
      const value = variable.value;
      const hasValue = value !== undefined && value !== null && value !== "";
      if (fromSecret && !hasValue) bySecret.add(name);
      if (!isCredential(name)) continue;
      const fix = "set it from the backing service's connection Secret (value_from.secret_key_ref), never by value";
      if (hasValue && urls.has(name) && typeof value === "string" && COMPOSED_URL.test(value)) {
        const password = COMPOSED_URL.exec(value)![1]!;
        const credentials = [...value.matchAll(REFERENCE)].map((m) => m[1]!).filter(isCredential);
        const notBySecret = credentials.filter((reference) => !bySecret.has(reference));
        if (!passwords.has(password))
          problems.add(
            `${container.label}: env ${name} is a URL composed from other variables whose password (not shown) is not a backing service's password variable`,
            `compose it with $(<RESOURCE>_PASSWORD), set from the connection Secret; or ${fix}`,
          );
        else if (notBySecret.length > 0)
          problems.add(
            `${container.label}: env ${name} is composed from ${notBySecret.map((r) => `$(${r})`).join(", ")}, which no secret_key_ref before it in the container sets`,
            `set ${notBySecret.join(", ")} from the connection Secret (value_from.secret_key_ref) before ${name}`,
          );
      } else if (hasValue)
        problems.add(
          `${container.label}: env ${name} holds a backing service's credential by value (not shown), not by a secret_key_ref`,
          fix,
        );
      else if (!fromSecret)
        problems.add(
          `${container.label}: env ${name} holds a backing service's credential but is no secret_key_ref`,
          fix,
        );
    }
  }
}

function checkDocker(resource: SynthesizedResource, context: RuleContext, problems: Problems): void {
  const { passwords, urls } = credentialNames(context.stack);
  const isDataObject = dataObjectOf(resource, context.stack) !== undefined;
  const isRandomPassword = (match: RegExpExecArray | null) =>
    match !== null && context.stack.at(`random_password.${match[1]}`) !== undefined;
  const fix =
    "make the password with random_password and pass its result (${random_password.<name>.result}), never a value";
  for (const entry of asStringList(resource.values.env)) {
    const separator = entry.indexOf("=");
    if (separator <= 0) continue;
    const name = entry.slice(0, separator);
    const value = entry.slice(separator + 1);
    if (urls.has(name)) {
      if (!isRandomPassword(URL_WITH_RANDOM_PASSWORD.exec(value)))
        problems.add(
          `env ${name} is a backing service's URL whose password (not shown) is not a random_password of this stack`,
          fix,
        );
    } else if (passwords.has(name) || (isDataObject && SECRET_LIKE_ENV_NAME.test(name))) {
      if (!isRandomPassword(RANDOM_PASSWORD.exec(value)))
        problems.add(
          `env ${name} holds a backing service's password (not shown) that is not a random_password of this stack`,
          fix,
        );
    }
  }
}
