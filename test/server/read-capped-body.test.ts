import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { readCappedBody, type CappedBody } from "../../src/server/read-capped-body.js";

const LIMIT = 1000;

describe("readCappedBody", () => {
  let server: Server;
  let port: number;
  let last: Promise<CappedBody>;

  before(async () => {
    server = createServer((req, res) => {
      last = readCappedBody(req, LIMIT);
      void last.then((body) => res.writeHead(body.outcome === "read" ? 200 : 413).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends `bytes` as one body, under a Content-Length or chunked in pieces of 100. */
  function send(bytes: number, framing: "content-length" | "chunked"): Promise<number | undefined> {
    return new Promise((resolve) => {
      const req = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        headers: framing === "content-length" ? { "content-length": String(bytes) } : {},
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", () => resolve(undefined));
      for (let sent = 0; sent < bytes; sent += 100) req.write("é".repeat(50).slice(0, Math.min(100, bytes - sent) / 2));
      req.end();
    });
  }

  for (const framing of ["content-length", "chunked"] as const) {
    it(`reads a body of exactly the limit (${framing})`, async () => {
      assert.equal(await send(LIMIT, framing), 200);
      const result = await last;
      assert.ok(result.outcome === "read");
      assert.equal(result.bytes, LIMIT);
      assert.equal(Buffer.concat(result.chunks).toString("utf8"), "é".repeat(LIMIT / 2));
    });
  }

  it("refuses a Content-Length over the limit before reading", async () => {
    assert.equal(await send(LIMIT + 100, "content-length"), 413);
    assert.deepEqual(await last, { outcome: "too large", bytes: LIMIT + 100 });
  });

  it("stops a chunked body as soon as it passes the limit", async () => {
    assert.equal(await send(LIMIT * 10, "chunked"), 413);
    const result = await last;
    assert.equal(result.outcome, "too large");
    assert.ok(
      result.outcome === "too large" && result.bytes <= LIMIT + 100,
      "counted no further than the chunk that passed the limit",
    );
  });
});
