import { describe, expect, expectTypeOf, it } from "vitest";
import * as specApi from "../../../infra/spec/index.js";
import type { ServiceSpecInput } from "../../../infra/spec/index.js";

describe("the spec API (infra/spec/index.ts, all a service file may import from infra/)", () => {
  it("GIVEN a service file WHEN it imports the spec API THEN it gets defineService alone: no default, schema or list it could change for other services", () => {
    expect(Object.keys(specApi)).toEqual(["defineService"]);
    const spec = { name: "orders", build: {}, port: 8080 };
    expect(specApi.defineService(spec)).toBe(spec);
  });

  it("GIVEN a spec WHEN declared THEN it keeps its literal types, for the code that derives its manifest from it, and is still a ServiceSpecInput", () => {
    const spec = specApi.defineService({
      name: "orders",
      build: {},
      port: 8080,
      backingServices: { db: { type: "postgres" }, queue: { type: "queue", queues: ["jobs"] } },
      uses: ["fulfilment.queue"],
    });
    expectTypeOf(spec.name).toEqualTypeOf<"orders">();
    expectTypeOf(spec.backingServices.db.type).toEqualTypeOf<"postgres">();
    expectTypeOf(spec.backingServices.queue.queues).toEqualTypeOf<["jobs"]>();
    expectTypeOf(spec.uses).toEqualTypeOf<["fulfilment.queue"]>();
    expectTypeOf(spec).toExtend<ServiceSpecInput>();
    expect(spec.uses).toEqual(["fulfilment.queue"]);
  });
});
