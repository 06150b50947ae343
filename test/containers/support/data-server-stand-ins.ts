import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { POSTGRES_DATA_PATH, POSTGRES_USER_ID } from "../../../infra/targets/docker/local-postgres.js";
import { RABBITMQ_DATA_PATH, RABBITMQ_USER_ID } from "../../../infra/targets/rabbitmq-server.js";
import { REDIS_DATA_PATH, REDIS_USER_ID } from "../../../infra/targets/redis-server.js";
import { DEBIAN_MIRROR, findExecutable, SLIM_MMDEBSTRAP_OPTIONS } from "./base-image.js";
import type { DockerEngine } from "./docker-engine.js";
import { imagesCreatedBy } from "./image-build.js";

/**
 * The stand-ins for the official `postgres`, `redis` and `rabbitmq` images, which no
 * registry here can provide: the servers of Debian bookworm's packages (PostgreSQL 15,
 * Redis 7.0, RabbitMQ 3.10 on Erlang 25), installed together in ONE root file system
 * (mmdebstrap, like the base image: one build of a few minutes rather than one per
 * server), from which each stand-in is a thin image with the layout of its official
 * image: its user (uid and gid 999, as all three official images have it), its data
 * directory owned by that user and declared a volume, its variables, its stop signal, its
 * command, and an entrypoint (stand-ins/<server>-entrypoint.sh) that does what the
 * official one does for the settings the local stack uses.
 *
 * What they prove: the container settings the stack declares (user, read-only root,
 * tmpfs, no capabilities, no-new-privileges, limits, volume, network, healthcheck,
 * command, variables) let these servers start, pass their healthchecks, take
 * authenticated clients from the network and keep their data on the named volume. What
 * they do not: that the pinned official images (PostgreSQL 17 or 16, Redis 7.4, RabbitMQ
 * 4.1, their own builds and entrypoints) behave the same; the entrypoints are the
 * official ones' behaviour as documented and read, not their code.
 */

/** The Debian release whose servers the stand-ins run. */
export const DATA_SERVERS_SUITE = "bookworm";
/** The PostgreSQL major of that release. */
export const POSTGRES_STAND_IN_MAJOR = 15;
/** The Redis of that release. */
export const REDIS_STAND_IN_VERSION = "7.0";
/** The RabbitMQ of that release. */
export const RABBITMQ_STAND_IN_VERSION = "3.10";

const STAND_INS = path.join(path.dirname(fileURLToPath(import.meta.url)), "stand-ins");
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A server the shared root file system holds, and how its stand-in image is laid out on it. */
export interface DataServerStandIn {
  /** What it is, for the log and the failure messages. */
  readonly description: string;
  /** The entrypoint script in stand-ins/, installed as /usr/local/bin/docker-entrypoint.sh. */
  readonly entrypoint: string;
  /** The Dockerfile instructions after FROM and the entrypoint's COPY, as the official image has them. */
  readonly instructions: readonly string[];
}

/** The stand-in of each official image family. */
export const DATA_SERVER_STAND_INS = {
  postgres: {
    description: `PostgreSQL ${POSTGRES_STAND_IN_MAJOR} from Debian ${DATA_SERVERS_SUITE}'s packages, not the official image`,
    entrypoint: "postgres-entrypoint.sh",
    instructions: [
      `ENV PATH=/usr/lib/postgresql/${POSTGRES_STAND_IN_MAJOR}/bin:${SYSTEM_PATH} PGDATA=${POSTGRES_DATA_PATH} LANG=C.UTF-8`,
      `VOLUME ${POSTGRES_DATA_PATH}`,
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      "STOPSIGNAL SIGINT",
      "EXPOSE 5432",
      'CMD ["postgres"]',
    ],
  },
  redis: {
    description: `Redis ${REDIS_STAND_IN_VERSION} from Debian ${DATA_SERVERS_SUITE}'s packages, not the official image`,
    entrypoint: "redis-entrypoint.sh",
    instructions: [
      `VOLUME ${REDIS_DATA_PATH}`,
      `WORKDIR ${REDIS_DATA_PATH}`,
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      "EXPOSE 6379",
      'CMD ["redis-server"]',
    ],
  },
  rabbitmq: {
    description: `RabbitMQ ${RABBITMQ_STAND_IN_VERSION} from Debian ${DATA_SERVERS_SUITE}'s packages, not the official image`,
    entrypoint: "rabbitmq-entrypoint.sh",
    instructions: [
      // The official image's HOME is the data directory, so that the server and the CLI
      // tools (the healthcheck's rabbitmq-diagnostics) find the same Erlang cookie; its PATH
      // has RabbitMQ's own scripts, not Debian's wrappers (which insist on the user's name).
      `ENV RABBITMQ_DATA_DIR=${RABBITMQ_DATA_PATH} HOME=${RABBITMQ_DATA_PATH} PATH=/usr/lib/rabbitmq/bin:${SYSTEM_PATH} LANG=C.UTF-8 LANGUAGE=C.UTF-8 LC_ALL=C.UTF-8`,
      `VOLUME ${RABBITMQ_DATA_PATH}`,
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      "EXPOSE 4369 5671 5672 15691 15692 25672",
      'CMD ["rabbitmq-server"]',
    ],
  },
} as const satisfies Record<string, DataServerStandIn>;

/** A family of official images the run has a stand-in for. */
export type DataServerFamily = keyof typeof DATA_SERVER_STAND_INS;

/** The official rabbitmq image's /etc/rabbitmq/conf.d/10-defaults.conf. */
const RABBITMQ_DEFAULTS_CONF = "loopback_users.guest = false\nlog.console = true\n";

/** An image the run made, and every image its build created (for the run's cleanup). */
export interface MadeImage {
  readonly id: string;
  readonly createdImageIds: readonly string[];
}

/** What both builds are given. */
interface BuildOptions {
  readonly engine: DockerEngine;
  /** The tag to give the image. */
  readonly tag: string;
  /** Labels of the image (the run's, so that the run removes it). */
  readonly labels: Readonly<Record<string, string>>;
  /** Give up on mmdebstrap, then on the build, after this long. @default 900000 (15 minutes) */
  readonly timeoutMs?: number;
}

/**
 * Makes the root file system the stand-ins share and imports it as an image tagged
 * `options.tag`: Debian bookworm minbase with `postgresql-15`, `redis-server` and
 * `rabbitmq-server`, their users made beforehand with uid and gid 999 (the official
 * images' ids, which the stack runs as, so Debian's postinst finds them instead of
 * picking system ids), and each data directory as the official image leaves it.
 */
export async function makeDataServersRoot(options: BuildOptions): Promise<MadeImage> {
  const mmdebstrap = findExecutable("mmdebstrap");
  if (!mmdebstrap)
    throw new Error(
      "no stand-in for the postgres, redis and rabbitmq images: mmdebstrap is not installed; `apt-get install mmdebstrap`",
    );
  const timeoutMs = options.timeoutMs ?? 900_000;
  const major = POSTGRES_STAND_IN_MAJOR;
  const users = [
    { name: "postgres", id: POSTGRES_USER_ID, home: "/var/lib/postgresql" },
    { name: "redis", id: REDIS_USER_ID, home: "/var/lib/redis" },
    { name: "rabbitmq", id: RABBITMQ_USER_ID, home: RABBITMQ_DATA_PATH },
  ];
  const work = mkdtempSync(path.join(os.tmpdir(), "platform-data-servers-"));
  try {
    writeFileSync(path.join(work, "10-defaults.conf"), RABBITMQ_DEFAULTS_CONF);
    const args = [
      ...SLIM_MMDEBSTRAP_OPTIONS,
      `--include=postgresql-${major},redis-server,rabbitmq-server`,
      `--essential-hook=${users
        .map(
          (u) =>
            `echo "${u.name}:x:${u.id}:${u.id}::${u.home}:/bin/sh" >> "$1/etc/passwd" && echo "${u.name}:x:${u.id}:" >> "$1/etc/group" && echo "${u.name}:*:19000:0:99999:7:::" >> "$1/etc/shadow"`,
        )
        .join(" && ")}`,
      [
        // Debian's postinst makes a cluster "main"; the official image makes none.
        `--customize-hook=if [ -d "$1/etc/postgresql/${major}/main" ]; then chroot "$1" pg_dropcluster ${major} main; fi`,
        `mkdir -p "$1${POSTGRES_DATA_PATH}"`,
        `chown ${POSTGRES_USER_ID}:${POSTGRES_USER_ID} "$1${POSTGRES_DATA_PATH}"`,
        `chmod 1777 "$1${POSTGRES_DATA_PATH}"`,
        // As the official image does to its sample: initdb writes listen_addresses = '*'.
        `sed -ri "s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!" "$1/usr/share/postgresql/${major}/postgresql.conf.sample"`,
        `grep -q "^listen_addresses = '\\*'" "$1/usr/share/postgresql/${major}/postgresql.conf.sample"`,
      ].join(" && "),
      // The official redis image: /data owned by redis, its working directory and volume.
      `--customize-hook=mkdir -p "$1${REDIS_DATA_PATH}" && chown ${REDIS_USER_ID}:${REDIS_USER_ID} "$1${REDIS_DATA_PATH}"`,
      // The official rabbitmq image: its data directory (home) and configuration owned by
      // rabbitmq, no cookie yet (the first start writes one), its defaults in conf.d.
      `--customize-hook=mkdir -p "$1${RABBITMQ_DATA_PATH}" "$1/etc/rabbitmq/conf.d"`,
      `--customize-hook=upload ${path.join(work, "10-defaults.conf")} /etc/rabbitmq/conf.d/10-defaults.conf`,
      [
        `--customize-hook=rm -f "$1${RABBITMQ_DATA_PATH}/.erlang.cookie"`,
        `chown -R ${RABBITMQ_USER_ID}:${RABBITMQ_USER_ID} "$1${RABBITMQ_DATA_PATH}" "$1/etc/rabbitmq"`,
      ].join(" && "),
      DATA_SERVERS_SUITE,
      path.join(work, "rootfs.tar"),
      DEBIAN_MIRROR,
    ];
    try {
      execFileSync(mmdebstrap, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    } catch (error) {
      const output = error as { stderr?: Buffer; message: string };
      throw new Error(
        `mmdebstrap could not make the data servers' root file system from ${DEBIAN_MIRROR} (${DATA_SERVERS_SUITE}, postgresql-${major}, redis-server, rabbitmq-server): ${output.stderr?.toString("utf8").trim().split("\n").slice(-15).join("\n") || output.message}`,
      );
    }
    // A build rather than `docker import`, so that the image carries the run's labels like its children.
    writeFileSync(path.join(work, "Dockerfile"), ["FROM scratch", "ADD rootfs.tar /", ""].join("\n"));
    return await build(options, work, timeoutMs);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Makes the stand-in of one family on the shared root (`base`, an image id) and tags it `options.tag`. */
export async function makeDataServerStandIn(
  options: BuildOptions & { readonly base: string; readonly family: DataServerFamily },
): Promise<MadeImage> {
  const standIn: DataServerStandIn = DATA_SERVER_STAND_INS[options.family];
  const work = mkdtempSync(path.join(os.tmpdir(), `platform-${options.family}-stand-in-`));
  try {
    copyFileSync(path.join(STAND_INS, standIn.entrypoint), path.join(work, standIn.entrypoint));
    // A Dockerfile rather than `docker import --change`, which cannot set STOPSIGNAL on Docker 20.10.
    writeFileSync(
      path.join(work, "Dockerfile"),
      [
        `FROM ${options.base}`,
        `COPY ${standIn.entrypoint} /usr/local/bin/docker-entrypoint.sh`,
        ...standIn.instructions,
        "",
      ].join("\n"),
    );
    return await build(options, work, options.timeoutMs ?? 300_000);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `docker build` of `work` with the classic builder, as the image builds of the run are. */
async function build(options: BuildOptions, work: string, timeoutMs: number): Promise<MadeImage> {
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
}
