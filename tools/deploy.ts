/**
 * `npm run deploy -- [env] [cdktf options]` and `npm run destroy -- [env] [cdktf options]`:
 * the preflight of `npm run doctor` first, then `cdktf deploy|destroy <env>`. When the
 * preflight finds something missing, nothing is run and nothing changes.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ENVIRONMENT_NAMES } from "../infra/environments.js";
import { doctor } from "./doctor.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACTIONS = ["deploy", "destroy"] as const;
type Action = (typeof ACTIONS)[number];

function usage(action: Action): string {
  return `Usage: npm run ${action} -- [environment] [cdktf ${action} options, e.g. --auto-approve]

Checks what ${action === "deploy" ? "deploying" : "destroying"} the environment needs (npm run doctor), then runs
'cdktf ${action} <environment>' from this repository.

  environment   one of ${ENVIRONMENT_NAMES.join(", ")} (default: local)

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
  const passThrough = first === undefined || first.startsWith("-") ? argv : argv.slice(1);
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(environment)) {
    console.error(
      `${action}: environment ${JSON.stringify(environment)} is not accepted; accepted: one of ${ENVIRONMENT_NAMES.join(", ")}`,
    );
    return 2;
  }
  console.log(`${action} ${environment}: preflight`);
  const preflight = await doctor([environment], variables);
  if (preflight !== 0) {
    console.error(`${action} ${environment}: stopped by the preflight before any change; nothing was run`);
    return 1;
  }
  const cdktf = path.join(ROOT, "node_modules", ".bin", "cdktf");
  console.log(`${action} ${environment}: cdktf ${action} ${environment} ${passThrough.join(" ")}`.trimEnd());
  return new Promise((resolve) => {
    const child = spawn(cdktf, [action, environment, ...passThrough], { cwd: ROOT, stdio: "inherit", env: variables });
    child.on("error", (error) => {
      console.error(`${action} ${environment}: could not start cdktf (${error.message}); run 'npm ci' first`);
      resolve(1);
    });
    child.on("exit", (code) => resolve(code ?? 1));
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
