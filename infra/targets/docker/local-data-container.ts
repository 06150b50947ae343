import { Construct } from "constructs";
import type { DockerEnvironment } from "../../environments.js";
import {
  BACKING_SERVICE_LABEL,
  type ConnectionPart,
  connectionVariable,
  dataResourceName,
} from "../../spec/backing-services.js";
import type { BackingService, ServiceSpec } from "../../spec/model.js";
import { WRITABLE_TMP_PATH } from "../hardening.js";
import { localContainerDefaults } from "./container-defaults.js";
import { dockerLabels } from "./labels.js";
import { dataContainerName, dataNetworkName, dataVolumeName, readerNetworkName } from "./names.js";
import { Container, Image, type Network, Network as DockerNetwork, Password } from "./resources.js";

/** The label on a reader's network to a backing service: the reader's name. */
export const READER_LABEL = "platform.dev/reader";

/** Props of every local backing service ({@link LocalDataContainer}). */
export interface LocalDataContainerProps<T extends BackingService = BackingService> {
  /** The service that owns the data: its containers alone join the data's network. */
  readonly owner: ServiceSpec;
  readonly resource: T;
  readonly environment: DockerEnvironment;
  /**
   * The services that read it (`uses`): each gets a network of its own with the data
   * container, which the owner's containers do not join.
   * @default [] - only the owner reaches it
   */
  readonly readers?: readonly string[];
}

/** What the shared part hands a type to describe its container with. */
export interface DataContainerContext {
  /** `<owner>-<resource>`: the container's alias on its network, so the host of the connection. */
  readonly dataName: string;
  /** The generated password, as a Terraform reference (never a value in the JSON). */
  readonly password: string;
}

/** What one type of backing service adds to the shared container: its image, user, data and connection. */
export interface DataContainerSettings {
  /** A pinned official image. */
  readonly image: string;
  /** The image's own non-root user, which owns the data directory in the image. */
  readonly userId: number;
  /** Where the image keeps its data: the named volume is mounted there. */
  readonly dataPath: string;
  /** The container's variables; the password only as the Terraform reference. */
  readonly env: readonly string[];
  /** @default the image's own command */
  readonly command?: readonly string[];
  /** @default the container id, which changes when the container is replaced */
  readonly hostname?: string;
  /** Writable paths besides /tmp (the root file system is read-only). @default {} - none */
  readonly tmpfs?: Readonly<Record<string, string>>;
  /** The healthcheck, a command of the image's own tools (`CMD` or `CMD-SHELL` first). */
  readonly healthcheck: readonly string[];
  /** How long the first start may take before failed checks count. */
  readonly startPeriod: string;
  /** The owner's connection, by part: plain values, and the password and URL through the reference. */
  readonly connection: Readonly<Partial<Record<ConnectionPart, string>>>;
}

/**
 * A backing service on the local engine, one container per resource, the same for every
 * type: the type's pinned official image, a password Terraform makes (`random_password`:
 * in the state, never in the JSON), a named volume for the data, an internal network that
 * only the owner joins, one internal network per service that reads it (`uses`) that only
 * that reader joins (so a reader reaches the data, but neither the owner's containers nor
 * the other readers), and one container, hardened as far as the image allows: the
 * image's own non-root user from the start (so the entrypoint needs no capability to
 * change users), a read-only root file system with a tmpfs at /tmp, no capabilities,
 * no-new-privileges, the resource's memory limit (and cpu limit, else one cpu), and a
 * healthcheck with the image's own tool. Terraform creates it only once it is healthy
 * (`wait`), and the owner's and readers' containers depend on it. The networks and the
 * container carry the label `platform.dev/backing-service=<owner>-<resource>`.
 *
 * Each type (LocalPostgres, LocalRedis, LocalQueue) gives what is its own through
 * {@link DataContainerSettings}.
 */
export abstract class LocalDataContainer extends Construct {
  /** The network the owner's containers join to reach it. */
  readonly network: Network;
  /** The network each reader's containers join to reach it, by the reader's name. */
  readonly readerNetworks: ReadonlyMap<string, Network>;
  readonly container: Container;
  readonly password: Password;
  /** The owner's variables for it: plain values, and the password and URL by reference. */
  readonly variables: Readonly<Record<string, string>>;
  /** The connection by part, for the services that read it (`uses`) under their own names. */
  readonly connection: Readonly<Partial<Record<ConnectionPart, string>>>;

  protected constructor(
    scope: Construct,
    id: string,
    props: LocalDataContainerProps,
    settingsOf: (context: DataContainerContext) => DataContainerSettings,
  ) {
    super(scope, id);
    const { owner, resource, environment } = props;
    const dataName = dataResourceName(owner.name, resource.name);
    const labels = [...dockerLabels(owner.name, environment.name), { label: BACKING_SERVICE_LABEL, value: dataName }];
    // Letters and digits only (about 190 bits): a URL holds it without escaping.
    this.password = new Password(this, "password", { length: 32, special: false });
    const settings = settingsOf({ dataName, password: this.password.result });
    const image = new Image(this, "image", { name: settings.image, keepLocally: true });
    this.network = new DockerNetwork(this, "network", {
      name: dataNetworkName(environment, dataName),
      driver: "bridge",
      internal: true,
      labels,
    });
    this.readerNetworks = new Map(
      [...new Set(props.readers ?? [])].sort().map((reader) => [
        reader,
        new DockerNetwork(this, `network-for-${reader}`, {
          name: readerNetworkName(environment, reader, dataName),
          driver: "bridge",
          internal: true,
          labels: [...labels, { label: READER_LABEL, value: reader }],
        }),
      ]),
    );
    const networks = [this.network, ...this.readerNetworks.values()];

    const { limits } = resource.resources;
    this.container = new Container(this, "container", {
      name: dataContainerName(environment, dataName),
      ...localContainerDefaults(),
      image: image.imageId,
      env: [...settings.env],
      command: settings.command ? [...settings.command] : undefined,
      hostname: settings.hostname,
      user: `${settings.userId}:${settings.userId}`,
      readOnly: true,
      tmpfs: { ...settings.tmpfs, [WRITABLE_TMP_PATH]: "rw,noexec,nosuid,nodev,size=64m" },
      // A volume by name only, not a Terraform resource: Docker creates it when the container
      // first starts (copying the image's ownership of the directory), and neither a destroy
      // nor a replaced container deletes it. It is not in the state, so `npm run destroy --
      // local` keeps the data (`--delete-data` removes it).
      volumes: [{ volumeName: dataVolumeName(environment, dataName), containerPath: settings.dataPath }],
      memory: Math.ceil(limits.memoryMiB),
      memorySwap: Math.ceil(limits.memoryMiB),
      cpus: limits.cpuMillis !== undefined ? String(limits.cpuMillis / 1000) : "1",
      healthcheck: {
        test: [...settings.healthcheck],
        interval: "5s",
        timeout: "3s",
        retries: 5,
        startPeriod: settings.startPeriod,
      },
      labels,
      networksAdvanced: networks.map((network) => ({ name: network.nameInput!, aliases: [dataName] })),
      dependsOn: networks,
    });

    this.connection = settings.connection;
    this.variables = this.variablesNamedAfter(resource.name);
  }

  /** The network a reader's containers join; throws for a service that was not given as a reader (a bug). */
  networkFor(reader: string): Network {
    const network = this.readerNetworks.get(reader);
    if (!network) throw new Error(`${this.node.path}: '${reader}' is not among the readers it was given`);
    return network;
  }

  /**
   * The connection as variables named after `name`: the owner's after the resource
   * (`DB_HOST`), a reader's after `<owner>-<resource>` (`ORDERS_DB_HOST`).
   */
  variablesNamedAfter(name: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.connection).map(([part, value]) => [connectionVariable(name, part as ConnectionPart), value]),
    );
  }
}
