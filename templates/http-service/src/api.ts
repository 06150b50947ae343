import { defineContract, z } from "@platform/service-runtime/contract";

/**
 * The service's API: every operation it answers, as zod schemas. The runtime checks each
 * request against it (a bad one is a 400 naming the field) and serves it as OpenAPI 3.1 at
 * GET /openapi.json; `npm run synth` writes it as cdktf.out/api/{{name}}.openapi.json. A
 * service that depends on this one gets a typed client of it from this file.
 */
export default defineContract({
  service: "{{name}}",
  operations: {
    sayHello: {
      method: "GET",
      path: "/hello",
      summary: "A greeting that names the service.",
      query: z.object({ name: z.string().min(1).max(64).optional() }),
      responses: { 200: z.object({ message: z.string() }) },
    },
  },
});
