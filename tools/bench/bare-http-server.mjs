// The bench's reference point: a bare node:http server that answers every request with
// the JSON the template service's GET /hello answers, with the same content type. It
// listens on PORT at 127.0.0.1. Run by tools/bench/http-throughput.ts.
import { createServer } from "node:http";

const body = JSON.stringify({ message: `hello world, from ${process.env.SERVICE_NAME ?? "bench-http"}` });
createServer((_request, response) => {
  response
    .writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) })
    .end(body);
}).listen(Number(process.env.PORT ?? 0), "127.0.0.1");
