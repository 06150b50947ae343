import path from "node:path";
import type { DockerEngine } from "./docker-engine.js";
import type { StackResource } from "./local-stack.js";
import type { TestRun } from "./test-run.js";

/**
 * Builds the image a `docker_image` resource of the local stack declares, with the
 * `docker build` options the provider uses for it: the same context, Dockerfile, build
 * arguments (the base image among them), labels and target. Like the provider when no
 * buildx `builder` is named, it uses the engine's classic builder.
 */

/** An image the run built. */
export interface BuiltImage {
  readonly address: string;
  /** The run's tag: the declared one with the run id appended. */
  readonly tag: string;
  readonly id: string;
  readonly sizeBytes: number;
  readonly buildSeconds: number;
  /**
   * Every image this build created (not taken from the cache), the intermediate ones of
   * earlier stages too: the classic builder leaves those untagged and unlabelled.
   */
  readonly createdImageIds: readonly string[];
}

/** A build a step of which failed: the build log names the step. */
export class ImageBuildError extends Error {
  constructor(
    address: string,
    command: string,
    output: string,
    /** The images the steps before the failed one created. */
    readonly createdImageIds: readonly string[],
  ) {
    super(`${address}: \`${command}\` failed:\n${output}`);
    this.name = "ImageBuildError";
  }
}

/** What became of a docker_image the run built: the image, or why it did not build. */
export type BuildOutcome = BuiltImage | { readonly address: string; readonly error: string };

const KNOWN_BUILD_ATTRIBUTES = new Set([
  "context",
  "dockerfile",
  "build_args",
  "build_arg",
  "label",
  "labels",
  "tag",
  "target",
  "platform",
  "network_mode",
  "no_cache",
  "remove",
  "force_remove",
  "pull_parent",
  "shm_size",
  "extra_hosts",
]);
const KNOWN_IMAGE_ATTRIBUTES = new Set([
  "name",
  "build",
  "keep_locally",
  "force_remove",
  "triggers",
  "platform",
  "//",
  "depends_on",
  "provider",
  "lifecycle",
  "timeouts",
]);

/** Resolves `${path.module}`, `${path.root}` and `${path.cwd}`: Terraform runs in the stack folder. */
function stackPath(value: string, stackDirectory: string, where: string): string {
  const resolved = value.replace(/\$\{path\.(module|root|cwd)\}/g, stackDirectory);
  if (resolved.includes("${"))
    throw new Error(`${where}: ${JSON.stringify(value)} has a reference the container tests do not resolve`);
  return path.resolve(stackDirectory, resolved);
}

/** The `docker build` arguments for an image resource (without the tag and labels of the run). */
export function buildArguments(
  image: StackResource,
  stackDirectory: string,
): { args: string[]; context: string; buildx: boolean } {
  for (const key of Object.keys(image.values)) {
    if (!KNOWN_IMAGE_ATTRIBUTES.has(key))
      throw new Error(
        `${image.address}.${key}: the container tests do not know this docker_image attribute; map it in test/containers/support/image-build.ts`,
      );
  }
  const rawBuild = image.values.build;
  const build = (Array.isArray(rawBuild) ? rawBuild[0] : rawBuild) as Record<string, any> | undefined;
  if (!build) throw new Error(`${image.address}: has no build block; an image from a registry cannot be pulled here`);
  const args: string[] = [];
  for (const [key, value] of Object.entries(build)) {
    const where = `${image.address}.build.${key}`;
    if (key === "builder") continue;
    if (!KNOWN_BUILD_ATTRIBUTES.has(key))
      throw new Error(
        `${where}: the container tests do not know this build attribute (value ${JSON.stringify(value)}); map it in test/containers/support/image-build.ts`,
      );
  }
  const context = stackPath(String(build.context), stackDirectory, `${image.address}.build.context`);
  args.push("--file", path.resolve(context, String(build.dockerfile ?? "Dockerfile")));
  for (const [name, value] of Object.entries((build.build_args ?? build.build_arg ?? {}) as Record<string, string>))
    args.push("--build-arg", `${name}=${value}`);
  for (const [name, value] of Object.entries({ ...(build.label ?? {}), ...(build.labels ?? {}) } as Record<
    string,
    string
  >))
    args.push("--label", `${name}=${value}`);
  if (build.target) args.push("--target", String(build.target));
  if (build.platform ?? image.values.platform) args.push("--platform", String(build.platform ?? image.values.platform));
  if (build.network_mode) args.push("--network", String(build.network_mode));
  if (build.no_cache) args.push("--no-cache");
  if (build.force_remove) args.push("--force-rm");
  if (build.pull_parent) args.push("--pull");
  if (build.shm_size) args.push("--shm-size", `${build.shm_size}m`);
  for (const host of (build.extra_hosts ?? []) as string[]) args.push("--add-host", host);
  return { args, context, buildx: Boolean(build.builder) };
}

/** The run's tag for an image the stack names `name`: the declared one with the run id appended. */
export function runImageTag(declaredName: string, run: TestRun): string {
  const slash = declaredName.lastIndexOf("/");
  const colon = declaredName.lastIndexOf(":");
  const hasTag = colon > slash;
  const repository = hasTag ? declaredName.slice(0, colon) : declaredName;
  const tag = hasTag ? declaredName.slice(colon + 1) : "latest";
  return `${repository}:${tag}-${run.id}`;
}

/** Builds the image; bounded by `timeoutMs`. */
export async function buildImage(
  engine: DockerEngine,
  image: StackResource,
  stackDirectory: string,
  run: TestRun,
  labels: Record<string, string>,
  timeoutMs: number,
): Promise<BuiltImage> {
  const { args, context, buildx } = buildArguments(image, stackDirectory);
  if (buildx)
    throw new Error(
      `${image.address}: builds with a buildx builder; the container tests support the classic builder the provider uses without one`,
    );
  const tag = runImageTag(String(image.values.name), run);
  const command = [
    "build",
    "--tag",
    tag,
    ...Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    "--force-rm",
    ...args,
    context,
  ];
  const started = performance.now();
  const result = await engine.cli(command, { timeoutMs, check: false, env: { DOCKER_BUILDKIT: "0" } });
  const buildSeconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) {
    throw new ImageBuildError(
      image.address,
      `docker ${command.join(" ")}`,
      (result.stdout + result.stderr).trimEnd().split("\n").slice(-40).join("\n"),
      imagesCreatedBy(result.stdout),
    );
  }
  const inspected = await engine.request<{ Id: string; Size: number }>(
    "GET",
    `/images/${encodeURIComponent(tag)}/json`,
  );
  return {
    address: image.address,
    tag,
    id: inspected.Id,
    sizeBytes: inspected.Size,
    buildSeconds,
    createdImageIds: imagesCreatedBy(result.stdout),
  };
}

/**
 * The images a classic-builder build created, from its output. After "Step n/m : <instruction>",
 * a step that ran a container prints "Removing intermediate container <id>" and then
 * " ---> <new image id>"; COPY and ADD print the new id at once; a step taken from the
 * cache prints " ---> Using cache" first, and FROM prints the id of an image that exists.
 */
export function imagesCreatedBy(buildOutput: string): string[] {
  const lines = buildOutput
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "");
  return lines.flatMap((line, index) => {
    const match = /^ ---> ([0-9a-f]{12,64})$/.exec(line);
    if (!match) return [];
    const previous = lines[index - 1] ?? "";
    const step = /^Step \d+\/\d+ : (\S+)/.exec(previous);
    const created =
      previous.startsWith("Removing intermediate container ") || (step !== null && step[1]!.toUpperCase() !== "FROM");
    return created ? [match[1]!] : [];
  });
}
