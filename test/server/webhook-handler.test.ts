import assert from "node:assert/strict";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { Probot } from "probot";
import { startHttpServer } from "../../src/server/http-server.js";
import { webhookHandler } from "../../src/server/webhook-handler.js";
import { postDelivery, signature, WEBHOOKS_PATH } from "../support/deliveries.js";
import { privateKey } from "../support/test-app.js";

const SECRET = "webhook-handler-secret";

describe("the webhook edge: bodies read at once share one bound", () => {
  let url: string;
  let port: number;
  let close: () => Promise<void>;
  const logged: string[] = [];

  before(async () => {
    const log = pino(
      { level: "warn" },
      new Writable({ write: (chunk: Buffer, _encoding, done) => (logged.push(chunk.toString()), done()) }),
    );
    const probot = new Probot({ appId: 1, privateKey, secret: SECRET, log });
    // Bodies of at most 1,000 bytes each, 1,500 together.
    const server = await startHttpServer({
      host: "127.0.0.1",
      port: 0,
      handlers: [await webhookHandler(probot, log, { secret: SECRET, maxBytes: 1000, readBytes: 1500 })],
      log,
    });
    port = (server.server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    close = () => server.close();
  });

  after(() => close());

  it("answers 503 to a delivery while others hold the bound, and takes deliveries again once they are read", async () => {
    // A delivery of 900 bytes that arrives slowly: its start is held while the rest is awaited.
    const payload = JSON.stringify({ zen: "x".repeat(880) });
    const slow = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: WEBHOOKS_PATH,
      agent: false,
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(payload)),
        "x-github-event": "ping",
        "x-github-delivery": "slow-1",
        "x-hub-signature-256": signature(SECRET, payload),
      },
    });
    const slowStatus = new Promise<number>((resolve, reject) => {
      slow.on("response", (response) => (response.resume(), resolve(response.statusCode ?? 0)));
      slow.on("error", reject);
    });
    slow.write(payload.slice(0, 800));
    // Another delivery of 800 bytes does not fit beside it once its 800 have arrived.
    const other = { event: "ping", payload: { zen: "y".repeat(780) }, id: "other-1" };
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 503; attempt += 1) {
      status = await postDelivery(url, SECRET, { ...other, id: `other-${attempt}` });
      if (status !== 503) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(status, 503, "refused while the slow body holds the bound");
    assert.ok(logged.some((line) => /webhook refused: other deliveries' bodies fill the memory set aside/.test(line)));
    // The slow one was kept whole and is handled; then the bound is free again.
    slow.end(payload.slice(800));
    assert.equal(await slowStatus, 200);
    assert.equal(await postDelivery(url, SECRET, { ...other, id: "other-after" }), 200);
    // A refused body gives back what it took: many refusals in a row leave room for the next delivery.
    for (let i = 0; i < 5; i += 1)
      assert.equal(
        await postDelivery(url, SECRET, { ...other, id: `forged-${i}`, signature: "sha256=" + "0".repeat(64) }),
        400,
      );
    assert.equal(await postDelivery(url, SECRET, { ...other, id: "other-last" }), 200);
  });

  it("says when to come back", async () => {
    const blocker = request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: WEBHOOKS_PATH,
      agent: false,
      headers: { "content-type": "application/json", "content-length": "1000", "x-github-event": "ping" },
    });
    blocker.on("error", () => undefined);
    blocker.write("z".repeat(1000 - 1));
    let answer: Response | undefined;
    for (let attempt = 0; attempt < 50 && answer?.status !== 503; attempt += 1) {
      answer = await fetch(`${url}${WEBHOOKS_PATH}`, {
        method: "POST",
        body: "w".repeat(600),
        headers: { "content-type": "application/json", "x-github-event": "ping" },
      });
      await answer.arrayBuffer();
      if (answer.status !== 503) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(answer?.status, 503);
    assert.equal(answer?.headers.get("retry-after"), "1");
    blocker.destroy();
  });
});
