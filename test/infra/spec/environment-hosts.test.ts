import { describe, expect, it } from "vitest";
import { buildPlatformApp } from "../../../infra/app.js";
import { loadEnvironments } from "../../../infra/environments.js";
import {
  hostClashesAcrossEnvironments,
  resolveServiceSpec,
  SpecError,
  type ServiceSpecInput,
  type SpecProblem,
} from "../../../infra/spec/model.js";
import { service } from "../../support/platform.js";

const ENVIRONMENTS = [
  { name: "local", target: "docker", production: false },
  { name: "staging", target: "kubernetes", production: false },
  { name: "production", target: "kubernetes", production: true },
] as const;

const shop = (environments?: ServiceSpecInput["environments"]) =>
  service({
    name: "shop",
    build: {},
    port: 8080,
    expose: { public: { host: "shop.example.com" } },
    ...(environments ? { environments } : {}),
  });

const line = (problem: SpecProblem) => `${problem.file}: ${problem.field}: ${problem.message} (got ${problem.value})`;

describe("hostClashesAcrossEnvironments: two environments may not serve one public host", () => {
  it("GIVEN a public service with one host and no override WHEN resolved THEN production serves the host and staging the host below its name: nothing clashes", () => {
    expect(hostClashesAcrossEnvironments([shop()], ENVIRONMENTS)).toEqual([]);
    expect(resolveServiceSpec(shop().definition, "staging", "1.0.0").expose).toMatchObject({
      host: "staging.shop.example.com",
    });
    expect(resolveServiceSpec(shop().definition, "production", "1.0.0").expose).toMatchObject({
      host: "shop.example.com",
    });
    // local has no Ingress: the host is the spec's, as written.
    expect(resolveServiceSpec(shop().definition, "local", "1.0.0").expose).toMatchObject({ host: "shop.example.com" });
  });

  it("GIVEN staging overridden to production's host WHEN checked THEN refused once, naming the file, the field, the host and both environments", () => {
    const given = shop({ staging: { expose: { public: { host: "shop.example.com" } } } });
    expect(hostClashesAcrossEnvironments([given], ENVIRONMENTS).map(line)).toEqual([
      `services/shop/service.ts: environments.staging.expose.public.host: is the public host of both staging and production: two environments may not serve one host (DNS and the certificate name one Ingress, and the other environment's traffic would reach it); give each environment its own host, like environments.staging.expose.public.host = "staging.shop.example.com" (got "shop.example.com")`,
      `services/shop/service.ts: expose.public.host: is the public host of both staging and production: two environments may not serve one host (DNS and the certificate name one Ingress, and the other environment's traffic would reach it); give each environment its own host, like environments.staging.expose.public.host = "staging.shop.example.com" (got "shop.example.com")`,
    ]);
  });

  it("GIVEN staging's own host WHEN checked THEN nothing clashes; local (Docker, no Ingress) claims no host", () => {
    const given = shop({ staging: { expose: { public: { host: "staging.shop.example.com" } } } });
    expect(hostClashesAcrossEnvironments([given], ENVIRONMENTS)).toEqual([]);
  });

  it("GIVEN production overridden to staging's host WHEN checked THEN the override's field is named", () => {
    const given = shop({
      staging: { expose: { public: { host: "staging.shop.example.com" } } },
      production: { expose: { public: { host: "staging.shop.example.com" } } },
    });
    expect(hostClashesAcrossEnvironments([given], ENVIRONMENTS).map((p) => [p.field, p.value])).toEqual([
      ["environments.staging.expose.public.host", '"staging.shop.example.com"'],
      ["environments.production.expose.public.host", '"staging.shop.example.com"'],
    ]);
  });

  it("GIVEN another service whose staging host is shop's production host WHEN checked THEN both files are named, each naming the other", () => {
    const own = shop({ staging: { expose: { public: { host: "staging.shop.example.com" } } } });
    const preview = service({
      name: "preview",
      build: {},
      port: 8081,
      expose: { public: { host: "preview.example.com" } },
      environments: {
        staging: { expose: { public: { host: "shop.example.com", path: "/preview" } } },
      },
    });
    const messages = hostClashesAcrossEnvironments([own, preview], ENVIRONMENTS).map(line);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^services\/shop\/service\.ts: expose\.public\.host: is the public host of both staging and production \(staging's by services\/preview\/service\.ts\)/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^services\/preview\/service\.ts: environments\.staging\.expose\.public\.host: is the public host of both staging and production \(production's by services\/shop\/service\.ts\)/,
      ),
    );
  });

  it("GIVEN the clash WHEN only staging is synthesized THEN the synth refuses it too: production's host is known from the spec", () => {
    const thrown = (() => {
      try {
        buildPlatformApp({
          services: [shop({ staging: { expose: { public: { host: "shop.example.com" } } } })],
          environments: loadEnvironments({}, ["staging"]),
          knownEnvironments: ["local", "staging", "production"],
        });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(SpecError);
    expect((thrown as Error).message).toContain(
      "services/shop/service.ts: expose.public.host: is the public host of both staging and production",
    );
  });
});
