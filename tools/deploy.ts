/**
 * `npm run deploy -- [env] [cdktf options]` and `npm run destroy -- [env] [cdktf options]`:
 * the preflight of `npm run doctor` first, then `cdktf deploy|destroy <env>`. When the
 * preflight finds something missing, nothing is run and nothing changes. A deploy of a
 * Kubernetes environment names its add-ons stack too (`cdktf deploy addons-<env> <env>`),
 * which cdktf applies first; a destroy keeps the add-ons.
 *
 * cdktf and the terraform it runs get CHECKPOINT_DISABLE=1 (no call home to HashiCorp's
 * checkpoint service); with PLATFORM_PROVIDER_MIRROR set they also get TF_CLI_CONFIG_FILE,
 * a CLI configuration that installs every provider from that mirror folder alone.
 *
 * The local databases' data volumes are not in Terraform's state (see LocalPostgres), so
 * a destroy of local keeps them and says so; `--delete-data` removes them afterwards
 * with `docker volume rm`.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { discoverServices } from "../infra/discover-services.js";
import { ENVIRONMENT_NAMES, isEnvironmentName, loadEnvironments, type EnvironmentName } from "../infra/environments.js";
import { dataResourceName } from "../infra/spec/backing-services.js";
import { resolveCatalogue } from "../infra/spec/model.js";
import { dataVolumeName } from "../infra/targets/docker/names.js";
import { cdktfStacks } from "./deploy/cdktf-stacks.js";
import { writeProviderMirrorConfig } from "./deploy/terraform-cli-config.js";
import { doctor } from "./doctor.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACTIONS = ["deploy", "destroy"] as const;
type Action = (typeof ACTIONS)[number];

/** The platform's app command (cdktf.json's `app`), which takes the environments to synthesize. */
const PLATFORM_APP = "node tools/run-app.mjs";

function usage(action: Action): string {
  return `Usage: npm run ${action} -- [environment] [cdktf ${action} options, e.g. --auto-approve]

Checks what ${action === "deploy" ? "deploying" : "destroying"} the environment needs (npm run doctor), then runs
'cdktf ${action} <environment>' from this repository, whose synth then synthesizes that
environment alone (--app "${PLATFORM_APP} <environment>", unless you give --app).
${
  action === "deploy"
    ? `On Kubernetes (staging, production) it deploys the cluster add-ons stack first:
'cdktf deploy addons-<environment> <environment>'.`
    : `On Kubernetes (staging, production) the cluster add-ons stay (addons-<environment>);
'npx cdktf destroy <environment> addons-<environment>' removes them too.`
}

  environment   one of ${ENVIRONMENT_NAMES.join(", ")} (default: local)

Environment variables:
  PLATFORM_PROVIDER_MIRROR   a provider mirror folder ('terraform providers mirror'):
                             terraform installs every provider from it alone, through
                             the CLI configuration .terraform.d/provider-mirror-<hash>.tfrc
                             of this repository (TF_CLI_CONFIG_FILE)${
                               action === "destroy"
                                 ? `
  --delete-data local only: after the destroy, also delete the databases' data volumes
                (without it they are kept, and the destroy lists them)`
                                 : ""
                             }

Exit 0 when done, 1 when the preflight or cdktf failed, 2 on bad input.`;
}

/** Runs the preflight, then cdktf; resolves to the exit code. */
export async function deploy(
  action: Action,
  argv: readonly string[],
  variables: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage(action));
    return 0;
  }
  const first = argv[0];
  const environment = first === undefined || first.startsWith("-") ? "local" : first;
  const options = first === undefined || first.startsWith("-") ? argv : argv.slice(1);
  const deleteData = options.includes("--delete-data");
  const passThrough = options.filter((option) => option !== "--delete-data");
  if (!isEnvironmentName(environment)) {
    console.error(
      `${action}: environment ${JSON.stringify(environment)} is not accepted; accepted: one of ${ENVIRONMENT_NAMES.join(", ")}`,
    );
    return 2;
  }
  if (deleteData && (action !== "destroy" || environment !== "local")) {
    console.error(
      `${action} ${environment}: --delete-data is not accepted here; accepted: npm run destroy -- local --delete-data (the databases of staging and production are kept by prevent_destroy)`,
    );
    return 2;
  }
  console.log(`${action} ${environment}: preflight`);
  const preflight = await doctor([environment], variables);
  if (preflight !== 0) {
    console.error(
      `${action} ${environment}: stopped by the preflight before any change; nothing was run. Fix the lines marked ✗ above and run again (npm run doctor -- ${environment} checks them alone)`,
    );
    return 1;
  }
  const childVariables: NodeJS.ProcessEnv = { ...variables, CHECKPOINT_DISABLE: "1" };
  if (variables.PLATFORM_PROVIDER_MIRROR) {
    if (variables.TF_CLI_CONFIG_FILE)
      console.log(
        `${action} ${environment}: your TF_CLI_CONFIG_FILE=${variables.TF_CLI_CONFIG_FILE} is not read by this run: PLATFORM_PROVIDER_MIRROR gives terraform a configuration of its own (unset it to use yours)`,
      );
    childVariables.TF_CLI_CONFIG_FILE = writeProviderMirrorConfig(ROOT, variables.PLATFORM_PROVIDER_MIRROR);
    console.log(
      `${action} ${environment}: terraform installs the providers from the mirror ${path.resolve(variables.PLATFORM_PROVIDER_MIRROR)} alone (TF_CLI_CONFIG_FILE=${childVariables.TF_CLI_CONFIG_FILE})`,
    );
  }
  const cdktf = path.join(ROOT, "node_modules", ".bin", "cdktf");
  const app = appOption(environment, passThrough);
  const shownApp = app.length > 0 ? ` --app ${JSON.stringify(app[1])}` : "";
  const stacks = cdktfStacks(action, environment);
  const command = `cdktf ${action} ${stacks.join(" ")}`;
  console.log(`${action} ${environment}: ${command}${shownApp} ${passThrough.join(" ")}`.trimEnd());
  const status = await new Promise<number>((resolve) => {
    const child = spawn(cdktf, [action, ...stacks, ...app, ...passThrough], {
      cwd: ROOT,
      stdio: "inherit",
      env: childVariables,
    });
    child.on("error", (error) => {
      console.error(`${action} ${environment}: could not start cdktf (${error.message}); run 'npm ci' first`);
      resolve(1);
    });
    child.on("exit", (code, signal) => {
      if (code === null)
        console.error(
          `${action} ${environment}: '${command}' stopped by ${signal}; terraform may have changed part of the environment before it stopped: run the same command again to finish`,
        );
      else if (code !== 0)
        // The wrapper's own last line: cdktf's and terraform's errors above end in no advice of ours.
        console.error(
          `${action} ${environment}: '${command}' failed (exit ${code}) after the preflight passed; the lines above say what cdktf or terraform refused. Run npm run doctor -- ${environment}, fix what it marks ✗, and run again`,
        );
      resolve(code ?? 1);
    });
  });
  if (status !== 0 || action !== "destroy" || environment !== "local") return status;
  return afterLocalDestroy(deleteData, variables);
}

/**
 * cdktf's `--app` option that synthesizes `environment` alone (`node tools/run-app.mjs
 * local`): cdktf runs the app before it deploys, and the other environments' settings
 * (staging's state backend) are no concern of this one. None when the user gave an app
 * command of their own, or cdktf.json's `app` is not the platform's (then it runs as it is).
 */
function appOption(environment: EnvironmentName, options: readonly string[]): string[] {
  if (options.some((option) => option === "--app" || option === "-a" || option.startsWith("--app="))) return [];
  let app: unknown;
  try {
    app = (JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app?: unknown }).app;
  } catch {
    return [];
  }
  return app === PLATFORM_APP ? ["--app", `${PLATFORM_APP} ${environment}`] : [];
}

/** The local databases' data volumes, by their platform names (`platform-local-orders-db-data`). */
async function localDataVolumes(variables: NodeJS.ProcessEnv): Promise<string[]> {
  const [local] = loadEnvironments(variables, ["local"]);
  if (local?.target !== "docker") return [];
  const catalogue = resolveCatalogue(
    await discoverServices(ROOT),
    local.name,
    ENVIRONMENT_NAMES.map((e) => e),
    { production: false, target: "docker" },
  );
  return catalogue.services.flatMap((spec) =>
    spec.backingServices
      .filter((resource) => resource.external === undefined)
      .map((resource) => dataVolumeName(local, dataResourceName(spec.name, resource.name))),
  );
}

/** Says which data volumes the destroy kept, or deletes them with `--delete-data`. */
async function afterLocalDestroy(deleteData: boolean, variables: NodeJS.ProcessEnv): Promise<number> {
  const volumes = await localDataVolumes(variables);
  if (volumes.length === 0) return 0;
  if (!deleteData) {
    console.log(
      `destroy local: kept the data volumes ${volumes.join(", ")}; to delete them: npm run destroy -- local --delete-data (or docker volume rm ${volumes.join(" ")})`,
    );
    // The passwords were random_password resources of the state, which the destroy removed.
    console.log(
      "destroy local: the kept volumes hold the passwords they were made with, and the next deploy makes new ones, which the kept databases and queues refuse (a known gap, see README.md): delete the volumes first, or set each one's password to the new one",
    );
    return 0;
  }
  console.log(`destroy local: docker volume rm ${volumes.join(" ")}`);
  return new Promise((resolve) => {
    const child = spawn("docker", ["volume", "rm", ...volumes], { cwd: ROOT, stdio: "inherit", env: variables });
    child.on("error", (error) => {
      console.error(
        `destroy local: could not run docker (${error.message}); the data volumes ${volumes.join(", ")} are kept`,
      );
      resolve(1);
    });
    child.on("exit", (code) => {
      if (code === 0) console.log(`destroy local: deleted the data volumes ${volumes.join(", ")}`);
      else
        console.error(
          `destroy local: docker volume rm failed (exit ${code}); the data volumes ${volumes.join(", ")} may be kept`,
        );
      resolve(code ?? 1);
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [action, ...argv] = process.argv.slice(2);
  if (!(ACTIONS as readonly string[]).includes(action ?? "")) {
    console.error(
      `deploy.ts: first argument must be one of ${ACTIONS.join(", ")} (got ${JSON.stringify(action ?? "")})`,
    );
    process.exitCode = 2;
  } else {
    process.exitCode = await deploy(action as Action, argv);
  }
}
