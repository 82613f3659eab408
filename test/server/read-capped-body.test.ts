import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { byteBudget } from "../../src/server/byte-budget.js";
import { readCappedBody, type CappedBody } from "../../src/server/read-capped-body.js";

const LIMIT = 1000;
/** Shared by every request, as the webhook handler's is: room for one and a half bodies of the limit. */
const budget = byteBudget(1500);

describe("readCappedBody", () => {
  let server: Server;
  let port: number;
  let last: Promise<CappedBody>;
  let heldAtRead = 0;

  before(async () => {
    server = createServer((req, res) => {
      last = readCappedBody(req, LIMIT, budget);
      void last.then((body) => {
        // As the webhook handler does: the caller gives a body's bytes back when done with its chunks.
        heldAtRead = budget.held;
        if (body.outcome === "read") budget.give(body.bytes);
        res.writeHead(body.outcome === "read" ? 200 : body.outcome === "busy" ? 503 : 413).end();
      });
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

  it("takes every byte it keeps from the shared budget, and a body read whole keeps them until given back", async () => {
    assert.equal(await send(LIMIT, "content-length"), 200);
    assert.equal((await last).outcome, "read");
    assert.equal(heldAtRead, LIMIT, "held until the caller is done with the chunks");
    assert.equal(budget.held, 0);
  });

  for (const framing of ["content-length", "chunked"] as const) {
    it(`ends a body the shared budget has no room for as busy, and gives back what it took (${framing})`, async () => {
      // Another request holds 1,000 of the 1,500: a body of 600 does not fit, one of 500 does.
      assert.ok(budget.take(1000));
      try {
        assert.equal(await send(600, framing), 503);
        const busy = await last;
        assert.equal(busy.outcome, "busy");
        assert.equal(budget.held, 1000, "nothing of the refused body is still held");
        assert.equal(await send(500, framing), 200);
        assert.equal((await last).outcome, "read");
        assert.equal(heldAtRead, 1500);
      } finally {
        budget.give(1000);
      }
      assert.equal(budget.held, 0);
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
