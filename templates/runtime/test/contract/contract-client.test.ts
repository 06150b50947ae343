import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DependencyClient, DependencyError } from "@platform/service-runtime";
import { contractClient } from "@platform/service-runtime/contract";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { catalogContract } from "./catalog-contract.js";

/** What the test server was asked, and what it answers. */
interface Exchange {
  method?: string;
  url?: string;
  body?: string;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      return closed;
    }),
  );
});

/** A real HTTP server on loopback that answers every request with `status` and `body`, and records what it got. */
async function catalogAnswering(
  status: number,
  body?: unknown,
): Promise<{ client: DependencyClient; seen: Exchange[] }> {
  const seen: Exchange[] = [];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    let text = "";
    for await (const chunk of request) text += chunk;
    seen.push({ method: request.method, url: request.url, body: text });
    if (body === undefined) response.writeHead(status).end();
    else response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { client: new DependencyClient("catalog", new URL(`http://127.0.0.1:${port}`), 5_000), seen };
}

const cup = { id: "cup", name: "Cup", priceCents: 450 };

/** The DependencyError a call throws. */
async function dependencyErrorOf(call: Promise<unknown>): Promise<DependencyError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(DependencyError);
    return error as DependencyError;
  }
  throw new Error("the call did not throw");
}

describe("contractClient", () => {
  it("GIVEN a dependency answering 200 WHEN an operation is called THEN the typed body comes back and the request was built from the contract", async () => {
    const { client, seen } = await catalogAnswering(200, cup);
    const catalog = contractClient(catalogContract, client);
    const answer = await catalog.get("/products/:id", { params: { id: "a cup/1" } });
    expect(answer).toEqual({ status: 200, ok: true, body: cup });
    expect(seen).toEqual([{ method: "GET", url: "/products/a%20cup%2F1", body: "" }]);
    if (answer.status === 200) expectTypeOf(answer.body.priceCents).toEqualTypeOf<number>();
  });

  it("GIVEN a declared 404 WHEN called THEN it is an answer, not an error, with the error body typed", async () => {
    const { client } = await catalogAnswering(404, { error: "no product cup" });
    const answer = await contractClient(catalogContract, client).get("/products/:id", { params: { id: "cup" } });
    expect(answer).toEqual({ status: 404, ok: false, body: { error: "no product cup" } });
    if (answer.status === 404) expectTypeOf(answer.body).toEqualTypeOf<{ error: string }>();
  });

  it("GIVEN a dependency whose runtime refuses the request with 400 (another version of its contract) WHEN called THEN it is a typed answer with the problems, not an error", async () => {
    const problem = 'params.id: got "cup"; accepted: a string matching /^[0-9]+$/';
    const { client } = await catalogAnswering(400, { error: problem, problems: [problem] });
    const answer = await contractClient(catalogContract, client).get("/products/:id", { params: { id: "cup" } });
    expect(answer).toEqual({ status: 400, ok: false, body: { error: problem, problems: [problem] } });
    if (answer.status === 400) expectTypeOf(answer.body).toEqualTypeOf<{ error: string; problems: string[] }>();
  });

  it("GIVEN the runtime's 413, 500, 502 and 503 WHEN called THEN each is a typed answer with its error", async () => {
    for (const status of [413, 500, 502, 503]) {
      const { client } = await catalogAnswering(status, { error: `failed with ${status}` });
      const answer = await contractClient(catalogContract, client).get("/products/:id", { params: { id: "cup" } });
      expect(answer).toEqual({ status, ok: false, body: { error: `failed with ${status}` } });
    }
  });

  it("GIVEN a 400 without the runtime's problems WHEN called THEN a DependencyError names the missing field", async () => {
    const { client } = await catalogAnswering(400, { error: "bad" });
    const error = await dependencyErrorOf(
      contractClient(catalogContract, client).get("/products/:id", { params: { id: "cup" } }),
    );
    expect(error.message).toBe(
      "catalog: getProduct (GET /products/:id): answered 400 with a body that does not match its contract: body.problems: got nothing; accepted: array",
    );
  });

  it("GIVEN a query and a body WHEN called THEN the query string and the JSON body are sent", async () => {
    const listing = await catalogAnswering(200, { products: [cup] });
    const list = await contractClient(catalogContract, listing.client).get("/products", { query: { limit: 5 } });
    expect(list.body).toEqual({ products: [cup] });
    expect(listing.seen[0]?.url).toBe("/products?limit=5");
    expect((await contractClient(catalogContract, listing.client).get("/products")).status).toBe(200);
    expect(listing.seen[1]?.url).toBe("/products");

    const creating = await catalogAnswering(201, cup);
    const created = await contractClient(catalogContract, creating.client).post("/products", {
      body: { name: "Cup", priceCents: 450 },
    });
    expect(created).toEqual({ status: 201, ok: true, body: cup });
    expect(creating.seen[0]).toEqual({ method: "POST", url: "/products", body: '{"name":"Cup","priceCents":450}' });
  });

  it("GIVEN a 204 without a body WHEN called THEN the answer has no body", async () => {
    const { client } = await catalogAnswering(204);
    expect(await contractClient(catalogContract, client).delete("/products/:id", { params: { id: "cup" } })).toEqual({
      status: 204,
      ok: true,
      body: undefined,
    });
  });

  it("GIVEN an undeclared 504 WHEN called THEN a DependencyError names the dependency, the operation, the status and the declared ones", async () => {
    const { client } = await catalogAnswering(504, { error: "gateway timeout" });
    const error = await dependencyErrorOf(
      contractClient(catalogContract, client).get("/products/:id", { params: { id: "cup" } }),
    );
    expect(error.dependency).toBe("catalog");
    expect(error.status).toBe(504);
    expect(error.message).toBe(
      "catalog: getProduct (GET /products/:id): answered 504, a status its contract does not declare; declared: 200, 400, 404, 413, 500, 502, 503",
    );
  });

  it("GIVEN a dependency on another contract (a field renamed) WHEN called THEN a DependencyError names the missing field", async () => {
    const { client } = await catalogAnswering(200, { id: "cup", name: "Cup", price_cents: 450 });
    const error = await dependencyErrorOf(
      contractClient(catalogContract, client).get("/products/:id", { params: { id: "cup" } }),
    );
    expect(error.status).toBe(200);
    expect(error.message).toBe(
      "catalog: getProduct (GET /products/:id): answered 200 with a body that does not match its contract: body.priceCents: got nothing; accepted: number",
    );
  });

  it("GIVEN a request the contract refuses WHEN called THEN an Error names the field and nothing is sent", async () => {
    const { client, seen } = await catalogAnswering(201, cup);
    const catalog = contractClient(catalogContract, client);
    await expect(catalog.post("/products", { body: { name: "", priceCents: -1 } })).rejects.toThrow(
      'catalog.createProduct (POST /products): the request does not match the contract, nothing was sent:\n  body.name: got ""; accepted: a length >= 1\n  body.priceCents: got -1; accepted: >= 0',
    );
    await expect(catalog.get("/products/:id", { params: { id: "" } })).rejects.toThrow(
      'params.id: got ""; accepted: a length >= 1',
    );
    expect(seen).toEqual([]);
  });

  it("GIVEN a path the contract does not have WHEN called THEN it is a type error, and at run time an error listing the operations", async () => {
    const { client } = await catalogAnswering(200, cup);
    const catalog = contractClient(catalogContract, client);
    // @ts-expect-error: the catalog has no GET /orders
    await expect(catalog.get("/orders")).rejects.toThrow(
      "catalog: the contract has no operation GET /orders; accepted: GET /products/:id, GET /products, POST /products, DELETE /products/:id",
    );
    // @ts-expect-error: /products/:id has no PUT
    await expect(catalog.put("/products/:id", { params: { id: "cup" } })).rejects.toThrow(
      "no operation PUT /products/:id",
    );
  });

  it("GIVEN the contract WHEN its client is typed THEN paths, requests and answers follow the schemas", () => {
    const catalog = contractClient(catalogContract, new DependencyClient("catalog", new URL("http://127.0.0.1:9"), 1));
    expectTypeOf<Parameters<typeof catalog.get>[0]>().toEqualTypeOf<"/products/:id" | "/products">();
    expectTypeOf<Parameters<typeof catalog.post>[0]>().toEqualTypeOf<"/products">();
    type Answer = Awaited<ReturnType<typeof catalog.get<"/products/:id">>>;
    expectTypeOf<Answer>().toEqualTypeOf<
      | { readonly status: 200; readonly ok: true; readonly body: { id: string; name: string; priceCents: number } }
      | { readonly status: 404; readonly ok: false; readonly body: { error: string } }
      | { readonly status: 400; readonly ok: false; readonly body: { error: string; problems: string[] } }
      | { readonly status: 413; readonly ok: false; readonly body: { error: string } }
      | { readonly status: 500; readonly ok: false; readonly body: { error: string } }
      | { readonly status: 502; readonly ok: false; readonly body: { error: string } }
      | { readonly status: 503; readonly ok: false; readonly body: { error: string } }
    >();
    type Created = Awaited<ReturnType<typeof catalog.post<"/products">>>;
    expectTypeOf<Extract<Created, { status: 201 }>["ok"]>().toEqualTypeOf<true>();
    // Each call below is checked by `tsc --noEmit` only: none is awaited, and they refuse before sending anyway.
    const refusals = () => [
      // @ts-expect-error: params are required for a path with parameters
      catalog.get("/products/:id"),
      // @ts-expect-error: the id is a string
      catalog.get("/products/:id", { params: { id: 1 } }),
      // @ts-expect-error: the body needs priceCents
      catalog.post("/products", { body: { name: "Cup" } }),
      // @ts-expect-error: DELETE has no /products
      catalog.delete("/products"),
    ];
    expect(typeof refusals).toBe("function");
  });
});
