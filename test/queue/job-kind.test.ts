import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { pino } from "pino";
import { z } from "zod";
import { CAPABILITIES } from "../../src/index.js";
import { defineJob, Jobs, lanesOf } from "../../src/queue/job-kind.js";
import { MemoryQueue } from "../../src/queue/memory-queue.js";
import { RERUN_JOB } from "../../src/retry/rerun-job.js";
import { ManualClock } from "../support/manual-clock.js";

const GREETING = defineJob({
  name: "greeting",
  schema: z.object({ to: z.string(), times: z.number().int() }),
  id: (data) => `greeting:${data.to}`,
});

function setup() {
  const clock = new ManualClock("2026-11-20T12:00:00Z");
  const logs: Record<string, unknown>[] = [];
  const log = pino(
    { level: "debug" },
    new Writable({
      write: (chunk: Buffer, _e, done) => (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()),
    }),
  );
  const queue = new MemoryQueue({ clock, log, retryDelayMs: 1, maxTries: 1 });
  return { clock, queue, jobs: new Jobs(queue), logs };
}

describe("job kinds", () => {
  it("queue typed data under the id of the work, once", async () => {
    const { clock, queue, jobs } = setup();
    const seen: { to: string; times: number }[] = [];
    jobs.handle(GREETING, async (data) => void seen.push(data));
    assert.equal(await jobs.add(GREETING, { to: "octo", times: 1 }, clock.now()), true);
    assert.equal(await jobs.add(GREETING, { to: "octo", times: 2 }, clock.now()), false, "the same work is added once");
    await queue.idle();
    assert.deepEqual(seen, [{ to: "octo", times: 1 }]);
  });

  it("refuse data of another shape by name, rather than misread it", async () => {
    const { clock, queue, jobs, logs } = setup();
    let handled = false;
    jobs.handle(GREETING, async () => void (handled = true));
    // As a job stored in Redis by another release would arrive.
    await queue.add(GREETING.name, { to: 7 }, { id: "greeting:old", runAt: clock.now() });
    await queue.idle();
    assert.equal(handled, false);
    const failed = logs.find((l) => l.msg === "job failed for good") as { err?: { message?: string } } | undefined;
    assert.match(
      failed?.err?.message ?? "",
      /a greeting job's data does not have the shape this release of Dockhand expects \(to: .*; times: .*\); it was probably queued by another release/,
    );
  });

  it("refuse a stored re-run without its run attempt", () => {
    const parsed = RERUN_JOB.schema.safeParse({ installationId: 1, owner: "o", repo: "r", runId: 5 });
    assert.equal(parsed.success, false);
  });

  it("give the lanes the capabilities declare", () => {
    const kinds = CAPABILITIES.flatMap((capability) => capability.jobs);
    assert.deepEqual(lanesOf(kinds, { prune: 3 }), { prune: { kinds: ["prune-pull", "sweep-repo"], concurrency: 3 } });
    assert.deepEqual(new Set(kinds.map((kind) => kind.name)).size, kinds.length, "job kind names are unique");
  });
});
