import { describe, expect, it } from "vitest";
import * as specApi from "../../../infra/spec/index.js";

describe("the spec API (infra/spec/index.ts, all a service file may import from infra/)", () => {
  it("GIVEN a service file WHEN it imports the spec API THEN it gets defineService alone: no default, schema or list it could change for other services", () => {
    expect(Object.keys(specApi)).toEqual(["defineService"]);
    const spec = { name: "orders", build: {}, port: 8080 };
    expect(specApi.defineService(spec)).toBe(spec);
  });
});
