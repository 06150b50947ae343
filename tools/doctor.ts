/**
 * `npm run doctor -- [env]`: checks, before any change is made, what deploying an
 * environment needs. One line per check; each missing piece says how to fix it.
 * Exit 0 when everything is there, 1 when something is missing, 2 on bad input.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import { discoverServices } from "../infra/discover-services.js";
import {
  ENVIRONMENT_NAMES,
  isEnvironmentName,
  EnvironmentConfigError,
  KUBE_API_CIDR_ACCEPTED,
  loadEnvironments,
  type Environment,
  type KubernetesEnvironment,
} from "../infra/environments.js";
import { isPlatformError } from "../infra/platform-error.js";
import { resolveCatalogue, type Catalogue } from "../infra/spec/model.js";
import { secretVariableNames } from "../infra/targets/docker/secret-variables.js";
import { addonSecrets, referencedSecrets } from "../infra/targets/kubernetes/referenced-secrets.js";
import { installedByAddons, requiredCustomResourceDefinitions } from "../infra/targets/kubernetes/required-crds.js";
import { terraformProviders } from "../infra/targets/terraform-providers.js";
import { checkApiServer } from "./doctor/api-server.js";
import type { CheckResult } from "./doctor/check-result.js";
import { checkCustomResourceDefinitions } from "./doctor/custom-resource-definitions.js";
import { KubeconfigProblem, kubeconfigFile, readClusterConnection } from "./doctor/kubeconfig.js";
import { checkReferencedSecrets } from "./doctor/referenced-secrets.js";
import { checkSecretVariables } from "./doctor/secret-variables.js";
import type { ClusterConnection } from "./doctor/kubeconfig.js";
import { checkProviderMirror } from "./doctor/provider-mirror.js";
import { checkProviderRegistry, DEFAULT_PROVIDER_REGISTRY } from "./doctor/provider-registry.js";
import { proxyVariableFor } from "./doctor/proxy.js";

/** The repository whose services are deployed. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The oldest Terraform this platform supports; S3 lock files need 1.10. */
export const MIN_TERRAFORM = [1, 5, 0] as const;
const MIN_TERRAFORM_S3_LOCKFILE = [1, 10, 0] as const;

type Variables = Readonly<Record<string, string | undefined>>;

const USAGE = `Usage: npm run doctor -- [environment]

Checks what deploying an environment needs, without changing anything:
Terraform on PATH and its version; where terraform init gets the providers the
environment's stack requires (the provider registry, or the mirror folder of
PLATFORM_PROVIDER_MIRROR); for local, the Docker engine and a TF_VAR_secret_*
value for each secret the specs refer to; for staging and production, the
kubeconfig and its context, the state backend's settings, when a service has a
database or a queue the platform runs there PLATFORM_KUBE_API_CIDR, and then, asked
of the cluster's API server with the context's credentials: that it answers and
accepts them, the CustomResourceDefinitions the stack needs, and the Secrets the
specs refer to in the environment's namespace.

  environment   one of ${ENVIRONMENT_NAMES.join(", ")} (default: local)

Environment variables:
  PLATFORM_PROVIDER_MIRROR   a provider mirror folder ('terraform providers mirror');
                             set, the doctor checks it instead of the registry, and
                             npm run deploy|destroy makes terraform install from it alone
  DOCTOR_PROVIDER_REGISTRY   the registry the doctor asks (default: ${DEFAULT_PROVIDER_REGISTRY});
                             terraform itself always asks the providers' own registry
  DOCTOR_SKIP_CLUSTER        set (to anything), the doctor does not ask the cluster's API
                             server (no API server, CRD or Secret check; the line says so)
  HTTPS_PROXY, NO_PROXY      where a proxy applies to the registry or the API server (or the
                             kubeconfig's cluster has a proxy-url), that check is not made
                             (the doctor connects directly; the line says so)

Exit 0 when ready, 1 when something is missing, 2 on bad input.`;

/** Runs every check for one environment. */
export async function checkEnvironment(environment: Environment, variables: Variables): Promise<CheckResult[]> {
  const catalogue = await discoverCatalogue(environment);
  const results: CheckResult[] = [
    await checkTerraform(environment, variables),
    // Without a catalogue (the services line says why), the providers every stack of the target requires.
    await checkProviderSource(environment, "services" in catalogue ? catalogue.services : [], variables),
  ];
  if (environment.target === "docker") {
    results.push(await checkDockerEngine(environment.docker.host));
    results.push(
      "services" in catalogue ? checkSecretVariables(secretVariableNames(catalogue.services), variables) : catalogue,
    );
  } else {
    const kube = checkKubeconfig(environment.kubernetes.configPath, environment.kubernetes.configContext, variables);
    results.push(kube);
    if (kube.ok) results.push(...(await checkCluster(environment, catalogue, variables)));
    results.push(checkStateBackend(environment, variables, kube.ok));
    results.push(checkDatabaseSettings(environment, catalogue));
  }
  return results;
}

/**
 * What the cluster of the kubeconfig's context says, asked with its credentials: the API
 * server answers and accepts them; then (only then) the CRDs the stack needs and the
 * Secrets the specs refer to. DOCTOR_SKIP_CLUSTER skips all three, and says so.
 */
async function checkCluster(
  environment: KubernetesEnvironment,
  catalogue: Catalogue | CheckResult,
  variables: Variables,
): Promise<CheckResult[]> {
  if (variables.DOCTOR_SKIP_CLUSTER)
    return [
      {
        ok: true,
        line: "cluster: not checked (DOCTOR_SKIP_CLUSTER is set): the API server, the CRDs and the Secrets the stack needs",
      },
    ];
  const { configPath, configContext } = environment.kubernetes;
  const file = kubeconfigFile(configPath, variables);
  let connection: ClusterConnection;
  try {
    connection = await readClusterConnection(file, configContext, variables);
  } catch (error) {
    if (!(error instanceof KubeconfigProblem)) throw error;
    return [{ ok: false, line: `cluster: context '${configContext}' of ${file} ${error.message}` }];
  }
  // kubectl and the provider go through the proxy; this check, connecting directly, would refuse a cluster they reach.
  const proxy = connection.proxyUrl
    ? "the kubeconfig's proxy-url"
    : proxyVariableFor(new URL(connection.server), variables);
  if (proxy)
    return [
      {
        ok: true,
        line: `cluster: the API server ${connection.server} (context '${configContext}' of ${file}) not checked through a proxy (${proxy}); check with kubectl get --raw /version --context ${configContext}; the CRDs and the Secrets the stack needs are not checked either`,
      },
    ];
  const apiServer = await checkApiServer(connection, environment.namespace);
  // Without an API server that accepts the credentials, every further answer would say the same.
  if (!apiServer.ok || !("services" in catalogue)) return [apiServer];
  const needed = requiredCustomResourceDefinitions(environment, catalogue.services);
  return [
    apiServer,
    await checkCustomResourceDefinitions(connection, needed, installedByAddons(environment, needed)),
    await checkReferencedSecrets(
      connection,
      environment.namespace,
      apiServer.namespaceExists,
      referencedSecrets(environment, catalogue.services),
    ),
    // Made before the add-ons' first deploy, which needs them, in the add-on's namespace,
    // which that deploy would make: the fix makes the namespace first when it is not there.
    ...(await Promise.all(
      addonSecrets(environment).map((secret) =>
        checkReferencedSecrets(connection, secret.namespace, true, [secret], true),
      ),
    )),
  ];
}

/** The environment's services, resolved; or the line that says why they cannot be. */
async function discoverCatalogue(environment: Environment): Promise<Catalogue | CheckResult> {
  try {
    return resolveCatalogue(await discoverServices(ROOT), environment.name, [...ENVIRONMENT_NAMES], {
      production: environment.production,
      target: environment.target,
    });
  } catch (error) {
    if (!isPlatformError(error)) throw error;
    return {
      ok: false,
      line: `services: ${error.message.split("\n").join(" ")}; fix the service files (npm run synth says more)`,
    };
  }
}

/**
 * Where terraform init gets the providers the stack requires: the mirror folder of
 * PLATFORM_PROVIDER_MIRROR when it is set (the deploy then makes terraform read it
 * alone), the provider registry otherwise.
 */
async function checkProviderSource(
  environment: Environment,
  services: Catalogue["services"],
  variables: Variables,
): Promise<CheckResult> {
  const providers = terraformProviders(environment.target, services);
  const mirror = variables.PLATFORM_PROVIDER_MIRROR;
  if (mirror) return checkProviderMirror(path.resolve(mirror), providers);
  if (!variables.DOCTOR_PROVIDER_REGISTRY) {
    // Where terraform would not ask the registry the way this check does, the check would
    // refuse setups that work: say it was not made, and why, instead.
    const proxy = proxyVariableFor(new URL(DEFAULT_PROVIDER_REGISTRY), variables);
    if (proxy)
      return {
        ok: true,
        line: `providers: not checked: ${proxy} is set, and terraform init reaches the registry through the proxy, which this check cannot; terraform init will tell`,
      };
    const cliConfig = variables.TF_CLI_CONFIG_FILE || path.join(os.homedir(), ".terraformrc");
    if (existsSync(cliConfig) && /^\s*provider_installation\b/m.test(readFileSync(cliConfig, "utf8")))
      return {
        ok: true,
        line: `providers: not checked: your Terraform CLI configuration ${cliConfig} has a provider_installation of its own, which terraform init follows`,
      };
  }
  return checkProviderRegistry(variables.DOCTOR_PROVIDER_REGISTRY || DEFAULT_PROVIDER_REGISTRY, providers);
}

/**
 * The settings an environment with a database the platform runs needs: the synth only
 * warns without them (so that local never needs a cluster's setting), the deploy refuses.
 */
function checkDatabaseSettings(environment: Environment, catalogue: Catalogue | CheckResult): CheckResult {
  if (!("services" in catalogue)) return catalogue;
  const ownsDatabase = catalogue.ownsDatabase();
  if (!ownsDatabase)
    return { ok: true, line: "databases: no database or queue run by the platform in this environment" };
  if (environment.target === "kubernetes" && environment.kubernetes.apiServer === undefined)
    return {
      ok: false,
      line: `databases: PLATFORM_KUBE_API_CIDR is not set; accepted: ${KUBE_API_CIDR_ACCEPTED}`,
    };
  return { ok: true, line: "databases: the API server's address for the database pods is set" };
}

async function checkTerraform(environment: Environment, variables: Variables): Promise<CheckResult> {
  const minimum = environment.backend.type === "s3" ? MIN_TERRAFORM_S3_LOCKFILE : MIN_TERRAFORM;
  const wanted = minimum.join(".");
  let output: string;
  try {
    output = await run("terraform", ["version", "-json"], variables);
  } catch (error) {
    const notFound = (error as NodeJS.ErrnoException).code === "ENOENT";
    return {
      ok: false,
      line: notFound
        ? `terraform: not found on PATH; install Terraform ${wanted} or newer and put it on PATH`
        : `terraform: 'terraform version' failed (${(error as Error).message.split("\n")[0]}); reinstall Terraform ${wanted} or newer`,
    };
  }
  const version = /"terraform_version":\s*"(\d+)\.(\d+)\.(\d+)/.exec(output);
  if (!version)
    return {
      ok: false,
      line: `terraform: could not read its version from 'terraform version -json'; install Terraform ${wanted} or newer`,
    };
  const found = version.slice(1, 4).map(Number);
  const text = found.join(".");
  const recentEnough = compareVersions(found, minimum) >= 0;
  return recentEnough
    ? { ok: true, line: `terraform: ${text} on PATH` }
    : {
        ok: false,
        line: `terraform: ${text} is too old for ${environment.name}; install Terraform ${wanted} or newer`,
      };
}

/** Asks the Docker engine's `/_ping` over its socket or TCP address. */
async function checkDockerEngine(host: string): Promise<CheckResult> {
  const target = host.startsWith("unix://")
    ? { socketPath: host.slice("unix://".length), url: "http://docker/_ping" }
    : host.startsWith("tcp://") || host.startsWith("http://")
      ? { url: `http://${host.replace(/^(tcp|http):\/\//, "")}/_ping` }
      : undefined;
  if (!target)
    return {
      ok: false,
      line: `docker: DOCKER_HOST=${host} is not a unix:// or tcp:// address; set DOCKER_HOST to the engine's address`,
    };
  return new Promise((resolve) => {
    const request = http.get(target.url, { socketPath: target.socketPath, timeout: 3000 }, (response) => {
      response.resume();
      resolve(
        response.statusCode === 200
          ? { ok: true, line: `docker: engine reachable at ${host}` }
          : {
              ok: false,
              line: `docker: engine at ${host} answered ${response.statusCode} to /_ping; check that dockerd is healthy`,
            },
      );
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 3 s")));
    request.on("error", (error) => {
      resolve({
        ok: false,
        line: `docker: engine not reachable at ${host} (${(error as Error).message}); start Docker, or set DOCKER_HOST to its address`,
      });
    });
  });
}

function checkKubeconfig(configPath: string, context: string, variables: Variables): CheckResult {
  const file = kubeconfigFile(configPath, variables);
  if (!existsSync(file))
    return { ok: false, line: `kubernetes: kubeconfig ${file} not found; set KUBECONFIG to your cluster's kubeconfig` };
  let contexts: string[];
  try {
    const config = parseYaml(readFileSync(file, "utf8")) as { contexts?: Array<{ name?: string }> };
    contexts = (config?.contexts ?? []).map((c) => String(c.name));
  } catch (error) {
    return {
      ok: false,
      line: `kubernetes: kubeconfig ${file} is not valid YAML (${(error as Error).message.split("\n")[0]}); fix or replace it`,
    };
  }
  if (!contexts.includes(context)) {
    return {
      ok: false,
      line: `kubernetes: context '${context}' not in ${file} (it has: ${contexts.join(", ") || "none"}); set the context variable of this environment (STAGING_KUBE_CONTEXT or PRODUCTION_KUBE_CONTEXT)`,
    };
  }
  return { ok: true, line: `kubernetes: context '${context}' in ${file}` };
}

function checkStateBackend(environment: Environment, variables: Variables, kubeconfigOk: boolean): CheckResult {
  const backend = environment.backend;
  switch (backend.type) {
    case "local":
      return { ok: true, line: `state: local file ${backend.path}` };
    case "kubernetes":
      return kubeconfigOk
        ? {
            ok: true,
            line: `state: kubernetes backend, Secret tfstate-default-${backend.secretSuffix} in ${backend.namespace} (locked with a Lease)`,
          }
        : {
            ok: false,
            line: "state: the kubernetes backend needs the kubeconfig above; fix it, or choose another backend with PLATFORM_STATE_BACKEND",
          };
    case "s3": {
      const credentials =
        variables.AWS_ACCESS_KEY_ID ||
        variables.AWS_PROFILE ||
        variables.AWS_WEB_IDENTITY_TOKEN_FILE ||
        existsSync(path.join(variables.HOME ?? os.homedir(), ".aws", "credentials"));
      return credentials
        ? {
            ok: true,
            line: `state: s3://${backend.bucket}/${backend.key} in ${backend.region} (locked with a lock file)`,
          }
        : {
            ok: false,
            line: "state: s3 backend without AWS credentials; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
          };
    }
    case "gcs": {
      const credentials =
        variables.GOOGLE_APPLICATION_CREDENTIALS ||
        variables.GOOGLE_CREDENTIALS ||
        existsSync(
          path.join(variables.HOME ?? os.homedir(), ".config", "gcloud", "application_default_credentials.json"),
        );
      return credentials
        ? { ok: true, line: `state: gs://${backend.bucket}/${backend.prefix}` }
        : {
            ok: false,
            line: "state: gcs backend without Google credentials; set GOOGLE_APPLICATION_CREDENTIALS or run 'gcloud auth application-default login'",
          };
    }
    case "pg":
      return variables.PG_CONN_STR
        ? { ok: true, line: `state: postgres schema ${backend.schemaName} (PG_CONN_STR set)` }
        : {
            ok: false,
            line: "state: pg backend needs PG_CONN_STR (postgres://user:password@host/db) in the environment",
          };
  }
}

function run(command: string, args: string[], variables: Variables): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: variables as NodeJS.ProcessEnv, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { message: `${error.message}${stderr}` }));
      else resolve(stdout);
    });
  });
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** The CLI: prints one line per check; resolves to the exit code. */
export async function doctor(argv: readonly string[], variables: Variables = process.env): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const [name = "local", ...rest] = argv;
  if (rest.length > 0 || !isEnvironmentName(name)) {
    console.error(
      `doctor: environment ${JSON.stringify(rest.length > 0 ? argv.join(" ") : name)} is not accepted; accepted: one of ${ENVIRONMENT_NAMES.join(", ")}\n\n${USAGE}`,
    );
    return 2;
  }
  let environment: Environment;
  try {
    // That environment's settings alone: staging's state backend is no concern of local.
    [environment] = loadEnvironments(variables, [name]) as [Environment];
  } catch (error) {
    if (error instanceof EnvironmentConfigError) {
      console.error(`✗ settings: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const results = await checkEnvironment(environment, variables);
  for (const result of results) console.log(`${result.ok ? "✓" : "✗"} ${result.line}`);
  const missing = results.filter((r) => !r.ok).length;
  console.log(
    missing === 0 ? `${name}: ready to deploy` : `${name}: ${missing} missing; fix the lines marked ✗ and run again`,
  );
  return missing === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await doctor(process.argv.slice(2));
}
