import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defineAdjustment } from "../../infra/adjustments.js";
import { renderApiDocuments } from "../../infra/api-documents.js";
import { buildPlatformApp } from "../../infra/app.js";
import { loadEnvironments } from "../../infra/environments.js";
import { loadExtensions } from "../../infra/extensions.js";
import { parseImagesLock } from "../../infra/images-lock.js";
import { evaluateStack, GUARDRAIL_RULES, type ResourceRule, SynthesizedStack } from "../../infra/guardrails/index.js";
import { definePack } from "../../infra/guardrails/pack.js";
import { isPlatformError, PLATFORM_ERROR_CODES, type PlatformError } from "../../infra/platform-error.js";
import { ServiceFileError } from "../../infra/service-file-error.js";
import { parseServiceDefinition } from "../../infra/spec/service-definition.js";
import { ServicesChangedError } from "../../infra/synth.js";
import { parseTemplateManifest } from "../../tools/scaffold/template-manifest.js";
import { planTemplateUpdates } from "../../tools/scaffold/template-update.js";
import { service } from "../support/platform.js";
import { scratchFolders } from "../support/scratch.js";
import { thrownBy } from "../support/thrown.js";

const scratch = scratchFolders();
const LOCAL = {
  name: "local",
  target: "docker" as const,
  namespace: "platform-local",
  production: false,
  shared: false,
  publicServices: new Set<string>(),
};
const hclOutput = process.env.SYNTH_HCL_OUTPUT;
afterEach(() => {
  if (hclOutput === undefined) delete process.env.SYNTH_HCL_OUTPUT;
  else process.env.SYNTH_HCL_OUTPUT = hclOutput;
});

/** Each error a user can meet, as the platform's own code throws it. */
const THROWN: Record<string, () => unknown> = {
  "a service file that is not a spec": () => thrownBy(() => parseServiceDefinition("orders")),
  "a service file that throws": () => new ServiceFileError([{ file: "services/orders/service.ts", thrown: "boom" }]),
  "a src/api.ts that is not a contract": async () => {
    const root = scratch.folder("platform-error-");
    mkdirSync(path.join(root, "services", "orders", "src"), { recursive: true });
    writeFileSync(path.join(root, "services", "orders", "src", "api.ts"), "export default {};\n");
    return renderApiDocuments(root, [{ folder: "orders", version: "1.0.0" }], async () => ({ default: {} })).then(
      () => undefined,
      (error: unknown) => error,
    );
  },
  "a Grafana URL that is not a URL": () => thrownBy(() => loadEnvironments({ PLATFORM_GRAFANA_URL: "grafana" })),
  "a service folder that vanished": () => new ServicesChangedError("services/orders/service.ts", "vanished"),
  "a pack without an id": () => thrownBy(() => definePack({} as never)),
  "an adjustment without a name": () => thrownBy(() => defineAdjustment({} as never)),
  "a file of extensions/guardrails/ that is not a pack": async () => {
    const root = scratch.folder("platform-error-");
    mkdirSync(path.join(root, "extensions", "guardrails"), { recursive: true });
    writeFileSync(path.join(root, "extensions", "guardrails", "acme.ts"), "export default {};\n");
    return loadExtensions(root, async () => ({ default: {} }), ["local"]).then(
      () => undefined,
      (error: unknown) => error,
    );
  },
  "a guardrail rule that throws": () =>
    thrownBy(() =>
      evaluateStack(new SynthesizedStack({ resource: { docker_network: { edge: {} } } }), LOCAL, [
        {
          ...(GUARDRAIL_RULES.find((rule) => rule.id === "DKR-10") as ResourceRule),
          appliesTo: () => true,
          check: () => null as never,
        },
      ]),
    ),
  "SYNTH_HCL_OUTPUT set when a stack synthesizes": () => {
    process.env.SYNTH_HCL_OUTPUT = "1";
    const { app } = buildPlatformApp({
      services: [service({ name: "api", build: {}, port: 8080 })],
      environments: loadEnvironments({}),
      outdir: scratch.folder("platform-error-out-"),
    });
    return thrownBy(() => app.synth());
  },
  "an images.lock.json that is not a lock": () => thrownBy(() => parseImagesLock('{ "images": [] }')),
  "a template.json that is not valid": () =>
    thrownBy(() => parseTemplateManifest('{ "description": "t" }', "templates/t/template.json")),
  "template:update outside a git repository": () =>
    planTemplateUpdates(scratch.folder("platform-error-"), [], { requireClean: true }).then(
      () => undefined,
      (error: unknown) => error,
    ),
};

describe("the errors a user meets", () => {
  it("GIVEN each error the platform throws at a user WHEN caught THEN it is a PlatformError whose stable code is documented, and together they use every code", async () => {
    const codes = new Map<string, string>();
    for (const [situation, raise] of Object.entries(THROWN)) {
      const error = await raise();
      expect([situation, isPlatformError(error)]).toEqual([situation, true]);
      const { code, name, message } = error as PlatformError;
      expect([situation, code in PLATFORM_ERROR_CODES, message.length > 0]).toEqual([situation, true, true]);
      expect(name).toBe((error as object).constructor.name);
      codes.set(situation, code);
    }
    expect(Object.fromEntries(codes)).toEqual({
      "a service file that is not a spec": "SPEC_INVALID",
      "a service file that throws": "SERVICE_FILE_THREW",
      "a src/api.ts that is not a contract": "CONTRACT_INVALID",
      "a Grafana URL that is not a URL": "ENVIRONMENT_CONFIG_INVALID",
      "a service folder that vanished": "SERVICES_CHANGED",
      "a pack without an id": "GUARDRAIL_PACK_INVALID",
      "an adjustment without a name": "ADJUSTMENT_INVALID",
      "a file of extensions/guardrails/ that is not a pack": "EXTENSION_INVALID",
      "a guardrail rule that throws": "GUARDRAIL_RULE_FAILED",
      "SYNTH_HCL_OUTPUT set when a stack synthesizes": "OUTPUT_FORMAT_UNSUPPORTED",
      "an images.lock.json that is not a lock": "IMAGES_LOCK_INVALID",
      "a template.json that is not valid": "TEMPLATE_INVALID",
      "template:update outside a git repository": "TEMPLATE_UPDATE_REFUSED",
    });
    expect(new Set(codes.values())).toEqual(new Set(Object.keys(PLATFORM_ERROR_CODES)));
  });

  it("GIVEN a code WHEN asked whether an error has it THEN only a platform error with that code has it", () => {
    const error = new ServicesChangedError("services/orders/service.ts", "appeared");
    expect(isPlatformError(error, "SERVICES_CHANGED")).toBe(true);
    expect(isPlatformError(error, "SPEC_INVALID")).toBe(false);
    expect(isPlatformError(new Error("SERVICES_CHANGED"), "SERVICES_CHANGED")).toBe(false);
  });
});
