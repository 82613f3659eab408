import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { BullmqQueue } from "../../src/queue/bullmq-queue.js";
import { systemClock } from "../../src/queue/job-queue.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("BullmqQueue's job schedulers when Redis loses its data", () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  let admin: Redis;
  const queues: BullmqQueue[] = [];
  let warnings: { kind?: string; queue?: string; msg: string }[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const replica = (name: string) => {
    const queue = new BullmqQueue({ redisUrl: redis.url, clock: systemClock, log, name, schedulerCheckMs: 100 });
    queues.push(queue);
    return queue;
  };
  const restored = (queue: string) =>
    warnings.filter((w) => w.queue === queue && /scheduler missing from Redis/.test(w.msg));

  before(async () => {
    redis = await startLocalRedis();
    admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    admin.on("error", () => undefined); // down while redis-server restarts
  });
  after(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    admin.disconnect();
    await redis.stop();
  });

  it("puts a scheduler back after a FLUSHALL, and it fires again", async () => {
    warnings = [];
    const runs: number[] = [];
    const queue = replica("flush");
    queue.handle("tick", async () => void runs.push(Date.now()));
    await queue.every("tick", { everyMs: 300 });
    await waitFor(() => Promise.resolve(runs.length >= 2), 5000, "the scheduler never fired");
    await sleep(50); // the run that fired last finishes before its keys are flushed

    await admin.flushall();
    const flushed = Date.now();
    await waitFor(
      () => Promise.resolve(runs.filter((at) => at > flushed).length >= 2),
      5000,
      "the scheduler did not fire again after the flush",
    );
    assert.equal(restored("flush").length, 1, "one warning when the scheduler had to be restored");
    assert.equal(restored("flush")[0]?.kind, "tick");
  });

  it("puts a scheduler back after redis-server restarts without its data", async () => {
    warnings = [];
    const runs: number[] = [];
    const queue = replica("restart");
    queue.handle("tick", async () => void runs.push(Date.now()));
    await queue.every("tick", { everyMs: 300 });
    await waitFor(() => Promise.resolve(runs.length >= 1), 5000, "the scheduler never fired");

    await redis.restart();
    const restarted = Date.now();
    await waitFor(
      () => Promise.resolve(runs.filter((at) => at > restarted).length >= 2),
      15_000,
      "the scheduler did not fire again after the restart",
    );
    assert.ok(restored("restart").length >= 1, "a warning when the scheduler had to be restored");
  });

  it("two replicas restoring one scheduler leave one scheduler and one run per interval", async () => {
    warnings = [];
    const everyMs = 600;
    const runs: { at: number; replica: string }[] = [];
    const [a, b] = [replica("pair"), replica("pair")];
    for (const [id, queue] of [
      ["a", a],
      ["b", b],
    ] as const)
      queue.handle("tick", async () => void runs.push({ at: Date.now(), replica: id }));
    await Promise.all([a!.every("tick", { everyMs }), b!.every("tick", { everyMs })]);
    await waitFor(() => Promise.resolve(runs.length >= 1), 5000, "the scheduler never fired");

    const flushes: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      await sleep(50);
      await admin.flushall();
      flushes.push(Date.now());
      // Every other round both replicas upsert it in the same instant, as both checks may.
      if (round % 2 === 1) await Promise.all([a!.every("tick", { everyMs }), b!.every("tick", { everyMs })]);
      await sleep(everyMs * 3);
    }
    assert.ok(restored("pair").length >= 2, "restored by the check after the flushes it saw first");
    const afterLast = runs.filter((run) => run.at > (flushes.at(-1) ?? 0));
    assert.ok(afterLast.length >= 2, `${afterLast.length} runs after the last flush`);
    // Between two flushes, runs are an interval apart: a second scheduler, or a second job for one firing, would not be.
    for (let i = 1; i < runs.length; i += 1) {
      const [previous, current] = [runs[i - 1]!, runs[i]!];
      if (flushes.some((at) => previous.at < at && at < current.at)) continue;
      assert.ok(
        current.at - previous.at >= everyMs * 0.8,
        `two runs ${current.at - previous.at} ms apart (${previous.replica}, ${current.replica})`,
      );
    }
    const seen = new Queue("pair", { connection: admin });
    assert.equal(await seen.getJobSchedulersCount(), 1, "one scheduler");
    await seen.close();
  });
});
