import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverServices } from "../../infra/discover-services.js";
import { SpecError } from "../../infra/spec/model.js";
import { scratchFolders } from "../support/scratch.js";

const scratch = scratchFolders();

/** GIVEN helper: a repository whose services/<name>/ folders hold these files. */
function repositoryWith(services: Record<string, Record<string, string>>): string {
  const root = scratch.folder("platform-discovery-");
  for (const [name, files] of Object.entries(services)) {
    mkdirSync(path.join(root, "services", name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, "services", name, file), text);
  }
  return root;
}

/** WHEN helper: the SpecError discovery throws for that repository. */
async function discoveryRefusal(root: string): Promise<string> {
  const error = await discoverServices(root).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SpecError);
  return (error as SpecError).message;
}

describe("discoverServices", () => {
  it("GIVEN a service file that exports a plain object, without defineService WHEN discovered THEN it is checked with the usual messages", async () => {
    const root = repositoryWith({
      orders: { "service.ts": 'export default { name: "orders", build: {}, port: 70000 };\n' },
    });
    expect(await discoveryRefusal(root)).toBe(
      "services/orders/service.ts: port: must be a whole number from 1024 to 65535 (the service runs as a non-root user without capabilities, so it cannot bind a lower port) (got 70000)",
    );
  });

  it("GIVEN a plain object with an SLO of 100% WHEN discovered THEN it is refused as a spec problem, not a crash", async () => {
    const root = repositoryWith({
      orders: {
        "service.ts":
          'export default { name: "orders", build: {}, port: 8080, monitoring: { slo: { availability: 100 } } };\n',
      },
    });
    expect(await discoveryRefusal(root)).toContain(
      "services/orders/service.ts: monitoring.slo.availability: must be a percentage strictly between 0 and 100",
    );
  });

  it("GIVEN a service file whose default export is a function WHEN discovered THEN it is refused naming the file", async () => {
    const root = repositoryWith({ orders: { "service.ts": "export default () => ({});\n" } });
    expect(await discoveryRefusal(root)).toMatch(/^services\/orders\/service\.ts: \(spec\): /);
  });

  it("GIVEN a package.json version that is a Terraform expression WHEN discovered THEN it is refused naming package.json and the field", async () => {
    const root = repositoryWith({
      orders: {
        "service.ts": 'export default { name: "orders", build: {}, port: 8080 };\n',
        "package.json": JSON.stringify({ version: '${file("/etc/hostname")}' }),
      },
    });
    expect(await discoveryRefusal(root)).toBe(
      `services/orders/package.json: version: must be a version that can tag an image, like 1.4.2: letters, digits, '_', '.' and '-', at most 128 characters (got "\${file(\\"/etc/hostname\\")}")`,
    );
  });

  it("GIVEN a package.json that is not JSON WHEN discovered THEN it is refused naming package.json", async () => {
    const root = repositoryWith({
      orders: {
        "service.ts": 'export default { name: "orders", build: {}, port: 8080 };\n',
        "package.json": "{ version: 1",
      },
    });
    expect(await discoveryRefusal(root)).toMatch(
      /^services\/orders\/package\.json: \(file\): must be a JSON package manifest/,
    );
  });

  it("GIVEN a valid plain object and a valid version WHEN discovered THEN the service is returned with its version", async () => {
    const root = repositoryWith({
      orders: {
        "service.ts": 'export default { name: "orders", build: {}, port: 8080 };\n',
        "package.json": JSON.stringify({ version: "1.4.2-rc.1" }),
      },
    });
    expect(await discoverServices(root)).toMatchObject([
      {
        file: "services/orders/service.ts",
        folder: "orders",
        definition: { name: "orders", port: 8080 },
        version: "1.4.2-rc.1",
      },
    ]);
  });
});
