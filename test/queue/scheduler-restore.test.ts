import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { BullmqQueue, missedFiring } from "../../src/queue/bullmq-queue.js";
import { systemClock, type Clock } from "../../src/queue/job-queue.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("BullmqQueue's job schedulers when Redis loses its data", () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  let admin: Redis;
  const queues: BullmqQueue[] = [];
  let warnings: { kind?: string; queue?: string; msg: string }[] = [];
  const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const replica = (name: string, clock: Clock = systemClock) => {
    const queue = new BullmqQueue({ redisUrl: redis.url, clock, log, name, schedulerCheckMs: 100 });
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

  it("runs a cron firing the lost scheduler may have missed once, from two replicas, and only after a loss", async () => {
    warnings = [];
    const runs: string[] = [];
    // The replicas' clock, moved past the next hour while the hourly scheduler is gone.
    let offset = 0;
    const clock: Clock = { ...systemClock, now: () => Date.now() + offset };
    const [a, b] = [replica("missed", clock), replica("missed", clock)];
    for (const [id, queue] of [
      ["a", a],
      ["b", b],
    ] as const)
      queue.handle("sweep", async () => void runs.push(id));
    await Promise.all([a!.every("sweep", "0 * * * *"), b!.every("sweep", "0 * * * *")]);
    await sleep(400);
    assert.deepEqual(runs, [], "nothing due yet, and a scheduler that is there is not made up for");

    const hour = 3600_000;
    offset = Math.ceil(Date.now() / hour) * hour - Date.now() + 5000;
    await admin.flushall();
    await waitFor(() => Promise.resolve(runs.length >= 1), 5000, "the missed firing never ran");
    await sleep(600);
    assert.equal(runs.length, 1, `one run for the missed firing, not one per replica: ${runs.join(", ")}`);
    const made = restored("missed").filter((w) => /missed firing run now/.test(w.msg));
    assert.ok(made.length >= 1);
    assert.equal(
      (made[0] as { missedFiring?: string }).missedFiring,
      new Date(Math.floor(clock.now() / hour) * hour).toISOString(),
    );
  });
});

describe("missedFiring", () => {
  const at = (iso: string) => Date.parse(iso);
  const cases: [string, string | { everyMs: number }, string, string, string | undefined][] = [
    [
      "an hourly firing after the scheduler was last seen",
      "0 * * * *",
      "2026-12-01T09:59:30Z",
      "2026-12-01T10:00:40Z",
      "2026-12-01T10:00:00Z",
    ],
    ["none when it was seen after the firing", "0 * * * *", "2026-12-01T10:00:10Z", "2026-12-01T10:00:40Z", undefined],
    ["the latest of several", "0 * * * *", "2026-12-01T07:30:00Z", "2026-12-01T10:20:00Z", "2026-12-01T10:00:00Z"],
    ["a daily one hours ago", "0 3 * * *", "2026-11-30T10:00:00Z", "2026-12-01T10:00:00Z", "2026-12-01T03:00:00Z"],
    ["none older than a day", "0 3 * * 1", "2026-11-20T00:00:00Z", "2026-12-01T10:00:00Z", undefined],
    [
      "none for an interval (its next firing comes soon)",
      { everyMs: 60_000 },
      "2026-12-01T09:00:00Z",
      "2026-12-01T10:00:00Z",
      undefined,
    ],
    ["none for a pattern with seconds", "*/5 * * * * *", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z", undefined],
  ];
  for (const [name, schedule, since, now, expected] of cases)
    it(name, () => {
      const got = missedFiring(schedule, at(since), at(now));
      assert.equal(got === undefined ? undefined : new Date(got).toISOString().replace(".000", ""), expected);
    });
});
