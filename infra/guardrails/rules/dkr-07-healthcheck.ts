import { CONTAINER_TYPES, imageResourceOf, isBuiltImage } from "../docker-containers.js";
import { ofTypes, Problems, type ResourceRule } from "../rule.js";
import { asStringList, block, firstUnresolved, show } from "../values.js";

/**
 * DKR-07 (error): every container has a healthcheck (`test` with CMD or CMD-SHELL, not
 * NONE), and its command can run in the image. Synth cannot look inside an image, so
 * the second part is decided where it can be: a check that runs `node` (the platform's
 * default) is known to run in an image the platform builds from its node base image;
 * in a pulled image it may not exist, which is reported as a warning (set the spec's
 * `health.dockerCheck` to a command the image has).
 * Anchor: CIS Docker Benchmark 4.6, checkov CKV_DOCKER_2.
 */
export const dockerHealthcheck: ResourceRule = {
  id: "DKR-07",
  level: "error",
  scope: "resource",
  checks: "containers have a healthcheck (CMD or CMD-SHELL) that can run in their image",
  anchor: "CIS Docker 4.6; checkov CKV_DOCKER_2",
  appliesTo: ofTypes(CONTAINER_TYPES),
  check(resource, context) {
    const problems = new Problems();
    const healthcheck = block(resource.values.healthcheck);
    const unresolved = firstUnresolved(healthcheck?.test);
    if (unresolved !== undefined)
      return problems.unresolved("healthcheck.test", unresolved, "give the healthcheck command as literals").outcome();
    const test = asStringList(healthcheck?.test);
    const [form, command] = test;
    if (form !== "CMD" && form !== "CMD-SHELL") {
      return problems
        .add(
          `healthcheck.test is ${show(healthcheck?.test)}, so Docker never learns that the service hangs`,
          'add a healthcheck { test = ["CMD", ...] } on the liveness path (the spec\'s health)',
        )
        .outcome();
    }
    if (command === undefined || command.trim() === "")
      return problems
        .add(
          `healthcheck.test is ${show(test)}: it names no command`,
          "give the healthcheck a command (the spec's health.dockerCheck)",
        )
        .outcome();
    const executable = form === "CMD" ? command : command.trim().split(/\s+/)[0]!;
    const image = imageResourceOf(resource, context.stack)?.image;
    if (executable === "node" && image !== undefined && !isBuiltImage(image)) {
      problems.unverifiable(
        `healthcheck runs node, and image ${show(image.values.name)} is pulled, not built from the platform's node base image: node may not be in it`,
        'if the image has no node, set the spec\'s health.dockerCheck to a command it has (like ["wget", "-q", "-O-", "http://127.0.0.1:<port>/healthz"])',
      );
    }
    return problems.outcome();
  },
};
