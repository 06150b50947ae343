/**
 * Turns the `docker_network` and `docker_container` resources of the synthesized local
 * stack into the Docker Engine API requests the Terraform provider (kreuzwerker/docker
 * 3.x) sends for them, attribute by attribute. The container tests create what they
 * run with these requests, so a container runs with exactly the user, file system,
 * capabilities, limits, environment, healthcheck, labels and networks the stack
 * declares. An attribute this module does not know is an error, not a silent gap: when
 * the Docker target starts to use a new attribute, the tests stop until it is mapped.
 */

/** A resource of the synthesized JSON: its address and its values (snake_case). */
export interface DeclaredResource {
  /** `docker_container.catalog_replica-1_container_1A2B3C4D` */
  readonly address: string;
  readonly values: Record<string, unknown>;
}

/** How a run maps what the stack refers to onto what the run created. */
export interface ReferenceResolver {
  /** The run's name for a resource the stack names `name`. */
  readonly nameFor: (name: string) => string;
  /** The image id the run built for the `docker_image` resource at `address`. */
  readonly imageFor: (address: string) => string;
  /** The run's network name for the `docker_network` resource at `address`. */
  readonly networkFor: (address: string) => string;
  /**
   * The run's network name for the network the stack names `name` (a container may name its networks instead of
   * referring to them).
   */
  readonly networkNamed: (name: string) => string;
  /** The value the run gives a Terraform input variable. */
  readonly variableValue: (name: string) => string;
  /** The value the run gives the `result` of the `random_password` resource at `address` (Terraform makes it at apply). */
  readonly randomPasswordValue: (address: string) => string;
}

/** `POST /networks/create`. */
export interface NetworkCreateRequest {
  readonly Name: string;
  readonly Driver?: string;
  readonly Internal?: boolean;
  readonly Attachable?: boolean;
  readonly EnableIPv6?: boolean;
  readonly Options?: Record<string, string>;
  readonly Labels: Record<string, string>;
  readonly IPAM?: { Driver?: string; Options?: Record<string, string>; Config?: Array<Record<string, unknown>> };
  readonly CheckDuplicate: true;
}

/** A network endpoint of a container: the network and the names the container has on it. */
export interface EndpointRequest {
  readonly network: string;
  readonly Aliases?: string[];
  readonly IPAMConfig?: { IPv4Address?: string; IPv6Address?: string };
}

/** `POST /containers/create` (body), then the networks to connect before the start. */
export interface ContainerCreateRequest {
  readonly address: string;
  /** The run's container name. */
  readonly name: string;
  /** The name the stack declares. */
  readonly declaredName: string;
  readonly body: Record<string, any> & { Labels: Record<string, string>; HostConfig: Record<string, any> };
  /** Every declared network endpoint; the first one is the network the container is created on. */
  readonly endpoints: readonly EndpointRequest[];
  /**
   * Seconds between the stop signal and SIGKILL, as the provider waits on destroy (`destroy_grace_seconds`, else
   * `stop_timeout`, else Docker's 10).
   */
  readonly graceSeconds: number;
  /** Ports the stack publishes, `8080/tcp` to the host address it declares. */
  readonly publishedPorts: ReadonlyArray<{
    readonly containerPort: string;
    readonly hostIp: string;
    readonly declaredHostPort: string;
  }>;
  /** Attributes with no Engine equivalent (provider-side behaviour) that the run met, for the log. */
  readonly providerSide: readonly string[];
  /**
   * The run's names of the named volumes the container mounts. Docker creates a missing
   * one at the start, unlabelled; the run creates them first, with its labels, so that it
   * can remove them.
   */
  readonly namedVolumes: readonly string[];
}

const REFERENCE = /\$\{([^}]*)\}/g;

/** Replaces the Terraform references the harness understands; any other one is an error. */
function resolveReferences(value: unknown, where: string, resolver: ReferenceResolver): unknown {
  if (typeof value === "string") {
    return value.replace(REFERENCE, (whole, expression: string) => {
      const parts = expression.trim().split(".");
      if (parts[0] === "var" && parts.length === 2) return resolver.variableValue(parts[1]!);
      if (parts[0] === "random_password" && parts.length === 3 && parts[2] === "result")
        return resolver.randomPasswordValue(`random_password.${parts[1]}`);
      if (parts[0] === "docker_image" && parts.length === 3 && ["image_id", "name", "id"].includes(parts[2]!))
        return resolver.imageFor(`docker_image.${parts[1]}`);
      if (parts[0] === "docker_network" && parts.length === 3 && ["name", "id"].includes(parts[2]!))
        return resolver.networkFor(`docker_network.${parts[1]}`);
      throw new Error(
        `${where}: the reference ${whole} is not understood by the container tests; known: \${var.X}, \${random_password.X.result}, \${docker_image.X.image_id|name|id}, \${docker_network.X.name|id}`,
      );
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveReferences(item, `${where}[${index}]`, resolver));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveReferences(item, `${where}.${key}`, resolver)]),
    );
  }
  return value;
}

/** The environment a declared container gets, its references resolved, by variable name. */
export function declaredEnvironment(container: DeclaredResource, resolver: ReferenceResolver): Record<string, string> {
  const env = resolveReferences(container.values.env ?? [], `${container.address}.env`, resolver);
  return Object.fromEntries(
    stringList(env, `${container.address}.env`).map((entry) => {
      const equals = entry.indexOf("=");
      return [entry.slice(0, equals), entry.slice(equals + 1)];
    }),
  );
}

/** A Go duration ("10s", "1m30s", "500ms") in nanoseconds, as the provider parses it. */
export function durationNanoseconds(text: string, where: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const pattern = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * units[match[2]!]!;
    matched += match[0].length;
  }
  if (text === "" || matched !== text.length)
    throw new Error(
      `${where}: ${JSON.stringify(text)} is not a duration; accepted: Go durations like "10s", "1m30s", "500ms"`,
    );
  return Math.round(total);
}

function labelMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value))
    throw new Error(`${where}: expected a list of { label, value }, got ${JSON.stringify(value)}`);
  return Object.fromEntries(value.map((entry: { label: string; value: string }) => [entry.label, entry.value]));
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new Error(`${where}: expected a list of strings, got ${JSON.stringify(value)}`);
  return value as string[];
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${where}: expected a map of strings, got ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** Terraform meta-arguments and cdktf metadata: not settings of the resource. */
const META_ARGUMENTS = new Set([
  "//",
  "depends_on",
  "provider",
  "lifecycle",
  "count",
  "for_each",
  "connection",
  "provisioner",
  "timeouts",
]);

/** `docker_network` attributes, mapped as the provider maps them onto `NetworkCreate`. */
export function networkCreateRequest(
  network: DeclaredResource,
  resolver: ReferenceResolver,
  labels: Record<string, string>,
): NetworkCreateRequest {
  const values = resolveReferences(network.values, network.address, resolver) as Record<string, any>;
  const request: Record<string, any> = { CheckDuplicate: true, Labels: {} };
  let declaredLabels: Record<string, string> = {};
  for (const [attribute, value] of Object.entries(values)) {
    const where = `${network.address}.${attribute}`;
    if (META_ARGUMENTS.has(attribute) || value === undefined || value === null) continue;
    switch (attribute) {
      case "name":
        request.Name = resolver.nameFor(String(value));
        break;
      case "driver":
        request.Driver = String(value);
        break;
      case "internal":
        request.Internal = Boolean(value);
        break;
      case "attachable":
        request.Attachable = Boolean(value);
        break;
      case "ipv6":
        request.EnableIPv6 = Boolean(value);
        break;
      case "options":
        request.Options = stringMap(value, where);
        break;
      case "labels":
        declaredLabels = labelMap(value, where);
        break;
      case "ipam_driver":
        request.IPAM = { ...request.IPAM, Driver: String(value) };
        break;
      case "ipam_options":
        request.IPAM = { ...request.IPAM, Options: stringMap(value, where) };
        break;
      case "ipam_config":
        request.IPAM = {
          ...request.IPAM,
          Config: (value as Array<Record<string, any>>).map((c) => ({
            Subnet: c.subnet,
            IPRange: c.ip_range,
            Gateway: c.gateway,
            AuxiliaryAddresses: c.aux_address,
          })),
        };
        break;
      case "check_duplicate":
        break;
      default:
        throw new Error(
          `${where}: the container tests do not know this docker_network attribute (value ${JSON.stringify(value)}); map it in test/containers/support/engine-requests.ts as the provider passes it to the engine`,
        );
    }
  }
  if (!request.Name) throw new Error(`${network.address}: has no name`);
  request.Labels = { ...declaredLabels, ...labels };
  return request as NetworkCreateRequest;
}

/** Attributes the provider acts on itself, with no field in the Engine's create request. */
const PROVIDER_SIDE_ATTRIBUTES: Record<string, string> = {
  must_run: "the provider keeps the container running; the run checks it runs and is healthy",
  start: "the provider starts the container; the run starts it",
  attach: "the provider waits for the container to exit",
  logs: "the provider reads the logs when attach is set",
  rm: "the provider removes the container after it exits",
  wait: "the provider waits for healthy; the run waits for healthy anyway",
  wait_timeout: "the provider's healthy wait; the run has its own bound",
  remove_volumes: "applies when the provider destroys the container",
  destroy_grace_seconds: "the grace period the provider gives at destroy; the run stops with it",
  container_read_refresh_timeout_milliseconds: "how long the provider polls after create",
  keep_locally: "applies to images",
};

interface RequestUnderConstruction {
  readonly body: Record<string, any>;
  readonly host: Record<string, any>;
  readonly published: Array<ContainerCreateRequest["publishedPorts"][number]>;
  readonly namedVolumes: string[];
  readonly resolver: ReferenceResolver;
}

type ContainerAttributeHandler = (value: any, request: RequestUnderConstruction, where: string) => void;

/** Every `docker_container` attribute the harness maps, onto `ContainerCreate` the way the provider does. */
const CONTAINER_ATTRIBUTES: Record<string, ContainerAttributeHandler> = {
  image: (v, r) => (r.body.Image = String(v)),
  hostname: (v, r) => (r.body.Hostname = String(v)),
  domainname: (v, r) => (r.body.Domainname = String(v)),
  tty: (v, r) => (r.body.Tty = Boolean(v)),
  stdin_open: (v, r) => (r.body.OpenStdin = Boolean(v)),
  env: (v, r, w) => (r.body.Env = stringList(v, w)),
  command: (v, r, w) => (r.body.Cmd = stringList(v, w)),
  entrypoint: (v, r, w) => (r.body.Entrypoint = stringList(v, w)),
  user: (v, r) => (r.body.User = String(v)),
  working_dir: (v, r) => (r.body.WorkingDir = String(v)),
  stop_signal: (v, r) => (r.body.StopSignal = String(v)),
  stop_timeout: (v, r) => (r.body.StopTimeout = Number(v)),
  labels: (v, r, w) => (r.body.Labels = { ...r.body.Labels, ...labelMap(v, w) }),
  healthcheck: (v, r, w) => {
    const check = (Array.isArray(v) ? v[0] : v) as Record<string, any>;
    const health: Record<string, unknown> = { Test: stringList(check.test, `${w}.test`) };
    if (check.interval !== undefined) health.Interval = durationNanoseconds(check.interval, `${w}.interval`);
    if (check.timeout !== undefined) health.Timeout = durationNanoseconds(check.timeout, `${w}.timeout`);
    if (check.start_period !== undefined)
      health.StartPeriod = durationNanoseconds(check.start_period, `${w}.start_period`);
    if (check.start_interval !== undefined)
      health.StartInterval = durationNanoseconds(check.start_interval, `${w}.start_interval`);
    if (check.retries !== undefined) health.Retries = Number(check.retries);
    const unknown = Object.keys(check).filter(
      (k) => !["test", "interval", "timeout", "start_period", "start_interval", "retries"].includes(k),
    );
    if (unknown.length > 0) throw new Error(`${w}: unknown healthcheck attributes ${unknown.join(", ")}`);
    r.body.Healthcheck = health;
  },
  ports: (v, r, w) => {
    for (const [index, port] of (v as Array<Record<string, any>>).entries()) {
      const key = `${port.internal}/${port.protocol ?? "tcp"}`;
      if (port.internal === undefined) throw new Error(`${w}[${index}]: has no internal port`);
      r.body.ExposedPorts = { ...r.body.ExposedPorts, [key]: {} };
      // The declared host port stays with the stack; the run lets the engine pick a free one
      // on the same host address, since the machine is shared (the address is what matters).
      const hostIp = String(port.ip ?? "0.0.0.0");
      r.host.PortBindings = {
        ...r.host.PortBindings,
        [key]: [...(r.host.PortBindings?.[key] ?? []), { HostIp: hostIp, HostPort: "" }],
      };
      r.published.push({ containerPort: key, hostIp, declaredHostPort: String(port.external ?? "") });
    }
  },
  read_only: (v, r) => (r.host.ReadonlyRootfs = Boolean(v)),
  // As the provider does: a named volume becomes a bind "<volume>:<path>:rw|ro" and an entry of Volumes.
  volumes: (v, r, w) => {
    for (const [index, volume] of (v as Array<Record<string, any>>).entries()) {
      const where = `${w}[${index}]`;
      const unknown = Object.keys(volume).filter((k) => !["volume_name", "container_path", "read_only"].includes(k));
      if (unknown.length > 0)
        throw new Error(
          `${where}: the container tests mount named volumes only; they do not map ${unknown.join(", ")} (value ${JSON.stringify(volume)})`,
        );
      if (!volume.volume_name || !volume.container_path)
        throw new Error(`${where}: a named volume needs volume_name and container_path, got ${JSON.stringify(volume)}`);
      const name = r.resolver.nameFor(String(volume.volume_name));
      r.namedVolumes.push(name);
      r.body.Volumes = { ...r.body.Volumes, [String(volume.container_path)]: {} };
      r.host.Binds = [...(r.host.Binds ?? []), `${name}:${volume.container_path}:${volume.read_only ? "ro" : "rw"}`];
    }
  },
  tmpfs: (v, r, w) => (r.host.Tmpfs = stringMap(v, w)),
  capabilities: (v, r, w) => {
    const caps = (Array.isArray(v) ? v[0] : v) as { add?: unknown; drop?: unknown };
    if (caps.add !== undefined) r.host.CapAdd = stringList(caps.add, `${w}.add`);
    if (caps.drop !== undefined) r.host.CapDrop = stringList(caps.drop, `${w}.drop`);
  },
  security_opts: (v, r, w) => (r.host.SecurityOpt = stringList(v, w)),
  privileged: (v, r) => (r.host.Privileged = Boolean(v)),
  publish_all_ports: (v, r) => (r.host.PublishAllPorts = Boolean(v)),
  init: (v, r) => (r.host.Init = Boolean(v)),
  memory: (v, r) => (r.host.Memory = Number(v) * 1024 * 1024),
  memory_swap: (v, r) => (r.host.MemorySwap = Number(v) > 0 ? Number(v) * 1024 * 1024 : Number(v)),
  shm_size: (v, r) => (r.host.ShmSize = Number(v) * 1024 * 1024),
  cpus: (v, r, w) => {
    const cpus = Number(v);
    if (!Number.isFinite(cpus) || cpus <= 0) throw new Error(`${w}: ${JSON.stringify(v)} is not a cpu count`);
    r.host.NanoCpus = Math.round(cpus * 1e9);
  },
  cpu_shares: (v, r) => (r.host.CpuShares = Number(v)),
  cpu_period: (v, r) => (r.host.CpuPeriod = Number(v)),
  cpu_quota: (v, r) => (r.host.CpuQuota = Number(v)),
  cpu_set: (v, r) => (r.host.CpusetCpus = String(v)),
  restart: (v, r) => (r.host.RestartPolicy = { ...r.host.RestartPolicy, Name: String(v) }),
  max_retry_count: (v, r) => (r.host.RestartPolicy = { ...r.host.RestartPolicy, MaximumRetryCount: Number(v) }),
  log_driver: (v, r) => (r.host.LogConfig = { ...r.host.LogConfig, Type: String(v) }),
  log_opts: (v, r, w) => (r.host.LogConfig = { ...r.host.LogConfig, Config: stringMap(v, w) }),
  ulimit: (v, r) =>
    (r.host.Ulimits = (v as Array<{ name: string; soft: number; hard: number }>).map((u) => ({
      Name: u.name,
      Soft: u.soft,
      Hard: u.hard,
    }))),
  dns: (v, r, w) => (r.host.Dns = stringList(v, w)),
  dns_opts: (v, r, w) => (r.host.DnsOptions = stringList(v, w)),
  dns_search: (v, r, w) => (r.host.DnsSearch = stringList(v, w)),
  group_add: (v, r, w) => (r.host.GroupAdd = stringList(v, w)),
  sysctls: (v, r, w) => (r.host.Sysctls = stringMap(v, w)),
  ipc_mode: (v, r) => (r.host.IpcMode = String(v)),
  pid_mode: (v, r) => (r.host.PidMode = String(v)),
  userns_mode: (v, r) => (r.host.UsernsMode = String(v)),
  runtime: (v, r) => (r.host.Runtime = String(v)),
  network_mode: (v, r) => (r.host.NetworkMode = String(v)),
};

/**
 * The Engine requests that create and connect the container the stack declares.
 * `extraLabels` (the run's) are added to the declared labels.
 */
export function containerCreateRequest(
  container: DeclaredResource,
  resolver: ReferenceResolver,
  extraLabels: Record<string, string>,
): ContainerCreateRequest {
  const values = resolveReferences(container.values, container.address, resolver) as Record<string, any>;
  const request: RequestUnderConstruction = {
    body: { Labels: {} },
    host: {},
    published: [],
    namedVolumes: [],
    resolver,
  };
  const providerSide: string[] = [];
  let endpoints: EndpointRequest[] = [];
  let declaredName = "";
  for (const [attribute, value] of Object.entries(values)) {
    const where = `${container.address}.${attribute}`;
    if (META_ARGUMENTS.has(attribute) || value === undefined || value === null) continue;
    if (attribute === "name") {
      declaredName = String(value);
    } else if (attribute === "networks_advanced") {
      const declared = container.values.networks_advanced as Array<{ name: string }>;
      endpoints = (value as Array<Record<string, any>>).map((n, index) => {
        const known = ["name", "aliases", "ipv4_address", "ipv6_address"];
        const unknown = Object.keys(n).filter((k) => !known.includes(k));
        if (unknown.length > 0) throw new Error(`${where}: unknown networks_advanced attributes ${unknown.join(", ")}`);
        const ipam =
          n.ipv4_address || n.ipv6_address
            ? { IPAMConfig: { IPv4Address: n.ipv4_address, IPv6Address: n.ipv6_address } }
            : {};
        const named = !String(declared[index]!.name).includes("${");
        return {
          network: named ? resolver.networkNamed(String(n.name)) : String(n.name),
          ...(n.aliases ? { Aliases: stringList(n.aliases, `${where}.aliases`) } : {}),
          ...ipam,
        };
      });
    } else if (attribute in PROVIDER_SIDE_ATTRIBUTES) {
      providerSide.push(`${attribute}=${JSON.stringify(value)}: ${PROVIDER_SIDE_ATTRIBUTES[attribute]}`);
    } else if (attribute in CONTAINER_ATTRIBUTES) {
      CONTAINER_ATTRIBUTES[attribute]!(value, request, where);
    } else {
      throw new Error(
        `${where}: the container tests do not know this docker_container attribute (value ${JSON.stringify(value)}); map it in test/containers/support/engine-requests.ts as the provider passes it to the engine`,
      );
    }
  }
  if (!declaredName) throw new Error(`${container.address}: has no name`);
  if (!request.body.Image) throw new Error(`${container.address}: has no image`);
  if (endpoints.length === 0 && !request.host.NetworkMode) {
    throw new Error(
      `${container.address}: declares no network; the container tests run containers only on networks they create`,
    );
  }
  if (endpoints.length > 0) request.host.NetworkMode = endpoints[0]!.network;
  // The provider disconnects the default bridge when networks_advanced is set: only the declared networks remain.

  request.body.Labels = { ...request.body.Labels, ...extraLabels };
  const grace = values.destroy_grace_seconds ?? values.stop_timeout ?? 10;
  const first = endpoints[0];
  const body = {
    ...request.body,
    HostConfig: request.host,
    ...(first
      ? {
          NetworkingConfig: {
            EndpointsConfig: { [first.network]: { Aliases: first.Aliases, IPAMConfig: first.IPAMConfig } },
          },
        }
      : {}),
  };
  return {
    address: container.address,
    name: resolver.nameFor(declaredName),
    declaredName,
    body: body as ContainerCreateRequest["body"],
    endpoints,
    graceSeconds: Number(grace),
    publishedPorts: request.published,
    providerSide,
    namedVolumes: request.namedVolumes,
  };
}
