import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type DockerEngine, EngineError } from "./docker-engine.js";
import {
  containerCreateRequest,
  networkCreateRequest,
  type ContainerCreateRequest,
  type ReferenceResolver,
} from "./engine-requests.js";
import type { BuildOutcome, BuiltImage } from "./image-build.js";
import type { LocalStack, StackResource } from "./local-stack.js";
import type { StandInOutcome } from "./stand-in-images.js";
import { RUN_LABEL, runLabels, type TestRun } from "./test-run.js";

/**
 * Builds, creates, starts, probes and stops what the local stack declares, within one
 * scope of a run (a test file, or one service of it): networks, volumes and containers get
 * names `<run id>-<scope>-<declared name>`, so that scopes never meet on the engine.
 */

/** A container the runner created. */
export interface RunnerContainer {
  readonly id: string;
  readonly name: string;
  readonly service: string | undefined;
  readonly request: ContainerCreateRequest;
}

/** What {@link StackRunner.waitUntilHealthy} measured. */
export interface HealthyReport {
  /** Seconds from the start request until Docker reported `healthy`. */
  readonly secondsToHealthy: number;
}

/** How a container ended after {@link StackRunner.stop}. */
export interface StopReport {
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly seconds: number;
  readonly stopSignal: string;
  readonly graceSeconds: number;
}

/** The test value a Terraform input variable gets (the local stack's secrets are variables). */
export function testVariableValue(name: string): string {
  return `container-test-value-of-${name}`;
}

/**
 * The test value of a `random_password` resource's `result`: letters and digits only, as
 * the stack's passwords are (`special: false`), so that a URL holds it unescaped.
 */
export function testRandomPasswordValue(address: string): string {
  return `containertest${address.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** What a one-shot container printed and how it ended. */
export interface OneShotResult {
  readonly exitCode: number;
  readonly output: string;
}

/** Runs the local stack's declarations on the engine, under one scope of a run. */
export class StackRunner {
  private readonly networks = new Map<string, string>();
  private readonly images = new Map<string, BuiltImage>();
  private readonly labels: Record<string, string>;
  readonly resolver: ReferenceResolver;

  constructor(
    readonly engine: DockerEngine,
    readonly stack: LocalStack,
    readonly run: TestRun,
    readonly scope: string,
    /** The images the run built before the tests, by docker_image address. */
    readonly built: Readonly<Record<string, BuildOutcome>>,
    /** The stand-ins of the images the stack pulls, by image name. */
    readonly standIns: Readonly<Record<string, StandInOutcome>> = {},
  ) {
    this.labels = { ...runLabels(run), "platform.test/scope": scope };
    this.resolver = {
      nameFor: (name) => `${run.id}-${scope}-${name}`,
      imageFor: (address) => {
        const image = this.images.get(address);
        if (!image) throw new Error(`${address} was not built by this run`);
        return image.id;
      },
      networkFor: (address) => {
        const network = this.networks.get(address);
        if (!network) throw new Error(`${address} was not created by this run`);
        return network;
      },
      networkNamed: (name) => {
        const network = stack.ofType("docker_network").find((n) => n.values.name === name);
        if (!network) throw new Error(`the local stack declares no docker_network named ${JSON.stringify(name)}`);
        return this.resolver.networkFor(network.address);
      },
      variableValue: testVariableValue,
      randomPasswordValue: testRandomPasswordValue,
    };
  }

  /**
   * The image a container runs: the one the run built for its docker_image (before the
   * tests, once per run), or, for an image the stack pulls, its stand-in (see
   * stand-in-images.ts), made in the run's setup and found by the image's exact name.
   */
  async imageOf(container: StackResource): Promise<BuiltImage> {
    const image = this.stack.imageOf(container);
    if (!image)
      throw new Error(
        `${container.address}: runs ${JSON.stringify(container.values.image)}, not a docker_image of the stack`,
      );
    const known = this.images.get(image.address);
    if (known) return known;
    const outcome = this.built[image.address];
    if (outcome && "error" in outcome) throw new Error(outcome.error);
    if (outcome) {
      this.images.set(image.address, outcome);
      return outcome;
    }
    if (image.values.build !== undefined) throw new Error(`${image.address} was not built by the run's setup`);
    const name = String(image.values.name);
    const standIn = this.standIns[name];
    if (!standIn)
      throw new Error(
        `${image.address}: pulls ${name}, and the run's setup prepared no stand-in for it (it prepares one for each image the stacks it synthesized pull)`,
      );
    if ("error" in standIn) throw new Error(`${image.address}: ${standIn.error}`);
    const pulled = {
      address: image.address,
      tag: name,
      id: standIn.id,
      sizeBytes: standIn.sizeBytes,
      buildSeconds: standIn.buildSeconds,
      createdImageIds: [],
    };
    this.images.set(image.address, pulled);
    return pulled;
  }

  /** Creates a declared network (once per scope). */
  async createNetwork(network: StackResource): Promise<string> {
    const existing = this.networks.get(network.address);
    if (existing) return existing;
    const request = networkCreateRequest(network, this.resolver, this.labels);
    await this.engine.request("POST", "/networks/create", request).catch((error) => this.explainNetworkRefusal(error));
    this.networks.set(network.address, request.Name);
    return request.Name;
  }

  /**
   * Rethrows a refused network creation; when the engine's address pools are used up, says
   * by whom: the networks of each test run (a killed run's stay until they are stale, see
   * test-run.ts) and the others, and how to give the engine more.
   */
  private async explainNetworkRefusal(error: unknown): Promise<never> {
    if (!(error instanceof EngineError) || !/address pool/i.test(error.detail)) throw error;
    // The refusal is what the test reports, also when the engine cannot list its networks.
    const networks = await this.engine
      .request<Array<{ Name: string; Labels?: Record<string, string> }>>("GET", "/networks")
      .catch(() => {
        throw error;
      });
    const holders = new Map<string, number>();
    for (const { Labels } of networks) {
      const holder = Labels?.[RUN_LABEL] ? `test run ${Labels[RUN_LABEL]}` : "not the tests'";
      holders.set(holder, (holders.get(holder) ?? 0) + 1);
    }
    throw new Error(
      `${error.message}\nthe engine has ${networks.length} networks: ${[...holders].map(([holder, n]) => `${n} ${holder}`).join(", ")}; ` +
        "remove what a killed run left (docker network rm of its networks, labelled platform.test/run=<id>), or start dockerd with more address pools (.ci/run does: --default-address-pool base=172.16.0.0/12,size=24)",
      { cause: error },
    );
  }

  /**
   * A network of the run's own, not declared by the stack, with a gateway to the host:
   * the only way to publish a port of a service the stack keeps internal, so that the
   * test can call it on 127.0.0.1.
   */
  async createProbeNetwork(): Promise<string> {
    const name = this.resolver.nameFor("probe");
    if (![...this.networks.values()].includes(name)) {
      await this.engine.request("POST", "/networks/create", {
        Name: name,
        Driver: "bridge",
        Internal: false,
        CheckDuplicate: true,
        Labels: this.labels,
      });
      this.networks.set(`probe:${name}`, name);
    }
    return name;
  }

  /**
   * Creates the container exactly as declared (its networks too), without starting it.
   * With `probe`, it also joins the probe network and publishes `probe.port` on
   * 127.0.0.1 (a free host port), unless the stack already publishes that port.
   */
  async createContainer(container: StackResource, probe?: { readonly port: number }): Promise<RunnerContainer> {
    for (const network of this.stack.networksOf(container)) await this.createNetwork(network);
    const request = containerCreateRequest(container, this.resolver, this.labels);
    // Docker would make a missing named volume at the start, without the run's labels; an existing one is kept.
    for (const volume of request.namedVolumes)
      await this.engine.request("POST", "/volumes/create", { Name: volume, Labels: this.labels });
    const body = structuredClone(request.body);
    const endpoints = [...request.endpoints];
    if (probe) {
      const key = `${probe.port}/tcp`;
      const declared = request.publishedPorts.some((p) => p.containerPort === key);
      if (!declared) {
        endpoints.push({ network: await this.createProbeNetwork() });
        body.ExposedPorts = { ...body.ExposedPorts, [key]: {} };
        body.HostConfig.PortBindings = {
          ...body.HostConfig.PortBindings,
          [key]: [{ HostIp: "127.0.0.1", HostPort: "" }],
        };
      }
    }
    const created = await this.engine.request<{ Id: string }>(
      "POST",
      `/containers/create?name=${encodeURIComponent(request.name)}`,
      body,
    );
    for (const endpoint of endpoints.slice(1)) {
      await this.engine.request("POST", `/networks/${encodeURIComponent(endpoint.network)}/connect`, {
        Container: created.Id,
        EndpointConfig: { Aliases: endpoint.Aliases, IPAMConfig: endpoint.IPAMConfig },
      });
    }
    return { id: created.Id, name: request.name, service: container.service, request };
  }

  /** Starts a created container. */
  async start(container: RunnerContainer): Promise<void> {
    await this.engine.request("POST", `/containers/${container.id}/start`);
  }

  /** Inspects a container (the Engine's JSON). */
  inspect(container: RunnerContainer): Promise<Record<string, any>> {
    return this.engine.request<Record<string, any>>("GET", `/containers/${container.id}/json`);
  }

  /**
   * Creates and starts `declared` in order (each image first), then waits until Docker
   * reports each healthy; `probe` publishes a port of a container on 127.0.0.1 for the test.
   */
  async startHealthy(
    declared: readonly StackResource[],
    probe?: (container: StackResource) => { port: number } | undefined,
  ): Promise<RunnerContainer[]> {
    const started: Array<{ container: RunnerContainer; at: number }> = [];
    for (const container of declared) {
      await this.imageOf(container);
      const created = await this.createContainer(container, probe?.(container));
      const at = performance.now();
      await this.start(created);
      started.push({ container: created, at });
    }
    for (const { container, at } of started) await this.waitUntilHealthy(container, at);
    return started.map(({ container }) => container);
  }

  /**
   * Waits until Docker reports the container healthy. Bounded by the healthcheck it
   * declares (start period, then retries x (interval + timeout)) plus 30 s; fails at
   * once when the container exits, restarts or turns unhealthy, with its health log and
   * its last output.
   */
  async waitUntilHealthy(container: RunnerContainer, startedAt: number): Promise<HealthyReport> {
    const health = (container.request.body.Healthcheck ?? {}) as {
      Interval?: number;
      Timeout?: number;
      StartPeriod?: number;
      Retries?: number;
    };
    if (!health.Interval && !(container.request.body.Healthcheck?.Test?.length > 0)) {
      throw new Error(`${container.request.address}: declares no healthcheck, so Docker never reports it healthy`);
    }
    const seconds = (ns: number | undefined, fallback: number) => (ns ? ns / 1e9 : fallback);
    const boundSeconds =
      seconds(health.StartPeriod, 0) +
      ((health.Retries ?? 3) + 1) * (seconds(health.Interval, 30) + seconds(health.Timeout, 30)) +
      30;
    const deadline = startedAt + boundSeconds * 1000;
    let last: Record<string, any> = {};
    while (performance.now() < deadline) {
      last = await this.inspect(container);
      const state = last.State as {
        Status: string;
        Health?: { Status: string };
        ExitCode: number;
        Restarting: boolean;
      };
      if (state.Health?.Status === "healthy") return { secondsToHealthy: (performance.now() - startedAt) / 1000 };
      if (
        state.Status === "exited" ||
        state.Status === "dead" ||
        state.Restarting ||
        (last.RestartCount as number) > 0 ||
        state.Health?.Status === "unhealthy"
      ) {
        throw new Error(
          `${container.name} (${container.request.address}) did not become healthy: ${await this.describe(container, last)}`,
        );
      }
      await sleep(250);
    }
    throw new Error(
      `waited ${boundSeconds}s (the declared healthcheck's start period and retries, plus 30s) for Docker to report ${container.name} (${container.request.address}) healthy; ${await this.describe(container, last)}`,
    );
  }

  /** The state, the health log and the last output of a container, for failure messages. */
  async describe(container: RunnerContainer, inspected?: Record<string, any>): Promise<string> {
    const info = inspected ?? (await this.inspect(container));
    const state = info.State ?? {};
    const probes = ((state.Health?.Log ?? []) as Array<{ ExitCode: number; Output: string }>)
      .slice(-3)
      .map((l) => `exit ${l.ExitCode}: ${l.Output.trim()}`);
    return [
      `status ${state.Status}, health ${state.Health?.Status ?? "none"}, exit code ${state.ExitCode}, OOM-killed ${state.OOMKilled}, restarts ${info.RestartCount}${state.Error ? `, error ${state.Error}` : ""}`,
      `last health checks:\n  ${probes.join("\n  ") || "(none yet)"}`,
      `last output:\n${await this.engine.logsOf(container.id)}`,
    ].join("\n");
  }

  /** The host port the engine published for a container port on 127.0.0.1. */
  async publishedPort(
    container: RunnerContainer,
    containerPort: number,
  ): Promise<{ hostIp: string; hostPort: number }> {
    const info = await this.inspect(container);
    const bindings = (info.NetworkSettings?.Ports?.[`${containerPort}/tcp`] ?? []) as Array<{
      HostIp: string;
      HostPort: string;
    }>;
    const binding = bindings[0];
    if (!binding)
      throw new Error(
        `${container.name}: port ${containerPort}/tcp is not published (bindings: ${JSON.stringify(info.NetworkSettings?.Ports ?? {})})`,
      );
    return { hostIp: binding.HostIp, hostPort: Number(binding.HostPort) };
  }

  /**
   * Stops the container the way `docker stop` and the provider's destroy do: the stop
   * signal, then SIGKILL after the declared grace period. A clean exit is code 0; a
   * container that ignores the signal ends with 137.
   */
  async stop(container: RunnerContainer): Promise<StopReport> {
    const grace = container.request.graceSeconds;
    const started = performance.now();
    await this.engine.request("POST", `/containers/${container.id}/stop?t=${grace}`, undefined, (grace + 30) * 1000);
    const seconds = (performance.now() - started) / 1000;
    const info = await this.inspect(container);
    return {
      exitCode: info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      seconds,
      stopSignal: info.Config.StopSignal ?? "SIGTERM",
      graceSeconds: grace,
    };
  }

  /**
   * Removes a container the way the provider destroys it: the stop signal and the
   * declared grace period, then removal with its anonymous volumes (`remove_volumes`,
   * true by default). Named volumes are not the container's: they stay.
   */
  async destroy(container: RunnerContainer): Promise<void> {
    await this.stop(container);
    await this.engine.request("DELETE", `/containers/${container.id}?v=true`);
  }

  /** Inspects a named volume of the run's; undefined when the engine has none by that name. */
  inspectVolume(name: string): Promise<Record<string, any> | undefined> {
    return this.engine
      .request<Record<string, any>>("GET", `/volumes/${encodeURIComponent(name)}`)
      .catch((error: Error) =>
        error instanceof EngineError && error.status === 404 ? undefined : Promise.reject(error),
      );
  }

  /**
   * Runs `command` once in a throwaway container of `image` that joins exactly the
   * networks a declared container joins (created as declared), hardened like the stack's
   * containers; waits for it to exit, returns its exit code and output, and removes it.
   */
  async runOnNetworksOf(
    container: StackResource,
    image: string,
    command: readonly string[],
    options: {
      readonly user: string;
      readonly env?: readonly string[];
      readonly timeoutMs?: number;
      /** Read-only bind mounts, `<host path>:<container path>` (a client library the image lacks). @default none */
      readonly readOnlyBinds?: readonly string[];
    },
  ): Promise<OneShotResult> {
    const networks: string[] = [];
    for (const network of this.stack.networksOf(container)) networks.push(await this.createNetwork(network));
    if (networks.length === 0) throw new Error(`${container.address}: joins no network`);
    const name = this.resolver.nameFor(`one-shot-${randomBytes(3).toString("hex")}`);
    const created = await this.engine.request<{ Id: string }>("POST", `/containers/create?name=${name}`, {
      Image: image,
      Cmd: command,
      Env: options.env ?? [],
      User: options.user,
      Labels: this.labels,
      HostConfig: {
        NetworkMode: networks[0],
        Binds: (options.readOnlyBinds ?? []).map((bind) => `${bind}:ro`),
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=16m" },
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges:true"],
        Memory: 128 * 1024 * 1024,
      },
    });
    try {
      for (const network of networks.slice(1))
        await this.engine.request("POST", `/networks/${encodeURIComponent(network)}/connect`, {
          Container: created.Id,
        });
      await this.engine.request("POST", `/containers/${created.Id}/start`);
      const timeoutMs = options.timeoutMs ?? 60_000;
      const ended = await this.engine.request<{ StatusCode: number }>(
        "POST",
        `/containers/${created.Id}/wait`,
        undefined,
        timeoutMs,
      );
      const logs = await this.engine.cli(["logs", created.Id], { timeoutMs: 30_000, check: false });
      return { exitCode: ended.StatusCode, output: (logs.stdout + logs.stderr).trim() };
    } finally {
      await this.engine.request("DELETE", `/containers/${created.Id}?force=true&v=true`);
    }
  }

  /** Runs a command in a running container with `docker exec`, as the container's user. */
  exec(container: RunnerContainer, command: readonly string[], timeoutMs = 30_000) {
    return this.engine.cli(["exec", container.id, ...command], { timeoutMs, check: false });
  }

  /** Removes the scope's containers, then its networks and volumes (the run's teardown removes whatever remains). */
  async removeAll(): Promise<void> {
    const filters = encodeURIComponent(
      JSON.stringify({ label: [`platform.test/scope=${this.scope}`, `platform.test/run=${this.run.id}`] }),
    );
    const containers = await this.engine.request<Array<{ Id: string }>>(
      "GET",
      `/containers/json?all=true&filters=${filters}`,
    );
    for (const { Id } of containers) await this.engine.request("DELETE", `/containers/${Id}?force=true&v=true`);
    for (const name of this.networks.values())
      await this.engine.request("DELETE", `/networks/${encodeURIComponent(name)}`).catch(() => undefined);
    this.networks.clear();
    const volumes = await this.engine.request<{ Volumes: Array<{ Name: string }> | null }>(
      "GET",
      `/volumes?filters=${filters}`,
    );
    for (const { Name } of volumes.Volumes ?? [])
      await this.engine.request("DELETE", `/volumes/${encodeURIComponent(Name)}`);
  }
}
