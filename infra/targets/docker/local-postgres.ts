import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import {
  connectionVariables,
  dataResourceName,
  POSTGRES_PORT,
  type PostgresVersion,
} from "../../spec/backing-services.js";
import type { PostgresBackingService, ServiceSpec } from "../../spec/model.js";
import { WRITABLE_TMP_PATH } from "../hardening.js";
import { localContainerDefaults } from "./container-defaults.js";
import { dockerLabels } from "./labels.js";
import { dataContainerName, dataNetworkName, dataVolumeName } from "./names.js";
import { Container, Image, type Network, Network as DockerNetwork, Password } from "./resources.js";

/** The official PostgreSQL image of each supported major, pinned to a minor release. */
export const POSTGRES_IMAGES: Readonly<Record<PostgresVersion, string>> = {
  16: "postgres:16.10-bookworm",
  17: "postgres:17.6-bookworm",
};

/** The uid and gid of the `postgres` user of the official image (Debian variants). */
export const POSTGRES_USER_ID = 999;
/** Where the official image keeps its data (`PGDATA`), a named volume here. */
export const POSTGRES_DATA_PATH = "/var/lib/postgresql/data";
/** Where PostgreSQL puts its socket and lock file: a tmpfs, as the root file system is read-only. */
export const POSTGRES_SOCKET_PATH = "/var/run/postgresql";
/** Memory and cpu of a local database: enough for development, capped like every container. */
export const LOCAL_POSTGRES_LIMITS = { memoryMiB: 512, cpus: "1" } as const;

/** Props of {@link LocalPostgres}. */
export interface LocalPostgresProps {
  /** The service that owns the database. */
  readonly owner: ServiceSpec;
  readonly resource: PostgresBackingService;
  readonly environment: DockerEnvironment;
}

/**
 * A PostgreSQL database a service owns, on the local engine: the pinned official image,
 * a password Terraform makes (`random_password`: in the state, never in the JSON), a
 * named volume for the data, an internal network that only the owner joins, and one
 * container, hardened as far as the image allows: it runs as `postgres` (uid 999) from
 * the start, so the entrypoint needs no capability to change users, with a read-only
 * root file system (tmpfs for the socket and /tmp), no capabilities, no-new-privileges,
 * memory and cpu limits, and a `pg_isready` healthcheck on TCP, which passes only once
 * the server that takes connections is up (the entrypoint's first-start server listens
 * on the socket alone). Terraform creates it only once it is healthy (`wait`), and the
 * owner's containers depend on it.
 */
export class LocalPostgres extends Construct {
  /** The network the owner's containers join to reach it. */
  readonly network: Network;
  readonly container: Container;
  readonly password: Password;
  /** The owner's variables for it: plain values, and the password and URL by reference. */
  readonly variables: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: LocalPostgresProps) {
    super(scope, id);
    const { owner, resource, environment } = props;
    const dataName = dataResourceName(owner.name, resource.name);
    const labels = [
      ...dockerLabels(owner.name, environment.name),
      { label: "platform.dev/backing-service", value: dataName },
    ];
    const image = new Image(this, "image", { name: POSTGRES_IMAGES[resource.version], keepLocally: true });
    // Letters and digits only (about 190 bits): the URL holds it without escaping.
    this.password = new Password(this, "password", { length: 32, special: false });
    this.network = new DockerNetwork(this, "network", {
      name: dataNetworkName(environment, dataName),
      driver: "bridge",
      internal: true,
      labels,
    });

    const database = owner.name;
    const user = owner.name;
    this.container = new Container(this, "container", {
      name: dataContainerName(environment, dataName),
      ...localContainerDefaults(),
      image: image.imageId,
      env: [`POSTGRES_USER=${user}`, `POSTGRES_DB=${database}`, `POSTGRES_PASSWORD=${this.password.result}`],
      user: `${POSTGRES_USER_ID}:${POSTGRES_USER_ID}`,
      readOnly: true,
      tmpfs: {
        [POSTGRES_SOCKET_PATH]: "rw,noexec,nosuid,nodev,size=1m",
        [WRITABLE_TMP_PATH]: "rw,noexec,nosuid,nodev,size=64m",
      },
      // A volume by name only, not a Terraform resource: Docker creates it when the container
      // first starts, and neither a destroy nor a replaced container deletes it. It is not in
      // the state, so `npm run destroy -- local` keeps the data (`--delete-data` removes it).
      volumes: [{ volumeName: dataVolumeName(environment, dataName), containerPath: POSTGRES_DATA_PATH }],
      memory: LOCAL_POSTGRES_LIMITS.memoryMiB,
      memorySwap: LOCAL_POSTGRES_LIMITS.memoryMiB,
      cpus: LOCAL_POSTGRES_LIMITS.cpus,
      healthcheck: {
        test: [
          "CMD",
          "pg_isready",
          "--host=127.0.0.1",
          `--port=${POSTGRES_PORT}`,
          `--username=${user}`,
          `--dbname=${database}`,
        ],
        interval: "5s",
        timeout: "3s",
        retries: 5,
        startPeriod: "30s",
      },
      labels,
      networksAdvanced: [{ name: this.network.nameInput!, aliases: [dataName] }],
      dependsOn: [this.network],
    });

    const names = connectionVariables(resource.name);
    this.variables = {
      [names.HOST]: dataName,
      [names.PORT]: String(POSTGRES_PORT),
      [names.DATABASE]: database,
      [names.USER]: user,
      [names.PASSWORD]: this.password.result,
      [names.URL]: `postgresql://${user}:${this.password.result}@${dataName}:${POSTGRES_PORT}/${database}`,
    };
  }
}
