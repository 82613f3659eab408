import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { describe, it } from "node:test";
import { LogDestination } from "../../src/server/log-destination.js";
import { createProcessLog } from "../../src/server/process-log.js";

describe("createProcessLog", () => {
  it("logs a webhook error's event as its id, name and payload size, never the payload", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const log = await createProcessLog({ LOG_FORMAT: "json" }, new LogDestination(out));
    // As @octokit/webhooks raises a failed verification: the delivery on the error and on its AggregateError.
    const event = { id: "d-1", name: "push", payload: "SECRET-PAYLOAD".repeat(1000), signature: "sha256=00" };
    const inner = Object.assign(new Error("signature does not match"), { event, status: 400 });
    log.error(Object.assign(new AggregateError([inner], inner.message), { event }));
    log.child({ event: "workflow_run" }).info("our own event field");
    await new Promise((resolve) => setImmediate(resolve));
    assert.doesNotMatch(text, /SECRET-PAYLOAD/);
    const [error, own] = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual((error?.err as { event: unknown }).event, { id: "d-1", name: "push", payloadBytes: 14_000 });
    assert.deepEqual((error?.err as { aggregateErrors: { event: unknown }[] }).aggregateErrors[0]?.event, {
      id: "d-1",
      name: "push",
      payloadBytes: 14_000,
    });
    assert.equal(own?.event, "workflow_run");
  });
});

describe("LogDestination", () => {
  it("drops lines while the reader is behind, and stops writing after an error", async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    // A reader that takes one chunk and then stalls.
    const stalled = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        release = callback;
      },
    });
    const destination = new LogDestination(stalled, 100);
    for (let i = 0; i < 50; i += 1) destination.write(`line ${i} ${"x".repeat(10)}\n`);
    assert.ok(destination.dropped > 0 && destination.dropped < 50, `${destination.dropped} dropped`);
    const started = Date.now();
    await destination.flushed(50);
    assert.ok(Date.now() - started < 500, "flushed() gives up at its timeout");

    stalled.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    await new Promise((resolve) => setImmediate(resolve));
    destination.write("after the error\n");
    await destination.flushed(1000);
    assert.ok(!written.includes("after the error\n"));
    release?.();
  });
});
