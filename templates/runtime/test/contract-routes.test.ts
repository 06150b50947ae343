import SwaggerParser from "@apidevtools/swagger-parser";
import {
  HttpError,
  OPENAPI_PATH,
  type Application,
  type ContractHandlers,
  type RunningApplication,
} from "@platform/service-runtime";
import { DependencyClient } from "@platform/service-runtime";
import {
  contractClient,
  defineContract,
  errorBody,
  invalidRequestBody,
  noBody,
  toOpenApi,
} from "@platform/service-runtime/contract";
import { startForTest, type TestStartOptions } from "@platform/service-runtime/testing";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { manifestWithoutDependencies } from "./manifest-without-dependencies.js";

// An application that declares its contract (src/api.ts in a service): its routes are the
// contract's operations, implemented with router.implement, checked at start, its requests
// checked before the handlers and, in tests, its answers after them.

const running: RunningApplication[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function start(application: Application, options: TestStartOptions = {}): Promise<RunningApplication> {
  const service = await startForTest(application, options);
  running.push(service);
  return service;
}

const item = z.object({ id: z.number().int(), name: z.string(), priceCents: z.number().int().min(0) });

const shopContract = defineContract({
  service: "shop",
  operations: {
    getItem: {
      method: "GET",
      path: "/items/:id",
      params: z.object({ id: z.coerce.number().int().min(1) }),
      responses: { 200: item, 404: errorBody },
    },
    listItems: {
      method: "GET",
      path: "/items",
      query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10), tag: z.string().optional() }),
      responses: { 200: z.object({ items: z.array(item), limit: z.number(), tag: z.string().nullable() }) },
    },
    createItem: {
      method: "POST",
      path: "/items",
      body: z.object({ name: z.string().min(1), priceCents: z.number().int().min(0) }),
      responses: { 201: item, 409: errorBody },
    },
    deleteItem: {
      method: "DELETE",
      path: "/items/:id",
      params: z.object({ id: z.coerce.number().int() }),
      responses: { 204: noBody },
    },
  },
});

const manifest = manifestWithoutDependencies("shop");

const cup = { id: 1, name: "cup", priceCents: 450 };

/** What the handlers received, in order. */
type Received = Array<{ operation: string; params?: unknown; query?: unknown; body?: unknown; requestId?: string }>;

/**
 * The shop, its handlers recording what they receive. `answerOfGet` replaces getItem's
 * answer: a test's way to answer what the contract does not declare (the types refuse it).
 */
function shopApplication(
  received: Received = [],
  answerOfGet?: () => { status: number; body?: unknown },
  overrides: Partial<Application> = {},
): Application {
  return {
    manifest,
    contract: shopContract,
    routes(router) {
      router.implement(shopContract, {
        getItem: async ({ params, requestId }) => {
          received.push({ operation: "getItem", params, requestId });
          if (answerOfGet) return answerOfGet() as { status: 200; body: typeof cup };
          if (params.id !== 1) throw new HttpError(404, `no item ${params.id}`);
          return { status: 200, body: cup };
        },
        listItems: ({ query }) => {
          received.push({ operation: "listItems", query });
          return {
            status: 200,
            body: { items: [cup].slice(0, query.limit), limit: query.limit, tag: query.tag ?? null },
          };
        },
        createItem: async ({ body, log }) => {
          received.push({ operation: "createItem", body });
          log.info({ name: body.name }, "creating");
          if (body.name === "cup") return { status: 409, body: { error: "cup exists" } };
          return { status: 201, body: { id: 2, ...body }, headers: { location: "/items/2" } };
        },
        deleteItem: () => ({ status: 204 }),
      });
    },
    ...overrides,
  };
}

async function call(url: string, init?: RequestInit): Promise<[number, unknown]> {
  const response = await fetch(url, init);
  const text = await response.text();
  return [response.status, text === "" ? undefined : JSON.parse(text)];
}

const postJson = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("an operation's handler", () => {
  it("GIVEN a contract's operations WHEN called THEN each handler gets its params, query and body parsed by its schemas", async () => {
    const received: Received = [];
    const service = await start(shopApplication(received));
    expect(await call(`${service.url}/items/1`, { headers: { "x-request-id": "trace-7" } })).toEqual([200, cup]);
    expect(await call(`${service.url}/items?limit=1&tag=blue`)).toEqual([200, { items: [cup], limit: 1, tag: "blue" }]);
    expect(await call(`${service.url}/items`)).toEqual([200, { items: [cup], limit: 10, tag: null }]);
    const created = await fetch(`${service.url}/items`, postJson({ name: "mug", priceCents: 900 }));
    expect([created.status, created.headers.get("location"), await created.json()]).toEqual([
      201,
      "/items/2",
      { id: 2, name: "mug", priceCents: 900 },
    ]);
    expect(await call(`${service.url}/items/3`, { method: "DELETE" })).toEqual([204, undefined]);
    expect(received).toEqual([
      // The path's "1" and the query's "1" reach the handlers as numbers (z.coerce), the default applied.
      { operation: "getItem", params: { id: 1 }, requestId: "trace-7" },
      { operation: "listItems", query: { limit: 1, tag: "blue" } },
      { operation: "listItems", query: { limit: 10 } },
      { operation: "createItem", body: { name: "mug", priceCents: 900 } },
    ]);
  });

  it("GIVEN a handler that throws an HttpError or answers a declared error WHEN called THEN that is the answer", async () => {
    const service = await start(shopApplication());
    expect(await call(`${service.url}/items/5`)).toEqual([404, { error: "no item 5" }]);
    expect(await call(`${service.url}/items`, postJson({ name: "cup", priceCents: 1 }))).toEqual([
      409,
      { error: "cup exists" },
    ]);
  });
});

describe("requests the contract refuses", () => {
  it("GIVEN a bad path parameter, query and body WHEN called THEN 400 names the field, the value and what is accepted, and the handler is not called", async () => {
    const received: Received = [];
    const service = await start(shopApplication(received));
    expect(await call(`${service.url}/items/abc`)).toEqual([
      400,
      { error: `params.id: got "abc"; accepted: number`, problems: [`params.id: got "abc"; accepted: number`] },
    ]);
    expect(await call(`${service.url}/items?limit=500`)).toEqual([
      400,
      { error: 'query.limit: got "500"; accepted: <= 50', problems: ['query.limit: got "500"; accepted: <= 50'] },
    ]);
    expect(await call(`${service.url}/items`, postJson({ name: "", priceCents: -1 }))).toEqual([
      400,
      {
        error: 'body.name: got ""; accepted: a length >= 1',
        problems: ['body.name: got ""; accepted: a length >= 1', "body.priceCents: got -1; accepted: >= 0"],
      },
    ]);
    expect(await call(`${service.url}/items`, { method: "POST" })).toEqual([
      400,
      { error: "body: got nothing; accepted: object", problems: ["body: got nothing; accepted: object"] },
    ]);
    expect(received).toEqual([]);
  });
});

describe("the runtime's own answers, as a typed client meets them", () => {
  // The shop as a caller still knows it: getItem took any id (a rolling update, the
  // caller built against the older contract).
  const olderShop = defineContract({
    service: "shop",
    operations: {
      getItem: {
        method: "GET",
        path: "/items/:id",
        params: z.object({ id: z.string() }),
        responses: { 200: item, 404: errorBody },
      },
    },
  });

  it("GIVEN a caller on an older contract WHEN the runtime refuses its request with 400 THEN the typed client gives a typed answer with the problems", async () => {
    const received: Received = [];
    const service = await start(shopApplication(received));
    const shop = contractClient(olderShop, new DependencyClient("shop", new URL(service.url), 5_000));
    const answer = await shop.get("/items/:id", { params: { id: "cup" } });
    const problem = 'params.id: got "cup"; accepted: number';
    expect(answer).toEqual({ status: 400, ok: false, body: { error: problem, problems: [problem] } });
    if (answer.status === 400) expectTypeOf(answer.body.problems).toEqualTypeOf<string[]>();
    expect(received).toEqual([]);
  });

  it("GIVEN a body that is not JSON WHEN the runtime refuses it with 400 THEN it has the same shape, its one problem in problems", async () => {
    const service = await start(shopApplication());
    const answer = await call(`${service.url}/items`, {
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(answer).toEqual([400, { error: "the body is not valid JSON", problems: ["the body is not valid JSON"] }]);
  });
});

describe("answers the contract does not declare", () => {
  const answers = [
    {
      what: "an undeclared status",
      answer: { status: 500, body: { error: "oops" } },
      problem: "answered 500, a status its contract does not declare; declared: 200, 404",
    },
    {
      what: "a body that does not match",
      answer: { status: 200, body: { id: 1, name: "cup" } },
      problem:
        "answered 200 with a body that does not match its contract: body.priceCents: got nothing; accepted: number",
    },
  ];
  for (const { what, answer, problem } of answers)
    it(`GIVEN a handler answering ${what} WHEN responses are checked (the test default) THEN 500 and an error line name the operation and the field`, async () => {
      const logs: Array<Record<string, unknown>> = [];
      const service = await start(
        shopApplication([], () => answer),
        { logs },
      );
      const named = `operation "getItem" (GET /items/:id) ${problem}`;
      expect(await call(`${service.url}/items/1`)).toEqual([500, { error: `${named} (src/api.ts)` }]);
      expect(logs.filter((line) => line.msg === "answer does not match the contract")).toEqual([
        expect.objectContaining({ level: "error", operation: "getItem", problem: named }),
      ]);
    });

  it("GIVEN a handler answering a field its response schema does not declare WHEN served without validateResponses (production) THEN the field is absent", async () => {
    const service = await start(
      shopApplication([], () => ({ status: 200, body: { ...cup, secret: "internal note" } })),
      { validateResponses: false },
    );
    expect(await call(`${service.url}/items/1`)).toEqual([200, cup]);
  });

  it("GIVEN a body that does not fit its schema (a required field missing) WHEN served without validateResponses THEN 500 and an error line, and the service goes on serving", async () => {
    const logs: Array<Record<string, unknown>> = [];
    const service = await start(
      shopApplication([], () => ({ status: 200, body: { id: 1, name: "cup" } })),
      { validateResponses: false, logs },
    );
    expect(await call(`${service.url}/items/1`)).toEqual([500, { error: "internal error" }]);
    expect(logs.filter((line) => line.msg === "request failed")).toEqual([
      expect.objectContaining({
        level: "error",
        err: expect.objectContaining({ message: '"priceCents" is required!' }),
      }),
    ]);
    expect(await call(`${service.url}/items`)).toEqual([200, { items: [cup], limit: 10, tag: null }]);
  });

  it("GIVEN an undeclared status WHEN served without validateResponses THEN its body is sent as the handler wrote it (no schema to serialize it by)", async () => {
    const service = await start(
      shopApplication([], () => ({ status: 418, body: { error: "teapot", extra: 1 } })),
      { validateResponses: false },
    );
    expect(await call(`${service.url}/items/1`)).toEqual([418, { error: "teapot", extra: 1 }]);
  });
});

describe("answers serialized by their schema", () => {
  const shape = z.object({ kind: z.literal("circle"), radius: z.number() });
  const square = z.object({ kind: z.literal("square"), side: z.number() });
  const drawing = defineContract({
    service: "shop",
    operations: {
      getDrawing: {
        method: "GET",
        path: "/drawing",
        query: z.object({ scale: z.coerce.number().optional() }),
        responses: {
          200: z.object({
            title: z.string().default("untitled"),
            shape: z.union([shape, square]),
            note: z.string().nullable(),
          }),
          400: invalidRequestBody,
        },
      },
    },
  });
  function drawingApplication(body: unknown): Application {
    return {
      manifest,
      contract: drawing,
      routes(router) {
        router.implement(drawing, { getDrawing: () => ({ status: 200, body }) as never });
      },
    };
  }

  it("GIVEN a response field with a .default() left out WHEN served without validateResponses THEN the default is written", async () => {
    const service = await start(drawingApplication({ shape: { kind: "circle", radius: 2 }, note: null }), {
      validateResponses: false,
    });
    expect(await call(`${service.url}/drawing`)).toEqual([
      200,
      { title: "untitled", shape: { kind: "circle", radius: 2 }, note: null },
    ]);
  });

  it("GIVEN a union's branch with a field it does not declare WHEN served without validateResponses THEN that branch is written, without the field", async () => {
    const service = await start(
      drawingApplication({ title: "t", shape: { kind: "square", side: 3, colour: "red" }, note: "n" }),
      { validateResponses: false },
    );
    expect(await call(`${service.url}/drawing`)).toEqual([
      200,
      { title: "t", shape: { kind: "square", side: 3 }, note: "n" },
    ]);
  });

  it("GIVEN a union no branch of which matches WHEN served without validateResponses THEN 500 and an error line", async () => {
    const logs: Array<Record<string, unknown>> = [];
    const service = await start(drawingApplication({ title: "t", shape: { kind: "triangle" }, note: null }), {
      validateResponses: false,
      logs,
    });
    expect(await call(`${service.url}/drawing`)).toEqual([500, { error: "internal error" }]);
    expect(logs.filter((line) => line.msg === "request failed")).toHaveLength(1);
  });

  it("GIVEN a declared 400 schema WHEN the runtime refuses a request THEN its own answer is sent whole, not cut to that schema", async () => {
    const service = await start(drawingApplication({ shape: { kind: "circle", radius: 2 }, note: null }), {
      validateResponses: false,
    });
    const problem = `query.scale: got "abc"; accepted: number`;
    expect(await call(`${service.url}/drawing?scale=abc`)).toEqual([400, { error: problem, problems: [problem] }]);
  });
  it("GIVEN an HttpError of a status the contract does not declare WHEN responses are checked THEN 500 names it", async () => {
    const service = await start(
      shopApplication([], () => {
        throw new HttpError(418, "teapot");
      }),
    );
    expect(await call(`${service.url}/items/1`)).toEqual([
      500,
      {
        error:
          'operation "getItem" (GET /items/:id) answered 418, a status its contract does not declare; declared: 200, 404 (src/api.ts)',
      },
    ]);
  });
});

describe("routes checked against the contract at start", () => {
  /** The message of the start's refusal, or "started". */
  async function verdictOf(application: Application): Promise<string> {
    try {
      await start(application);
      return "started";
    } catch (error) {
      return (error as Error).message;
    }
  }
  const heading = 'src/api.ts of service "shop": the application\'s routes do not match its contract:\n  ';

  it("GIVEN every operation implemented and no other route WHEN started THEN it starts", async () => {
    expect(await verdictOf(shopApplication())).toBe("started");
  });

  it("GIVEN an operation not implemented WHEN started THEN the start is refused naming it", async () => {
    const verdict = await verdictOf({
      manifest,
      contract: shopContract,
      routes(router) {
        // @ts-expect-error deleteItem is left out: the handlers' object must have every operation
        router.implement(shopContract, {
          getItem: () => ({ status: 200, body: cup }),
          listItems: () => ({ status: 200, body: { items: [], limit: 1, tag: null } }),
          createItem: () => ({ status: 409, body: { error: "no" } }),
        });
      },
    });
    expect(verdict).toBe(
      `${heading}operation "deleteItem" (DELETE /items/:id): not implemented; accepted: router.implement(contract, { deleteItem: async (request) => ({ status, body }), ... })`,
    );
  });

  it("GIVEN a route registered with router.get on an operation's path WHEN started THEN the start is refused: it must go through router.implement", async () => {
    const application = shopApplication();
    const verdict = await verdictOf({
      ...application,
      routes(router, context) {
        application.routes?.(router, context);
        router.post("/items/:id", () => ({ body: {} }));
        router.get("/items/:id/stock", () => ({ body: {} }));
      },
    });
    expect(verdict).toBe(
      `${heading}POST /items/:id: registered with router.post("/items/:id"), but the contract has no such operation; accepted: every route is an operation of src/api.ts (GET /items/:id, GET /items, POST /items, DELETE /items/:id): add it there and register it with router.implement\n  GET /items/:id/stock: registered with router.get("/items/:id/stock"), but the contract has no such operation; accepted: every route is an operation of src/api.ts (GET /items/:id, GET /items, POST /items, DELETE /items/:id): add it there and register it with router.implement`,
    );
    const plainOperation = await verdictOf({
      manifest,
      contract: shopContract,
      routes(router) {
        router.get("/items/:itemId", () => ({ body: cup }));
      },
    });
    expect(plainOperation).toContain(
      'GET /items/:itemId: registered with router.get("/items/:itemId"), but it is operation "getItem", whose requests must be checked; accepted: router.implement(contract, { getItem: ... })',
    );
  });

  it("GIVEN a contract whose service is not the manifest's name WHEN started THEN the start is refused naming both", async () => {
    const verdict = await verdictOf(shopApplication([], undefined, { manifest: { ...manifest, name: "store" } }));
    expect(verdict).toBe(
      'src/api.ts of service "store": the application\'s routes do not match its contract:\n  service: got "shop"; accepted: "store", the service\'s name in its manifest',
    );
  });

  it("GIVEN router.implement in an application without a contract WHEN started THEN the start is refused", async () => {
    const verdict = await verdictOf(shopApplication([], undefined, { contract: undefined }));
    expect(verdict).toContain(
      'router.implement of the contract of "shop" (operation "getItem"): the application declares no contract; accepted: contract: the default export of src/api.ts',
    );
  });

  it("GIVEN a handler under a name the contract does not have WHEN registered THEN it is refused naming the operations", async () => {
    const verdict = await verdictOf({
      manifest,
      contract: shopContract,
      routes(router) {
        router.implement(shopContract, {
          getItem: () => ({ status: 200, body: cup }),
          listItems: () => ({ status: 200, body: { items: [], limit: 1, tag: null } }),
          createItem: () => ({ status: 409, body: { error: "no" } }),
          deleteItem: () => ({ status: 204 }),
          // @ts-expect-error the contract has no operation "renameItem"
          renameItem: () => ({ status: 200 }),
        });
      },
    });
    expect(verdict).toBe(
      'router.implement: "renameItem" is not an operation of the contract of "shop" (src/api.ts); accepted: getItem, listItems, createItem, deleteItem',
    );
  });
});

describe("the contract's types", () => {
  it("GIVEN handlers answering an undeclared status or a body of another shape WHEN type-checked THEN each is a type error", () => {
    // Checked by `npx tsc --noEmit` (an unused @ts-expect-error is an error itself); never started.
    const application: Application = {
      manifest,
      contract: shopContract,
      routes(router) {
        router.implement(shopContract, {
          // @ts-expect-error 500 is not a status getItem declares
          getItem: () => ({ status: 500, body: { error: "oops" } }),
          listItems: ({ query }) => ({
            status: 200,
            // @ts-expect-error limit is a number in the contract, not a string
            body: { items: [], limit: String(query.limit), tag: null },
          }),
          // @ts-expect-error priceCents is missing from the 201 body
          createItem: async ({ body }) => ({ status: 201, body: { id: 2, name: body.name } }),
          // @ts-expect-error params.id is a number once parsed: it has no toUpperCase
          deleteItem: ({ params }) => (params.id.toUpperCase() ? { status: 204 } : { status: 204 }),
        });
      },
    };
    expect(application.contract).toBe(shopContract);
  });

  it("GIVEN handlers written apart, typed by ContractHandlers WHEN spread into router.implement THEN the application starts and serves them", async () => {
    const reading: Pick<ContractHandlers<typeof shopContract>, "getItem" | "listItems"> = {
      getItem: ({ params }) => ({ status: 200, body: { ...cup, id: params.id } }),
      listItems: ({ query }) => ({ status: 200, body: { items: [], limit: query.limit, tag: null } }),
    };
    const service = await start({
      manifest,
      contract: shopContract,
      routes(router) {
        router.implement(shopContract, {
          ...reading,
          createItem: () => ({ status: 409, body: { error: "read-only" } }),
          deleteItem: () => ({ status: 204 }),
        });
      },
    });
    expect(await call(`${service.url}/items/7`)).toEqual([200, { ...cup, id: 7 }]);
  });
});

describe("the contract as OpenAPI", () => {
  it("GIVEN an application with a contract WHEN GET /openapi.json THEN its OpenAPI 3.1 document, valid for swagger-parser, and not counted in the metrics", async () => {
    const service = await start(shopApplication());
    const response = await fetch(`${service.url}${OPENAPI_PATH}`);
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "application/json; charset=utf-8"]);
    const document = await response.json();
    expect(document).toEqual(JSON.parse(JSON.stringify(toOpenApi(shopContract))));
    await expect(SwaggerParser.validate(document)).resolves.toMatchObject({ openapi: "3.1.0" });
    await fetch(`${service.url}/items/1`);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain('route="/items/:id"');
    expect(metrics).not.toContain(`route="${OPENAPI_PATH}"`);
  });

  it("GIVEN an application without a contract WHEN GET /openapi.json THEN 404", async () => {
    const service = await start({ manifest, routes: (router) => router.get("/plain", () => ({ body: { ok: true } })) });
    expect(await call(`${service.url}${OPENAPI_PATH}`)).toEqual([404, { error: `no route for ${OPENAPI_PATH}` }]);
    expect(await call(`${service.url}/plain`)).toEqual([200, { ok: true }]);
  });
});
