import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serviceOfPath } from "../../../infra/construct-paths.js";
import type { DeclaredResource } from "./engine-requests.js";

/**
 * The synthesized `local` stack, read back from `cdk.tf.json`: what the container tests
 * build and run comes from here, not from a second description of the services.
 */

/** A resource of the stack and the service it belongs to (from its construct path). */
export interface StackResource extends DeclaredResource {
  readonly type: string;
  /** The construct path, `local/docker/orders/workload/container-1`. */
  readonly constructPath: string;
  /** undefined for the environment's own resources (the local Prometheus, shared networks). */
  readonly service: string | undefined;
}

/** The local stack as the tests use it. */
export class LocalStack {
  /** The folder of cdk.tf.json: Terraform runs there, so relative paths start there. */
  readonly directory: string;
  readonly resources: readonly StackResource[];
  readonly variables: Readonly<Record<string, Record<string, unknown>>>;

  constructor(
    directory: string,
    json: {
      resource?: Record<string, Record<string, Record<string, unknown>>>;
      variable?: Record<string, Record<string, unknown>>;
    },
  ) {
    this.directory = directory;
    this.variables = json.variable ?? {};
    this.resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, values]) => {
        const constructPath = String(
          (values["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? "",
        );
        return { type, address: `${type}.${name}`, values, constructPath, service: serviceOfPath(constructPath) };
      }),
    );
  }

  /** Reads `<outdir>/stacks/local/cdk.tf.json`. */
  static read(outdir: string): LocalStack {
    const directory = path.join(outdir, "stacks", "local");
    return new LocalStack(directory, JSON.parse(readFileSync(path.join(directory, "cdk.tf.json"), "utf8")));
  }

  /** Resources of a type, optionally of one service only. */
  ofType(type: string, service?: string): StackResource[] {
    return this.resources.filter((r) => r.type === type && (service === undefined || r.service === service));
  }

  /** The resource at an address; throws naming the address when the stack has none. */
  at(address: string): StackResource {
    const found = this.resources.find((r) => r.address === address);
    if (!found) throw new Error(`the local stack has no resource ${address}`);
    return found;
  }

  /** The services that have containers, sorted. */
  services(): string[] {
    return [...new Set(this.serviceContainers().map((r) => r.service!))].sort();
  }

  /** The containers of the services' replicas (of one service only, if given): not the platform's, not the backing services'. */
  serviceContainers(service?: string): StackResource[] {
    return this.ofType("docker_container", service).filter((r) => r.service !== undefined && !isBackingService(r));
  }

  /** The containers of the backing services (databases) the services own. */
  backingServiceContainers(): StackResource[] {
    return this.ofType("docker_container").filter(isBackingService);
  }

  /**
   * The backing services' containers a service container reaches: those on a network it
   * joins (its own data, and what it `uses`). They must run, and be healthy, before it
   * starts: its runtime connects to them at start.
   */
  backingServiceContainersOf(container: StackResource): StackResource[] {
    const joined = new Set(this.networksOf(container).map((n) => n.address));
    return this.backingServiceContainers().filter((data) => this.networksOf(data).some((n) => joined.has(n.address)));
  }

  /** The docker_image a container runs, from its `image` reference. */
  imageOf(container: StackResource): StackResource | undefined {
    const match = /^\$\{(docker_image\.[^.}]+)\.[a-z_]+\}$/.exec(String(container.values.image ?? ""));
    return match ? this.at(match[1]!) : undefined;
  }

  /** The docker_network resources a container joins, from its `networks_advanced` references. */
  networksOf(container: StackResource): StackResource[] {
    const endpoints = (container.values.networks_advanced ?? []) as Array<{ name: string }>;
    return endpoints.map(({ name }) => {
      const match = /^\$\{(docker_network\.[^.}]+)\.(name|id)\}$/.exec(name);
      if (match) return this.at(match[1]!);
      const byName = this.ofType("docker_network").find((n) => n.values.name === name);
      if (!byName)
        throw new Error(
          `${container.address}: joins network ${JSON.stringify(name)}, which the local stack does not declare`,
        );
      return byName;
    });
  }
}

/** Whether a resource belongs to a backing service: `local/docker/<service>/backing-services/<name>/...`. */
function isBackingService(resource: StackResource): boolean {
  return resource.constructPath.split("/")[3] === "backing-services";
}

/** Options of {@link synthesizeLocalStack}. */
export interface SynthOptions {
  /** The repository (or the copy of it) to synthesize. */
  readonly root: string;
  readonly outdir: string;
  /** The base image the Dockerfiles build from (PLATFORM_BASE_IMAGE). */
  readonly baseImage: string;
}

/** Runs the app the way `npm run synth` does, into `outdir`, and reads the local stack. */
export function synthesizeLocalStack(options: SynthOptions): LocalStack {
  try {
    execFileSync(process.execPath, ["--import", "tsx", "infra/main.ts"], {
      cwd: options.root,
      env: { ...process.env, CDKTF_OUTDIR: options.outdir, PLATFORM_BASE_IMAGE: options.baseImage },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
  } catch (error) {
    const failed = error as { stderr?: Buffer; message: string };
    throw new Error(`synth of ${options.root} failed: ${failed.stderr?.toString("utf8").trim() || failed.message}`);
  }
  return LocalStack.read(options.outdir);
}
