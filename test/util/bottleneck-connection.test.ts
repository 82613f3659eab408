import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { Logger } from "probot";
import { bottleneckConnection } from "../../src/util/bottleneck-connection.js";
import { bottleneckRedis7Problem } from "../../src/util/bottleneck-redis7.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";

/** A logger that keeps what was logged at error level (JSON lines, parsed). */
function recordingLog(): { log: Logger; errors: Record<string, unknown>[] } {
  const errors: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      errors.push(JSON.parse(chunk.toString("utf8")) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "error" }, stream) as unknown as Logger, errors };
}

describe("clustered limiters on a real redis-server 7", () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  let admin: Redis;
  before(async () => {
    redis = await startLocalRedis();
    admin = new Redis(redis.url);
    admin.on("error", () => undefined); // refused while Redis restarts
  });
  after(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it("the installed Bottleneck recovers from Redis 7's prefixed script errors (its patch is applied)", () => {
    assert.equal(bottleneckRedis7Problem, undefined);
  });

  it("keeps serving a replica whose registration its peers dropped (a stall past the client timeout)", async () => {
    const connection = bottleneckConnection(redis.url, recordingLog().log);
    try {
      const limiter = connection.limiter({ id: "stall-test", maxConcurrent: 1 });
      assert.equal(await limiter.schedule(async () => "before"), "before");
      // What a peer's script does to a client silent for 10 s: it is no longer a client of the limiter.
      await admin.del("b_stall-test_client_last_seen");
      assert.equal(await limiter.schedule(async () => "after"), "after");
    } finally {
      await connection.disconnect();
    }
  });

  it("sets a limiter up again when Redis lost its data (a restart without persistence)", async () => {
    const connection = bottleneckConnection(redis.url, recordingLog().log);
    try {
      const limiter = connection.limiter({ id: "flush-test", maxConcurrent: 1 });
      await limiter.schedule(async () => undefined);
      await admin.flushall();
      assert.equal(await limiter.schedule(async () => "after"), "after");
    } finally {
      await connection.disconnect();
    }
  });

  it("logs a limiter's failed heartbeat with the limiter's id", async () => {
    const { log, errors } = recordingLog();
    const connection = bottleneckConnection(redis.url, log);
    try {
      const group = connection.group({ id: "beat-test", maxConcurrent: 1, heartbeatInterval: 50 });
      await group.key("o/r#1").schedule(async () => undefined);
      // Its settings are no longer a hash: every script on it, the heartbeat too, is refused.
      await admin.del("b_beat-test-o/r#1_settings");
      await admin.set("b_beat-test-o/r#1_settings", "not a hash");
      await waitFor(async () => errors.some((e) => e.limiter === "beat-test-o/r#1"), 5_000, "no error logged");
      assert.equal(errors.find((e) => e.limiter === "beat-test-o/r#1")?.msg, "clustered limiter failed");
    } finally {
      await connection.disconnect();
    }
  });

  it("is ready while Redis serves it, not while Redis is down, and again once it is back", async () => {
    const { log, errors } = recordingLog();
    const connection = bottleneckConnection(redis.url, log);
    try {
      await waitFor(() => connection.ready(), 5_000, "not ready at the start");
      await redis.restart(async () => {
        await waitFor(async () => (await connection.ready()) === false, 5_000, "ready with Redis down");
      });
      assert.ok(errors.some((e) => e.msg === "clustered limiters do not serve this replica"));
      await waitFor(async () => (await connection.ready()) === true, 10_000, "not ready after Redis came back");
    } finally {
      await connection.disconnect();
    }
  });
});
