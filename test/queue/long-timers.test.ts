import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, afterEach, before, describe, it } from "node:test";
import fc from "fast-check";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { parseConfig } from "../../src/config/parse-config.js";
import { BullmqQueue } from "../../src/queue/bullmq-queue.js";
import { MAX_TIMER_MS, systemClock } from "../../src/queue/job-queue.js";
import { MemoryQueue } from "../../src/queue/memory-queue.js";
import { startLocalRedis } from "../support/local-redis.js";
import { ManualClock } from "../support/manual-clock.js";

const log = pino({ level: "silent" });
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** The schema's largest `prune.graceHours`, checked against the schema below. */
const GRACE_HOURS_MAX = 720;

describe("delays longer than one Node timer holds", () => {
  it("graceHours' schema maximum is past what one Node timer holds", () => {
    assert.equal(parseConfig({ prune: { graceHours: GRACE_HOURS_MAX } }).ok, true);
    assert.equal(parseConfig({ prune: { graceHours: GRACE_HOURS_MAX + 1 } }).ok, false);
    assert.ok(GRACE_HOURS_MAX * HOUR > MAX_TIMER_MS);
  });

  describe("systemClock, on timers that follow Node's rules", () => {
    // Node fires a timer whose delay is over 2^31-1 ms (or under 1) after 1 ms. These timers do the
    // same on a clock the test moves, and record every delay armed.
    const clock = new ManualClock(0);
    const armed: number[] = [];
    const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
    before(() => {
      globalThis.setTimeout = ((callback: () => void, ms: number) => {
        armed.push(ms);
        const id = clock.setTimeout(callback, ms > MAX_TIMER_MS || !(ms >= 1) ? 1 : ms);
        return { id, unref: () => undefined };
      }) as unknown as typeof globalThis.setTimeout;
      globalThis.clearTimeout = ((handle?: { id: number }) =>
        clock.clearTimeout(handle?.id)) as typeof globalThis.clearTimeout;
    });
    after(() => Object.assign(globalThis, real));
    afterEach(() => void (armed.length = 0));

    const cases: [string, number][] = [
      ["1 ms", 1],
      ["an hour", HOUR],
      ["just under the limit", MAX_TIMER_MS],
      ["just over the limit", MAX_TIMER_MS + 1],
      [`graceHours at its maximum (${GRACE_HOURS_MAX} h)`, GRACE_HOURS_MAX * HOUR],
      ["1,000 days", 1000 * DAY],
      ["100 years", 36_500 * DAY],
    ];
    for (const [name, delay] of cases) {
      it(`waits ${name} exactly, one timer per 2^31-1 ms`, () => {
        let fired = 0;
        systemClock.setTimeout(() => void (fired += 1), delay);
        clock.advance(delay - 1);
        assert.equal(fired, 0, "not a millisecond early");
        clock.advance(1);
        assert.equal(fired, 1);
        clock.advance(10 * MAX_TIMER_MS);
        assert.equal(fired, 1, "once");
        assert.equal(armed.length, Math.ceil(delay / MAX_TIMER_MS));
        assert.ok(
          armed.every((ms) => ms <= MAX_TIMER_MS),
          `armed ${armed.join(", ")}`,
        );
      });
    }

    it("clears a long wait in any of its chunks", () => {
      let fired = 0;
      const handle = systemClock.setTimeout(() => void (fired += 1), 1000 * DAY);
      clock.advance(100 * DAY);
      systemClock.clearTimeout(handle);
      clock.advance(1000 * DAY);
      assert.equal(fired, 0);
      assert.equal(clock.pending(), 0);
    });

    it("holds for any delay up to 1,000 days (property)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1000 * DAY }), (delay) => {
          armed.length = 0;
          let firedAt: number | undefined;
          const start = clock.now();
          systemClock.setTimeout(() => void (firedAt = clock.now()), delay);
          clock.advance(delay + 1);
          return (
            firedAt === start + Math.max(1, delay) &&
            armed.every((ms) => ms <= MAX_TIMER_MS) &&
            armed.length === Math.max(1, Math.ceil(delay / MAX_TIMER_MS))
          );
        }),
      );
    });
  });

  it("a MemoryQueue on Node's own timers arms one timer for a job 30 days away, and does not spin", async () => {
    // Counts the timers armed and the overflow warnings while the queue waits for a far job: with a
    // delay past the limit armed as is, Node fires it after 1 ms and the queue re-arms it, each millisecond.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.name);
    process.on("warning", onWarning);
    const real = globalThis.setTimeout;
    let arms = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof real>) => ((arms += 1), real(...args))) as typeof real;
    const queue = new MemoryQueue({ clock: systemClock, log, onJob: () => undefined });
    try {
      let ran = 0;
      queue.handle("prune-pull", async () => void (ran += 1));
      await queue.add("prune-pull", {}, { id: "prune-pull:o/r#1", runAt: Date.now() + GRACE_HOURS_MAX * HOUR });
      await sleep(200);
      assert.equal(ran, 0);
      assert.ok(arms <= 1, `${arms} timers armed in 200 ms`);
      assert.deepEqual(
        warnings.filter((name) => name === "TimeoutOverflowWarning"),
        [],
      );
    } finally {
      globalThis.setTimeout = real;
      process.off("warning", onWarning);
      await queue.close();
    }
  });

  describe("MemoryQueue", () => {
    it("runs jobs due in 30 and 1,000 days at their time, one timer per wait, and none once empty", async () => {
      const clock = new ManualClock("2026-11-20T12:00:00Z");
      const queue = new MemoryQueue({ clock, log });
      const ran: [string, number][] = [];
      const start = clock.now();
      queue.handle("k", async (data) => void ran.push([data as string, clock.now() - start]));
      await queue.add("k", "grace", { id: "a", runAt: start + GRACE_HOURS_MAX * HOUR });
      await queue.add("k", "far", { id: "b", runAt: start + 1000 * DAY });
      const armedAfterAdding = clock.armed;
      clock.advance(GRACE_HOURS_MAX * HOUR - 1);
      assert.equal(clock.armed, armedAfterAdding, "no timer re-armed while waiting 30 days");
      await queue.idle();
      assert.deepEqual(ran, []);
      clock.advance(1);
      await queue.idle();
      assert.deepEqual(ran, [["grace", GRACE_HOURS_MAX * HOUR]]);
      const armedBeforeFar = clock.armed;
      clock.advance(1000 * DAY - GRACE_HOURS_MAX * HOUR - 1);
      assert.equal(clock.armed, armedBeforeFar, "no timer re-armed while waiting 970 days");
      clock.advance(1);
      await queue.idle();
      assert.deepEqual(ran, [
        ["grace", GRACE_HOURS_MAX * HOUR],
        ["far", 1000 * DAY],
      ]);
      assert.equal(clock.pending(), 0, "an empty queue holds no timer");
      await queue.close();
    });

    it("refuses a due time that is not a time, rather than spinning on it", async () => {
      const clock = new ManualClock("2026-11-20T12:00:00Z");
      const queue = new MemoryQueue({ clock, log });
      await assert.rejects(
        async () => queue.add("k", null, { id: "nan", runAt: Date.parse("not a date") }),
        /runAt must be a time/,
      );
      assert.equal(clock.pending(), 0);
      await queue.close();
    });
  });

  describe("BullmqQueue against a real redis-server", () => {
    let redis: Awaited<ReturnType<typeof startLocalRedis>>;
    before(async () => {
      redis = await startLocalRedis();
    });
    after(() => redis.stop());

    it("keeps jobs due in 30 and 1,000 days as delayed jobs at their time, with no timer overflow", async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => void warnings.push(warning.name);
      process.on("warning", onWarning);
      const queue = new BullmqQueue({ redisUrl: redis.url, clock: systemClock, log, name: "long" });
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const inspect = new Queue("long", { connection });
      try {
        let ran = 0;
        queue.handle("prune-pull", async () => void (ran += 1));
        const now = Date.now();
        const due = { grace: now + GRACE_HOURS_MAX * HOUR, far: now + 1000 * DAY };
        for (const [id, runAt] of Object.entries(due)) await queue.add("prune-pull", {}, { id, runAt });
        await assert.rejects(
          async () => queue.add("prune-pull", {}, { id: "nan", runAt: Number.NaN }),
          /runAt must be a time/,
        );
        await sleep(300);
        assert.equal(ran, 0);
        for (const [id, runAt] of Object.entries(due)) {
          const job = await inspect.getJob(id);
          assert.equal(await job?.getState(), "delayed");
          assert.ok(Math.abs((job?.timestamp ?? 0) + (job?.delay ?? 0) - runAt) < 1000, `${id} due at its time`);
        }
        assert.deepEqual(
          warnings.filter((name) => name === "TimeoutOverflowWarning"),
          [],
        );
      } finally {
        process.off("warning", onWarning);
        await inspect.close();
        connection.disconnect();
        await queue.close();
      }
    });
  });
});
