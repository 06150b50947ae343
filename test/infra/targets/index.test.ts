import { describe, expect, it } from "vitest";
import { App, TerraformStack } from "../../../infra/engine/cdk.js";
import { loadEnvironments } from "../../../infra/environments.js";
import { renderMonitoring } from "../../../infra/monitoring/monitoring-files.js";
import { resolveCatalogue } from "../../../infra/spec/model.js";
import { TARGETS, buildTarget } from "../../../infra/targets/index.js";
import { exampleServices } from "../../support/platform.js";
import { scratchFolders } from "../../support/scratch.js";

const scratch = scratchFolders();

describe("the target registry", () => {
  it("GIVEN every environment WHEN its target is built THEN the registry's builder for its target name makes one child named after the target", () => {
    const environments = loadEnvironments({});
    const names = environments.map((e) => e.name);
    const app = new App({ outdir: scratch.folder("targets-registry-"), stackTraces: false });
    for (const environment of environments) {
      const stack = new TerraformStack(app, environment.name);
      const catalogue = resolveCatalogue(exampleServices(), environment.name, names);
      const built = buildTarget(stack, {
        environment,
        catalogue,
        monitoring: renderMonitoring(environment, catalogue),
      });
      expect(built.node.id).toBe(environment.target);
      expect(stack.node.children.map((child) => child.node.id)).toEqual([environment.target]);
    }
    expect(Object.keys(TARGETS).sort()).toEqual([...new Set(environments.map((e) => e.target))].sort());
  });
});
