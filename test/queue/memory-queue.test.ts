import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { isFinalRun, type RunningJob } from "../../src/queue/job-queue.js";
import { MemoryQueue } from "../../src/queue/memory-queue.js";
import { ManualClock } from "../support/manual-clock.js";

function setup(options: Partial<ConstructorParameters<typeof MemoryQueue>[0]> = {}) {
  const clock = new ManualClock("2026-11-20T12:00:00Z");
  const queue = new MemoryQueue({ clock, log: pino({ level: "silent" }), retryDelayMs: 1000, ...options });
  return { clock, queue };
}

describe("MemoryQueue", () => {
  it("runs jobs at their time, in time order", async () => {
    const { clock, queue } = setup();
    const ran: string[] = [];
    queue.handle("k", async (data) => void ran.push(data as string));
    await queue.add("k", "late", { id: "2", runAt: clock.now() + 2000 });
    await queue.add("k", "early", { id: "1", runAt: clock.now() + 1000 });
    clock.advance(999);
    await queue.idle();
    assert.deepEqual(ran, []);
    clock.advance(1001);
    await queue.idle();
    assert.deepEqual(ran, ["early", "late"]);
  });

  it("on close runs the jobs already due (accepted deliveries), drops the later ones, then takes no more", async () => {
    const { clock, queue } = setup({ concurrency: 1 });
    const ran: string[] = [];
    queue.handle("k", async (data) => void ran.push(data as string));
    await queue.add("k", "due-1", { id: "1", runAt: clock.now() });
    await queue.add("k", "due-2", { id: "2", runAt: clock.now() });
    await queue.add("k", "later", { id: "3", runAt: clock.now() + 60_000 });
    await queue.close();
    assert.deepEqual(ran, ["due-1", "due-2"]);
    assert.equal(await queue.add("k", "after", { id: "4", runAt: clock.now() }), false);
    clock.advance(60_000);
    await queue.idle();
    assert.deepEqual(ran, ["due-1", "due-2"]);
  });

  it("turns away a job id that is pending or recently done", async () => {
    const { clock, queue } = setup();
    let runs = 0;
    queue.handle("k", async () => void (runs += 1));
    assert.equal(await queue.add("k", null, { id: "a", runAt: clock.now() }), true);
    assert.equal(await queue.add("k", null, { id: "a", runAt: clock.now() }), false);
    await queue.idle();
    assert.equal(await queue.add("k", null, { id: "a", runAt: clock.now() }), false);
    clock.advance(25 * 3600 * 1000);
    assert.equal(await queue.add("k", null, { id: "a", runAt: clock.now() }), true, "forgotten after a day");
    await queue.idle();
    assert.equal(runs, 2);
  });

  it("waits for a free slot without spinning when more jobs are due than it may run", async () => {
    const { clock, queue } = setup();
    const release: (() => void)[] = [];
    let started = 0;
    queue.handle("k", () => {
      started += 1;
      return new Promise<void>((resolve) => release.push(resolve));
    });
    for (let i = 0; i < 10; i += 1) await queue.add("k", null, { id: `j${i}`, runAt: clock.now() });
    clock.advance(0);
    assert.equal(started, 4, "four at a time");
    assert.equal(clock.pending(), 0, "no timer armed while every slot is taken");
    release.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started, 5, "a finishing job starts the next");
    while (release.length > 0) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await queue.idle();
    assert.equal(started, 10);
  });

  it("tries a failing job again with doubling delays, then gives up", async () => {
    const { clock, queue } = setup({ maxTries: 3 });
    const times: number[] = [];
    const start = clock.now();
    queue.handle("k", async () => {
      times.push(clock.now() - start);
      throw new Error("boom");
    });
    await queue.add("k", null, { id: "x", runAt: start });
    await queue.idle();
    for (let i = 0; i < 5; i += 1) {
      clock.advance(1000);
      await queue.idle();
    }
    assert.deepEqual(times, [0, 1000, 3000]);
    assert.deepEqual(queue.scheduled(), []);
  });

  it("gives a retried job the data it checkpointed, and says which try is the last", async () => {
    const { clock, queue } = setup({ maxTries: 3 });
    const seen: { data: unknown; lastTry: boolean }[] = [];
    queue.handle("k", async (data, job) => {
      seen.push({ data, lastTry: job.lastTry });
      await job.checkpoint({ step: seen.length });
      throw new Error("boom");
    });
    await queue.add("k", { step: 0 }, { id: "x", runAt: clock.now() });
    for (let i = 0; i < 5; i += 1) {
      await queue.idle();
      clock.advance(2000);
    }
    assert.deepEqual(seen, [
      { data: { step: 0 }, lastTry: false },
      { data: { step: 1 }, lastTry: false },
      { data: { step: 2 }, lastTry: true },
    ]);
  });

  it("runs a rate-limited job again when the limit ends, its slot free meanwhile, without spending a try", async () => {
    const outcomes: string[] = [];
    const { clock, queue } = setup({ maxTries: 2, concurrency: 1, onJob: (e) => outcomes.push(e.outcome) });
    const ran: string[] = [];
    const finals: boolean[] = [];
    const limited = Object.assign(new Error("secondary rate limit"), { retryAfterMs: 60_000 });
    queue.handle("k", async (_data, job) => {
      ran.push("k");
      finals.push(isFinalRun(job, limited));
      // A rate limit three times (wrapped, as a job might rethrow it), then an ordinary failure, then done.
      if (ran.filter((r) => r === "k").length <= 3) throw new Error("the job stopped", { cause: limited });
      if (ran.filter((r) => r === "k").length === 4) throw new Error("boom");
    });
    queue.handle("other", async () => void ran.push("other"));
    await queue.add("k", null, { id: "x", runAt: clock.now() });
    await queue.add("other", null, { id: "y", runAt: clock.now() + 1 });
    await queue.idle();
    clock.advance(1);
    await queue.idle();
    assert.deepEqual(ran, ["k", "other"], "the one slot is free while the job waits");
    for (let i = 0; i < 3; i += 1) {
      const [waiting] = queue.scheduled();
      assert.equal(waiting?.runAt, clock.now() + 60_000 - (i === 0 ? 1 : 0), "at the limit's end");
      clock.advance(waiting.runAt - clock.now());
      await queue.idle();
    }
    const [retry] = queue.scheduled();
    assert.equal(retry?.runAt, clock.now() + 1000, "an ordinary failure after the waits: its backoff, a try left");
    clock.advance(1000);
    await queue.idle();
    assert.equal(ran.length, 6);
    assert.deepEqual(outcomes, ["rate-limited", "done", "rate-limited", "rate-limited", "retry", "done"]);
    assert.deepEqual(
      finals,
      [false, false, false, false, false],
      "a rate limit is never the end while the job may still wait",
    );
  });

  it("ends a job that is still rate-limited after waiting as often as it may", async () => {
    const { clock, queue } = setup({ maxTries: 3, maxWaits: 2 });
    const seen: Pick<RunningJob, "lastTry" | "mayWait">[] = [];
    queue.handle("k", async (_data, job) => {
      seen.push({ lastTry: job.lastTry, mayWait: job.mayWait });
      throw Object.assign(new Error("rate limit"), { retryAfterMs: 1000 });
    });
    await queue.add("k", null, { id: "x", runAt: clock.now() });
    for (let i = 0; i < 6; i += 1) {
      await queue.idle();
      clock.advance(1000);
    }
    assert.deepEqual(seen, [
      { lastTry: false, mayWait: true },
      { lastTry: false, mayWait: true },
      { lastTry: false, mayWait: false },
    ]);
    assert.deepEqual(queue.scheduled(), []);
  });

  it("keeps the default lane's slots free while a lane of slow jobs is full", async () => {
    const { clock, queue } = setup({ concurrency: 2, lanes: { slow: { kinds: ["prune"], concurrency: 1 } } });
    const release: (() => void)[] = [];
    const ran: string[] = [];
    queue.handle("prune", (data) => {
      ran.push(data as string);
      return new Promise<void>((resolve) => release.push(resolve));
    });
    queue.handle("report", async (data) => void ran.push(data as string));
    for (const id of ["p1", "p2", "p3"]) await queue.add("prune", id, { id, runAt: clock.now() });
    for (const id of ["r1", "r2", "r3"]) await queue.add("report", id, { id, runAt: clock.now() + 1 });
    clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ["p1", "r1", "r2", "r3"], "one prune at a time; reports run beside it");
    assert.equal(clock.pending(), 0, "no timer while the only waiting jobs' lane is full");
    while (release.length > 0) {
      release.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await queue.idle();
    assert.deepEqual(ran, ["p1", "r1", "r2", "r3", "p2", "p3"]);
  });
});
