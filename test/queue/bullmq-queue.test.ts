import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { BullmqQueue } from "../../src/queue/bullmq-queue.js";
import { MAX_WAITS, systemClock } from "../../src/queue/job-queue.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";

const log = pino({ level: "silent" });

describe("BullmqQueue against a real redis-server", () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  let queues: BullmqQueue[] = [];
  let name = 0;
  const replica = (queueName: string, options: Partial<ConstructorParameters<typeof BullmqQueue>[0]> = {}) => {
    const queue = new BullmqQueue({
      redisUrl: redis.url,
      clock: systemClock,
      log,
      name: queueName,
      lockDurationMs: 1000,
      stalledIntervalMs: 500,
      retryDelayMs: 50,
      ...options,
    });
    queues.push(queue);
    return queue;
  };
  before(async () => {
    redis = await startLocalRedis();
  });
  after(async () => {
    await Promise.all(queues.map((q) => q.close()));
    queues = [];
    await redis.stop();
  });

  it("runs a job id once across two replicas, at its time", async () => {
    const queueName = `q${++name}`;
    const runs: number[] = [];
    const a = replica(queueName);
    const b = replica(queueName);
    for (const queue of [a, b]) queue.handle("work", async () => void runs.push(Date.now()));
    const runAt = Date.now() + 400;
    const added = await Promise.all([
      a.add("work", {}, { id: "rerun:o/r:1:1", runAt }),
      b.add("work", {}, { id: "rerun:o/r:1:1", runAt }),
    ]);
    assert.deepEqual(added.filter(Boolean).length >= 1, true);
    await waitFor(() => Promise.resolve(runs.length > 0), 5000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(runs.length, 1, "once, not once per replica");
    assert.ok((runs[0] ?? 0) >= runAt - 20, "not before its time");
    assert.equal(
      await a.add("work", {}, { id: "rerun:o/r:1:1", runAt }),
      false,
      "a finished job's id still turns duplicates away",
    );
  });

  it("retries a failing job and reports outcomes", async () => {
    const outcomes: string[] = [];
    const queue = replica(`q${++name}`, { onJob: (e) => outcomes.push(e.outcome) });
    let tries = 0;
    queue.handle("flaky", async () => {
      tries += 1;
      if (tries < 3) throw new Error("boom");
    });
    await queue.add("flaky", {}, { id: "flaky-1", runAt: Date.now() });
    await waitFor(() => Promise.resolve(outcomes.includes("done")), 5000);
    assert.deepEqual(outcomes, ["retry", "retry", "done"]);
  });

  it("gives a retried job the data it checkpointed in Redis, and says which try is the last", async () => {
    const queue = replica(`q${++name}`);
    const seen: { data: unknown; lastTry: boolean }[] = [];
    queue.handle("steps", async (data, job) => {
      seen.push({ data, lastTry: job.lastTry });
      await job.checkpoint({ step: seen.length });
      throw new Error("boom");
    });
    await queue.add("steps", { step: 0 }, { id: "steps-1", runAt: Date.now() });
    await waitFor(() => Promise.resolve(seen.length === 3), 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(seen, [
      { data: { step: 0 }, lastTry: false },
      { data: { step: 1 }, lastTry: false },
      { data: { step: 2 }, lastTry: true },
    ]);
  });

  it("runs a rate-limited job again when the limit ends, without spending an attempt, and ends it past its waits", async () => {
    const outcomes: string[] = [];
    const queue = replica(`q${++name}`, { onJob: (e) => outcomes.push(e.outcome) });
    const seen: { at: number; lastTry: boolean; mayWait: boolean }[] = [];
    queue.handle("limited", async (_data, job) => {
      seen.push({ at: Date.now(), lastTry: job.lastTry, mayWait: job.mayWait });
      throw Object.assign(new Error("secondary rate limit"), { retryAfterMs: 200 });
    });
    await queue.add("limited", {}, { id: "limited-1", runAt: Date.now() });
    await waitFor(() => Promise.resolve(outcomes.includes("failed")), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(
      outcomes,
      [...Array<string>(MAX_WAITS).fill("rate-limited"), "failed"],
      "waited, then ended: no attempt left for it",
    );
    assert.deepEqual(
      seen.map((s) => s.mayWait),
      [...Array<boolean>(MAX_WAITS).fill(true), false],
    );
    assert.ok(
      seen.every((s) => !s.lastTry),
      "a wait is not an attempt",
    );
    const gaps = seen.slice(1).map((s, i) => s.at - (seen[i]?.at ?? 0));
    assert.ok(Math.min(...gaps) >= 190, `not before the limit's end: gaps ${gaps.join(", ")} ms`);
  });

  it("runs a lane's jobs on a worker of their own: a long prune does not hold up reports", async () => {
    const queue = replica(`q${++name}`, { concurrency: 1, lanes: { prune: { kinds: ["prune"], concurrency: 1 } } });
    let release: () => void = () => undefined;
    const ran: string[] = [];
    queue.handle("prune", () => {
      ran.push("prune");
      return new Promise<void>((resolve) => (release = resolve));
    });
    queue.handle("report", async () => void ran.push("report"));
    await queue.add("prune", {}, { id: "prune-1", runAt: Date.now() });
    await waitFor(() => Promise.resolve(ran.includes("prune")), 5000);
    await queue.add("report", {}, { id: "report-1", runAt: Date.now() });
    await waitFor(() => Promise.resolve(ran.includes("report")), 5000, "the report waited for the prune");
    release();
  });

  it("fires a schedule once per firing whatever the number of replicas", async () => {
    const queueName = `q${++name}`;
    let ticks = 0;
    const a = replica(queueName);
    const b = replica(queueName);
    for (const queue of [a, b]) queue.handle("tick", async () => void (ticks += 1));
    await Promise.all([a.every("tick", "*/1 * * * * *"), b.every("tick", "*/1 * * * * *")]);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.ok(ticks >= 2 && ticks <= 4, `${ticks} ticks in 3.5 s from two replicas`);
  });

  it("lets another replica finish the job of a worker that was killed mid-job", async () => {
    const queueName = `q${++name}`;
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/bullmq-worker.ts", redis.url, queueName], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let childOutput = "";
    child.stdout?.on("data", (chunk: Buffer) => (childOutput += chunk.toString()));
    const producer = replica(queueName);
    await producer.add("slow", { n: 1 }, { id: "slow-1", runAt: Date.now() });
    await waitFor(
      () => Promise.resolve(childOutput.includes("started")),
      15_000,
      "the other replica never took the job",
    );
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    let finished = false;
    producer.handle("slow", async () => void (finished = true));
    await waitFor(() => Promise.resolve(finished), 15_000, "the job was not taken over");
  });

  it("says when Redis is not ready", async () => {
    const queue = replica(`q${++name}`);
    assert.equal(await queue.ready(), true);
    await queue.close();
    assert.equal(await queue.ready(), false);
  });
});
