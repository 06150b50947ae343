/**
 * `npm run images:lock -- <service> <version> <digest>`: records the digest of a pushed
 * image in images.lock.json, which the Kubernetes Deployments then reference. The images
 * workflow runs it after each push. See USAGE.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { z } from "zod";
import {
  IMAGES_LOCK_FILE,
  imageDigestSchema,
  isImagesLockError,
  lockedServiceSchema,
  lockedVersionSchema,
  readImagesLockFile,
  withLockedImage,
  writeImagesLockFile,
} from "../infra/images-lock.js";
import { SERVICES_DIR } from "../infra/repository-layout.js";
import { formatValue } from "../infra/spec/spec-error.js";

const USAGE = `Usage: npm run images:lock -- <service> <version> <digest> [--file <lock file>] [--replace]
       npm run images:lock -- --help

Records in ${IMAGES_LOCK_FILE} (at the repository root, or the --file given) that the
image of <service> pushed with the tag <version> (the version in its package.json) has
the registry digest <digest> (sha256:<64 hex digits>, as docker buildx imagetools inspect
prints it). An entry of another version of that service is replaced. A version already
recorded with another digest is refused (a re-pushed tag is another image: bump the
version); --replace records the new digest anyway, for a recorded digest that is wrong.
The file is written
whole (a temporary file, then a rename), services sorted by name.
The Kubernetes Deployments then run <registry>/<service>:<version>@<digest>; a service
whose version the lock does not record runs by its tag, and the synth warns of it.
The images workflow (.github/workflows/images.yml) runs this after each push and opens a
pull request with the lock. Exit codes: 0 recorded (or already recorded), 1 the version
is recorded with another digest (and no --replace), 2 bad input
(an argument, a service with no folder under ${SERVICES_DIR}/, or a lock file that is not a lock).`;

/** The CLI's work: returns the exit code. */
function main(argv: string[]): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  let positionals: string[];
  let file: string;
  let replace: boolean;
  try {
    const parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        file: { type: "string" },
        replace: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (parsed.values.help) {
      console.log(USAGE);
      return 0;
    }
    positionals = parsed.positionals;
    replace = parsed.values.replace ?? false;
    file = path.resolve(parsed.values.file ?? path.join(root, IMAGES_LOCK_FILE));
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return refuse(error.message);
  }
  if (positionals.length !== 3)
    return refuse(`takes 3 arguments, <service> <version> <digest> (got ${positionals.length})`);
  const [service, version, digest] = positionals as [string, string, string];
  const problems = [
    argumentProblem("<service>", service, lockedServiceSchema),
    argumentProblem("<version>", version, lockedVersionSchema),
    argumentProblem("<digest>", digest, imageDigestSchema),
  ].filter((problem) => problem !== undefined);
  if (problems.length === 0 && !existsSync(path.join(root, SERVICES_DIR, service)))
    problems.push(
      `<service> ${formatValue(service)}: has no folder ${SERVICES_DIR}/${service}/; must be a service of this repository`,
    );
  if (problems.length > 0) return refuse(problems.join("\n"));

  const shown = path.relative(process.cwd(), file) || file;
  try {
    const lock = readImagesLockFile(file, shown);
    const was = lock.images[service];
    if (was?.version === version && was.digest === digest) {
      console.log(`images:lock: ${shown} has ${service} ${version} ${digest} already`);
      return 0;
    }
    if (was?.version === version && !replace) {
      console.error(
        `images:lock: ${shown} records ${service} ${version} with the digest ${was.digest}, not ${digest}: the tag ${version} was pushed again with another image; bump the version to ship a new image, or pass --replace if the recorded digest is wrong`,
      );
      return 1;
    }
    writeImagesLockFile(file, withLockedImage(lock, service, { version, digest }));
    console.log(
      `images:lock: ${shown}: ${service} ${version} ${digest}${was ? ` (was ${was.version} ${was.digest})` : " (new entry)"}`,
    );
    return 0;
  } catch (error) {
    if (!isImagesLockError(error)) throw error;
    console.error(`images:lock: ${error.message}`);
    return 2;
  }
}

/** The problem with one argument, named with its value and what is accepted; undefined when it is valid. */
function argumentProblem(name: string, value: string, schema: z.ZodType): string | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? undefined : `${name} ${formatValue(value)}: ${parsed.error.issues[0]!.message}`;
}

function refuse(problem: string): number {
  console.error(`images:lock: ${problem}\n\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
