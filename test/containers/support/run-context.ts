import { inject } from "vitest";
import { discoverServices } from "../../../infra/discover-services.js";
import { ENVIRONMENT_NAMES } from "../../../infra/environments.js";
import { resolveCatalogue, type Catalogue } from "../../../infra/spec/model.js";
import { DockerEngine } from "./docker-engine.js";
import { LocalStack } from "./local-stack.js";

/** What a test file of the container tests works with, from the run's global setup. */
export interface RunContext {
  readonly engine: DockerEngine;
  readonly run: ReturnType<typeof inject<"containerTestRun">>;
  readonly stack: LocalStack;
  /** The services of the workspace, resolved for `local`: ports, probe paths, edges. */
  readonly catalogue: Catalogue;
  readonly generated: ReturnType<typeof inject<"containerTestGenerated">>;
  /** The images the setup built, by docker_image address. */
  readonly images: ReturnType<typeof inject<"containerTestImages">>;
  /** The stand-ins of the images the stacks pull, by image name. */
  readonly standIns: ReturnType<typeof inject<"containerTestStandIns">>;
}

/** Reads what the global setup prepared. */
export async function runContext(): Promise<RunContext> {
  const workspace = inject("containerTestWorkspace");
  const discovered = await discoverServices(workspace);
  return {
    engine: DockerEngine.fromEnvironment(),
    run: inject("containerTestRun"),
    stack: LocalStack.read(inject("containerTestOutdir")),
    catalogue: resolveCatalogue(discovered, "local", ENVIRONMENT_NAMES),
    generated: inject("containerTestGenerated"),
    images: inject("containerTestImages"),
    standIns: inject("containerTestStandIns"),
  };
}

/** Calls a URL on the host with a bounded wait; never throws (the result says what happened). */
export async function httpGet(
  url: string,
  timeoutMs = 5_000,
): Promise<{ status: number; contentType: string; body: string } | { error: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body: await response.text(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { error: `${url}: ${cause?.code ?? (error as Error).name}` };
  }
}
