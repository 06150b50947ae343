import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { POSTGRES_DATA_PATH, POSTGRES_USER_ID } from "../../../infra/targets/docker/local-postgres.js";
import { DEBIAN_MIRROR, findExecutable, SLIM_MMDEBSTRAP_OPTIONS } from "./base-image.js";
import type { DockerEngine } from "./docker-engine.js";
import { imagesCreatedBy } from "./image-build.js";

/**
 * The stand-in for the official `postgres` image, which no registry here can provide:
 * PostgreSQL 15 from Debian bookworm's packages (mmdebstrap, like the base image), with
 * the official image's layout (the `postgres` user and group 999, PGDATA at
 * /var/lib/postgresql/data, a volume there, the server's binaries on PATH, SIGINT to
 * stop) and an entrypoint (stand-ins/postgres-entrypoint.sh) that does what the official
 * one does for the variables the local stack sets.
 *
 * What it proves: the container settings the stack declares (user, read-only root,
 * tmpfs, no capabilities, no-new-privileges, limits, volume, network, healthcheck) let a
 * PostgreSQL server initialize, start, pass `pg_isready`, take password logins from the
 * network and keep its data on the named volume. What it does not: that the pinned
 * official image (PostgreSQL 17 or 16, its own entrypoint) behaves the same; its
 * entrypoint is the official one's behaviour as documented and read, not its code.
 */

/** The Debian release whose PostgreSQL the stand-in runs (bookworm's is 15). */
export const POSTGRES_STAND_IN_SUITE = "bookworm";
/** The PostgreSQL major of that release. */
export const POSTGRES_STAND_IN_MAJOR = 15;

const ENTRYPOINT = path.join(path.dirname(fileURLToPath(import.meta.url)), "stand-ins", "postgres-entrypoint.sh");

/** Options of {@link makePostgresStandIn}. */
export interface MakePostgresStandInOptions {
  readonly engine: DockerEngine;
  /** The tag to give it. */
  readonly tag: string;
  /** Labels of the image (the run's, so that the run removes it). */
  readonly labels: Readonly<Record<string, string>>;
  /** Give up on mmdebstrap, then on the build, after this long. @default 900000 (15 minutes) */
  readonly timeoutMs?: number;
}

/** The stand-in made, and every image its build created (for the run's cleanup). */
export interface MadeStandIn {
  readonly id: string;
  readonly createdImageIds: readonly string[];
}

/** Makes the stand-in and tags it `options.tag`. */
export async function makePostgresStandIn(options: MakePostgresStandInOptions): Promise<MadeStandIn> {
  const mmdebstrap = findExecutable("mmdebstrap");
  if (!mmdebstrap)
    throw new Error("no stand-in for the postgres image: mmdebstrap is not installed; `apt-get install mmdebstrap`");
  const timeoutMs = options.timeoutMs ?? 900_000;
  const major = POSTGRES_STAND_IN_MAJOR;
  const uid = POSTGRES_USER_ID;
  const work = mkdtempSync(path.join(os.tmpdir(), "platform-postgres-stand-in-"));
  try {
    const args = [
      ...SLIM_MMDEBSTRAP_OPTIONS,
      `--include=postgresql-${major}`,
      // The official image creates its user with fixed ids before installing, so Debian's
      // postinst finds it instead of picking a system uid (the stack runs as 999:999).
      `--essential-hook=echo "postgres:x:${uid}:${uid}:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash" >> "$1/etc/passwd" && echo "postgres:x:${uid}:" >> "$1/etc/group" && echo "postgres:*:19000:0:99999:7:::" >> "$1/etc/shadow"`,
      [
        // Debian's postinst makes a cluster "main"; the official image makes none.
        `--customize-hook=if [ -d "$1/etc/postgresql/${major}/main" ]; then chroot "$1" pg_dropcluster ${major} main; fi`,
        `mkdir -p "$1${POSTGRES_DATA_PATH}"`,
        `chown ${uid}:${uid} "$1${POSTGRES_DATA_PATH}"`,
        `chmod 1777 "$1${POSTGRES_DATA_PATH}"`,
        // As the official image does to its sample: initdb writes listen_addresses = '*'.
        `sed -ri "s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!" "$1/usr/share/postgresql/${major}/postgresql.conf.sample"`,
        `grep -q "^listen_addresses = '\\*'" "$1/usr/share/postgresql/${major}/postgresql.conf.sample"`,
      ].join(" && "),
      `--customize-hook=upload ${ENTRYPOINT} /usr/local/bin/docker-entrypoint.sh`,
      `--customize-hook=chmod 0755 "$1/usr/local/bin/docker-entrypoint.sh"`,
      POSTGRES_STAND_IN_SUITE,
      path.join(work, "rootfs.tar"),
      DEBIAN_MIRROR,
    ];
    try {
      execFileSync(mmdebstrap, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    } catch (error) {
      const output = error as { stderr?: Buffer; message: string };
      throw new Error(
        `mmdebstrap could not make the postgres stand-in's root file system from ${DEBIAN_MIRROR} (${POSTGRES_STAND_IN_SUITE}, postgresql-${major}): ${output.stderr?.toString("utf8").trim().split("\n").slice(-15).join("\n") || output.message}`,
      );
    }
    copyFileSync(ENTRYPOINT, path.join(work, "postgres-entrypoint.sh"));
    // A Dockerfile rather than `docker import --change`, which cannot set STOPSIGNAL on Docker 20.10.
    writeFileSync(
      path.join(work, "Dockerfile"),
      [
        "FROM scratch",
        "ADD rootfs.tar /",
        `ENV PATH=/usr/lib/postgresql/${major}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=${POSTGRES_DATA_PATH} LANG=C.UTF-8`,
        `VOLUME ${POSTGRES_DATA_PATH}`,
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        "STOPSIGNAL SIGINT",
        "EXPOSE 5432",
        'CMD ["postgres"]',
        "",
      ].join("\n"),
    );
    const command = [
      "build",
      "--tag",
      options.tag,
      ...Object.entries(options.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
      "--force-rm",
      work,
    ];
    const built = await options.engine.cli(command, { timeoutMs, check: false, env: { DOCKER_BUILDKIT: "0" } });
    const createdImageIds = imagesCreatedBy(built.stdout);
    if (built.exitCode !== 0)
      throw Object.assign(
        new Error(`\`docker ${command.join(" ")}\` failed:\n${(built.stdout + built.stderr).trim().slice(-3000)}`),
        { createdImageIds },
      );
    const inspected = await options.engine.request<{ Id: string }>(
      "GET",
      `/images/${encodeURIComponent(options.tag)}/json`,
    );
    return { id: inspected.Id, createdImageIds };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
