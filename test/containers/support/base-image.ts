import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DockerEngine } from "./docker-engine.js";
import { runLabels, type TestRun } from "./test-run.js";

/**
 * The base image the service Dockerfiles build from (their `BASE_IMAGE` build argument).
 *
 * The default, `node:20.19.5-bookworm-slim`, comes from a registry, and none is
 * reachable where these tests run. So, unless PLATFORM_BASE_IMAGE names an image the
 * engine already has, the run makes a stand-in with the same layout: a minimal Debian
 * bookworm root file system (mmdebstrap, from the Debian mirror) with this machine's
 * `node` at /usr/local/bin and its npm at /usr/local/lib/node_modules/npm, and the
 * `node` user (uid 1000) of the official image.
 */

/** Where the stand-in's Debian packages come from. */
export const DEBIAN_MIRROR = "http://deb.debian.org/debian";
/** The CA bundle the stand-in trusts: this machine's, which may hold a proxy's CA. */
export const HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * mmdebstrap's options for a minimal root file system as root makes it, without the
 * documentation, manual pages and translations (excluded like Debian's slim images do).
 */
export const SLIM_MMDEBSTRAP_OPTIONS: readonly string[] = [
  "--quiet",
  "--variant=minbase",
  "--mode=root",
  ...["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*"].map(
    (p) => `--dpkgopt=path-exclude=${p}`,
  ),
  "--dpkgopt=path-include=/usr/share/doc/*/copyright",
];

/** The base image a run builds from. */
export interface BaseImage {
  /** What to pass as the `BASE_IMAGE` build argument. */
  readonly reference: string;
  /** The run made it (and removes it at the end), or it was given. */
  readonly madeByRun: boolean;
  /** How it was obtained, for the log. */
  readonly description: string;
}

/** Options of {@link prepareBaseImage}. */
export interface PrepareBaseImageOptions {
  readonly engine: DockerEngine;
  readonly run: TestRun;
  /** Environment variables (PLATFORM_BASE_IMAGE). */
  readonly variables: Readonly<Record<string, string | undefined>>;
  /** Give up on mmdebstrap after this long. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
}

/**
 * Returns the image PLATFORM_BASE_IMAGE names (it must already be on the engine), or
 * makes the stand-in described above, tagged `platform-test/node-base:<node version>-<run id>`.
 */
export async function prepareBaseImage(options: PrepareBaseImageOptions): Promise<BaseImage> {
  const { engine, run, variables } = options;
  const given = variables.PLATFORM_BASE_IMAGE;
  if (given) {
    const found = await engine.cli(["image", "inspect", "--format", "{{.Id}}", given], {
      timeoutMs: 30_000,
      check: false,
    });
    if (found.exitCode !== 0) {
      throw new Error(
        `PLATFORM_BASE_IMAGE: the engine has no image ${JSON.stringify(given)}; pull or load it first, or unset PLATFORM_BASE_IMAGE to let the tests make a stand-in`,
      );
    }
    return { reference: given, madeByRun: false, description: `${given} (PLATFORM_BASE_IMAGE)` };
  }

  const mmdebstrap = findExecutable("mmdebstrap");
  if (!mmdebstrap) {
    throw new Error(
      "no base image: PLATFORM_BASE_IMAGE is not set and mmdebstrap is not installed; `apt-get install mmdebstrap`, or set PLATFORM_BASE_IMAGE to an image the engine has (like node:20.19.5-bookworm-slim)",
    );
  }
  const node = realpathSync(process.execPath);
  const npmDirectory = findNpmDirectory(node);
  const version = process.version.replace(/^v/, "");
  const reference = `platform-test/node-base:${version}-${run.id}`;
  const suite = debianSuite();

  const work = mkdtempSync(path.join(os.tmpdir(), "platform-base-image-"));
  const tarball = path.join(work, "rootfs.tar");
  try {
    // The official node image adds node and npm the same way.
    const args = [
      ...SLIM_MMDEBSTRAP_OPTIONS,
      `--customize-hook=mkdir -p "$1/usr/local/lib/node_modules/npm" "$1/etc/ssl/certs"`,
      `--customize-hook=upload ${node} /usr/local/bin/node`,
      `--customize-hook=sync-in ${npmDirectory} /usr/local/lib/node_modules/npm`,
      `--customize-hook=upload ${HOST_CA_BUNDLE} /etc/ssl/certs/ca-certificates.crt`,
      [
        `--customize-hook=chmod 0755 "$1/usr/local/bin/node"`,
        `ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"`,
        `ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"`,
        `chroot "$1" groupadd --gid 1000 node`,
        `chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node`,
      ].join(" && "),
      suite,
      tarball,
      DEBIAN_MIRROR,
    ];
    try {
      execFileSync(mmdebstrap, args, { stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 600_000 });
    } catch (error) {
      const output = error as { stderr?: Buffer; message: string };
      throw new Error(
        `mmdebstrap could not make the base image's root file system from ${DEBIAN_MIRROR} (${suite}): ${output.stderr?.toString("utf8").trim().split("\n").slice(-15).join("\n") || output.message}`,
      );
    }
    const changes = [
      ...Object.entries(runLabels(run)).map(([key, value]) => `LABEL ${key}=${value}`),
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      // npm inside a build reaches the registry through this machine's proxy, if any.
      `ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt`,
      `ENV NODE_VERSION=${version}`,
      'CMD ["node"]',
    ];
    await engine.cli(["import", ...changes.flatMap((c) => ["--change", c]), tarball, reference], {
      timeoutMs: 300_000,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const check = await engine.cli(
    [
      "run",
      "--rm",
      "--network",
      "none",
      "--label",
      `platform.test/run=${run.id}`,
      reference,
      "node",
      "-e",
      "process.stdout.write(process.version)",
    ],
    {
      timeoutMs: 60_000,
      check: false,
    },
  );
  if (check.stdout.trim() !== process.version) {
    throw new Error(
      `the base image ${reference} cannot run node (expected ${process.version}): ${check.stdout}${check.stderr}`,
    );
  }
  return {
    reference,
    madeByRun: true,
    description: `${reference} (Debian ${suite} minbase + node ${process.version} and npm of this machine)`,
  };
}

/** The Debian suite of this machine (its libraries match its node binary), bookworm elsewhere. */
function debianSuite(): string {
  const release = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  const isDebian = /^ID=debian$/m.test(release);
  return (isDebian && /^VERSION_CODENAME=(\w+)$/m.exec(release)?.[1]) || "bookworm";
}

/** npm's install folder (the one holding bin/npm-cli.js) next to this node. */
function findNpmDirectory(node: string): string {
  const candidates = [
    path.resolve(path.dirname(node), "../lib/node_modules/npm"),
    "/usr/lib/node_modules/npm",
    "/usr/local/lib/node_modules/npm",
  ];
  const found = candidates.find((c) => existsSync(path.join(c, "bin", "npm-cli.js")));
  if (!found) throw new Error(`cannot find npm for the base image; looked in ${candidates.join(", ")}`);
  return found;
}

/** The path of an executable on PATH, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(directory, name);
    if (directory && existsSync(candidate)) return candidate;
  }
  return undefined;
}
