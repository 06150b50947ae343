import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { prepareBaseImage } from "./support/base-image.js";
import { DockerEngine } from "./support/docker-engine.js";
import { synthesizeLocalStack } from "./support/local-stack.js";
import { newTestRun, removeRunResources, removeStaleRuns, type TestRun } from "./support/test-run.js";
import { copyRepository, generateServices, type GeneratedService } from "./support/workspace.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run: its id labels and prefixes everything it creates. */
    containerTestRun: TestRun;
    /** The copy of the repository the run synthesized and builds from. */
    containerTestWorkspace: string;
    /** Where the local stack was synthesized (`<dir>/stacks/local/cdk.tf.json`). */
    containerTestOutdir: string;
    /** The base image passed as the Dockerfiles' BASE_IMAGE build argument. */
    containerTestBaseImage: string;
    /** The services generated from the templates, one per template. */
    containerTestGenerated: GeneratedService[];
    /** The file the test files append the ids of the images their builds created to. */
    containerTestCreatedImages: string;
  }
}

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Prepares a run of the container tests: checks the engine answers, removes what
 * killed runs left, makes the base image, copies the repository, generates one service
 * per template into the copy and synthesizes its local stack. The returned teardown
 * removes everything labelled with the run, also when a test failed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = DockerEngine.fromEnvironment();
  const version = await engine.request<{ Version: string; ApiVersion: string }>("GET", "/version");
  const stale = await removeStaleRuns(engine);
  if (stale.containers + stale.networks + stale.images > 0) {
    console.log(`removed what killed runs left: ${stale.containers} containers, ${stale.networks} networks, ${stale.images} images`);
  }
  const run = newTestRun();
  const scratch = mkdtempSync(path.join(os.tmpdir(), `platform-${run.id}-`));
  const createdImages = path.join(scratch, "created-images.txt");
  const teardown = async (): Promise<void> => {
    const created = existsSync(createdImages) ? readFileSync(createdImages, "utf8").split("\n").filter(Boolean) : [];
    const removed = await removeRunResources(engine, run, created);
    rmSync(scratch, { recursive: true, force: true });
    console.log(`run ${run.id}: removed ${removed.containers} containers, ${removed.networks} networks, ${removed.images} images`);
    if (removed.failures.length > 0) throw new Error(`run ${run.id} could not remove everything it created:\n${removed.failures.join("\n")}`);
  };
  try {
    console.log(`run ${run.id} on Docker Engine ${version.Version} (API ${version.ApiVersion})`);
    const started = performance.now();
    const baseImage = await prepareBaseImage({ engine, run, variables: process.env });
    console.log(`base image: ${baseImage.description}, ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);

    const workspace = path.join(scratch, "repository");
    copyRepository(REPOSITORY, workspace);
    const generated = generateServices(workspace);
    for (const g of generated) console.log(g.error ? `template ${g.template}: ${g.error}` : `template ${g.template}: generated service ${g.service}`);

    // Inside the copy, as `npm run synth` writes it: the stack's paths are relative to the repository root.
    const outdir = path.join(workspace, "cdktf.out");
    synthesizeLocalStack({ root: workspace, outdir, baseImage: baseImage.reference });

    project.provide("containerTestRun", run);
    project.provide("containerTestWorkspace", workspace);
    project.provide("containerTestOutdir", outdir);
    project.provide("containerTestBaseImage", baseImage.reference);
    project.provide("containerTestGenerated", generated);
    project.provide("containerTestCreatedImages", createdImages);
    return teardown;
  } catch (error) {
    await teardown().catch((cleanupError: Error) => console.error(cleanupError.message));
    throw error;
  }
}
