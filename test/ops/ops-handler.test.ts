import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { Metrics } from "../../src/ops/metrics.js";
import { opsHandler, type Readiness } from "../../src/ops/ops-handler.js";

async function readyz(
  readiness: Readiness,
): Promise<{ status: number; body: { status: string; checks: Record<string, boolean> }; ms: number }> {
  const handle = opsHandler(new Metrics(), readiness);
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const started = Date.now();
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
    return {
      status: response.status,
      body: (await response.json()) as { status: string; checks: Record<string, boolean> },
      ms: Date.now() - started,
    };
  } finally {
    server.close();
  }
}

describe("/readyz", () => {
  it("is 200 when every check says yes", async () => {
    const { status, body } = await readyz({ queue: async () => true, limiters: async () => true });
    assert.equal(status, 200);
    assert.deepEqual(body, { status: "ready", checks: { queue: true, limiters: true } });
  });

  it("is 503 naming the check that says no, fails, or does not answer within a second", async () => {
    const { status, body, ms } = await readyz({
      queue: async () => true,
      limiters: () => new Promise<boolean>(() => undefined),
      redis: async () => {
        throw new Error("ERR UNKNOWN_CLIENT");
      },
      accepting: async () => false,
    });
    assert.equal(status, 503);
    assert.deepEqual(body, {
      status: "not ready",
      checks: { queue: true, limiters: false, redis: false, accepting: false },
    });
    assert.ok(ms < 1_000, `answered after ${ms} ms`);
  });
});
