import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { withOrdersBackingServices } from "../support/repo-copy.js";
import { prepareBaseImage } from "./support/base-image.js";
import { DockerEngine } from "./support/docker-engine.js";
import { buildImage, ImageBuildError, type BuildOutcome } from "./support/image-build.js";
import { type LocalStack, synthesizeLocalStack } from "./support/local-stack.js";
import { prepareStandIns, type StandInOutcome } from "./support/stand-in-images.js";
import { newTestRun, removeRunResources, removeStaleRuns, runLabels, type TestRun } from "./support/test-run.js";
import { copyRepository, generateServices, type GeneratedService } from "./support/workspace.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run: its id labels and prefixes everything it creates. */
    containerTestRun: TestRun;
    /** The copy of the repository the run synthesized and builds from. */
    containerTestWorkspace: string;
    /** Where the local stack was synthesized (`<dir>/stacks/local/cdk.tf.json`). */
    containerTestOutdir: string;
    /**
     * Where the local stack of a second copy was synthesized, whose `orders` owns a PostgreSQL
     * database `db`, a Redis store `cache` and a queue `jobs` (queue `orders-placed`).
     */
    containerTestDataOutdir: string;
    /** The base image passed as the Dockerfiles' BASE_IMAGE build argument. */
    containerTestBaseImage: string;
    /** The services generated from the templates, one per template. */
    containerTestGenerated: GeneratedService[];
    /** The images of the services, built once per run, by docker_image address. */
    containerTestImages: Record<string, BuildOutcome>;
    /** The stand-ins of the images the stacks pull, made once per run, by image name. */
    containerTestStandIns: Record<string, StandInOutcome>;
  }
}

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Bound of one image build: npm ci in a Dockerfile on two shared cores can take minutes. */
const BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Prepares a run of the container tests: checks the engine answers, removes what
 * killed runs left, makes the base image, copies the repository, generates one service
 * per template into the copy, synthesizes its local stack and builds every service image
 * it declares (a failed build fails that service's tests, not the run); synthesizes a
 * second copy whose `orders` owns one backing service of each type, and makes a stand-in
 * for every image the two stacks' services pull (likewise); the platform's own pulled
 * images (the local Jaeger) are left out, with a logged reason. The returned teardown
 * removes everything labelled with the run, also when a test failed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = DockerEngine.fromEnvironment();
  const version = await engine.request<{ Version: string; ApiVersion: string }>("GET", "/version");
  const stale = await removeStaleRuns(engine);
  if (stale.containers + stale.networks + stale.volumes + stale.images > 0) {
    console.log(
      `removed what killed runs left: ${stale.containers} containers, ${stale.networks} networks, ${stale.volumes} volumes, ${stale.images} images`,
    );
  }
  const run = newTestRun();
  const scratch = mkdtempSync(path.join(os.tmpdir(), `platform-${run.id}-`));
  // The classic builder leaves the images of earlier build stages unlabelled: remembered from the build output.
  const createdImageIds: string[] = [];
  const teardown = async (): Promise<void> => {
    const removed = await removeRunResources(engine, run, createdImageIds);
    rmSync(scratch, { recursive: true, force: true });
    console.log(
      `run ${run.id}: removed ${removed.containers} containers, ${removed.networks} networks, ${removed.volumes} volumes, ${removed.images} images`,
    );
    if (removed.failures.length > 0)
      throw new Error(`run ${run.id} could not remove everything it created:\n${removed.failures.join("\n")}`);
  };
  try {
    console.log(`run ${run.id} on Docker Engine ${version.Version} (API ${version.ApiVersion})`);
    const started = performance.now();
    const baseImage = await prepareBaseImage({ engine, run, variables: process.env });
    console.log(`base image: ${baseImage.description}, ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);

    const workspace = path.join(scratch, "repository");
    copyRepository(REPOSITORY, workspace);
    const generated = generateServices(workspace);
    for (const g of generated)
      console.log(
        g.error ? `template ${g.template}: ${g.error}` : `template ${g.template}: generated service ${g.service}`,
      );

    // Inside the copy, as `npm run synth` writes it: the stack's paths are relative to the repository root.
    const outdir = path.join(workspace, "cdktf.out");
    const stack = synthesizeLocalStack({ root: workspace, outdir, baseImage: baseImage.reference });

    // The examples' orders keeps no data yet: a copy of its own gets a database, a Redis store
    // and a queue, so that the stack of the copy declares them (image, network, volume,
    // password) as a service's would.
    const dataWorkspace = path.join(scratch, "repository-with-backing-services");
    copyRepository(REPOSITORY, dataWorkspace);
    withOrdersBackingServices(dataWorkspace);
    const dataOutdir = path.join(dataWorkspace, "cdktf.out");
    const dataStack = synthesizeLocalStack({ root: dataWorkspace, outdir: dataOutdir, baseImage: baseImage.reference });

    // Said once, not hidden: the services' OTEL_EXPORTER_OTLP_ENDPOINT names the Jaeger container,
    // which this run does not create, so the spans they export go nowhere.
    for (const name of platformPulledImageNames([stack, dataStack]))
      console.log(
        `left out ${name}: the container tests run the services and their backing services, not the platform's own containers (Prometheus, Jaeger), and no registry is reachable to pull it; the services' OTLP endpoint does not resolve in this run, so their spans are dropped`,
      );
    const standInsStarted = performance.now();
    const standIns = await prepareStandIns({ engine, run, names: pulledImageNames([stack, dataStack]) });
    createdImageIds.push(...standIns.createdImageIds);
    for (const outcome of Object.values(standIns.byName))
      console.log(
        "error" in outcome
          ? `no image for ${outcome.name}: ${outcome.error.split("\n")[0]}`
          : `image for ${outcome.name}: ${outcome.description}, ${(outcome.sizeBytes / 1e6).toFixed(1)} MB`,
      );
    if (Object.keys(standIns.byName).length > 0)
      console.log(`stand-ins ready in ${((performance.now() - standInsStarted) / 1000).toFixed(1)}s`);

    const images: Record<string, BuildOutcome> = {};
    for (const image of stack
      .ofType("docker_image")
      .filter((i) => i.service !== undefined && i.values.build !== undefined)) {
      try {
        const built = await buildImage(engine, image, stack.directory, run, runLabels(run), BUILD_TIMEOUT_MS);
        createdImageIds.push(...built.createdImageIds);
        images[image.address] = built;
        console.log(
          `built ${image.service}: ${(built.sizeBytes / 1e6).toFixed(1)} MB in ${built.buildSeconds.toFixed(1)}s`,
        );
      } catch (error) {
        if (error instanceof ImageBuildError) createdImageIds.push(...error.createdImageIds);
        images[image.address] = { address: image.address, error: (error as Error).message };
        console.log(`did not build ${image.service}: ${(error as Error).message.split("\n")[0]}`);
      }
    }

    project.provide("containerTestRun", run);
    project.provide("containerTestWorkspace", workspace);
    project.provide("containerTestOutdir", outdir);
    project.provide("containerTestDataOutdir", dataOutdir);
    project.provide("containerTestStandIns", standIns.byName);
    project.provide("containerTestBaseImage", baseImage.reference);
    project.provide("containerTestGenerated", generated);
    project.provide("containerTestImages", images);
    return teardown;
  } catch (error) {
    await teardown().catch((cleanupError: Error) => console.error(cleanupError.message));
    throw error;
  }
}

/**
 * The names of the images the services' containers (replicas and backing services) pull
 * rather than build. The platform's own containers are not run by the container tests
 * (the local Prometheus and Jaeger), so their images need no stand-in: see
 * {@link platformPulledImageNames}.
 */
function pulledImageNames(stacks: readonly LocalStack[]): string[] {
  return stacks.flatMap((stack) =>
    stack
      .ofType("docker_image")
      .filter((image) => image.values.build === undefined && image.service !== undefined)
      .map((image) => String(image.values.name)),
  );
}

/** The names of the images the platform's own containers pull (the local Jaeger), which the run leaves out. */
function platformPulledImageNames(stacks: readonly LocalStack[]): string[] {
  return [
    ...new Set(
      stacks.flatMap((stack) =>
        stack
          .ofType("docker_image")
          .filter((image) => image.values.build === undefined && image.service === undefined)
          .map((image) => String(image.values.name)),
      ),
    ),
  ];
}
