import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";
import type { RetryConfig } from "../../src/config/schema.js";
import { retryDelaySeconds } from "../../src/retry/backoff.js";
import { stableFraction } from "../../src/util/stable-fraction.js";
import { decideRetry, type RetryFacts } from "../../src/retry/decide-retry.js";
import { mergeRetryRecord, type JobVerdict, type RetryRecord } from "../../src/retry/retry-record.js";

function config(raw: Record<string, unknown> = {}): RetryConfig {
  const parsed = parseConfig({ retry: raw });
  assert.ok(parsed.ok);
  return parsed.config.retry;
}
const facts: RetryFacts = {
  runId: 600,
  attempt: 1,
  conclusion: "failure",
  createdAt: "2026-11-20T10:58:00Z",
  completedAt: "2026-11-20T11:30:00Z",
  superseded: false,
  budgetUsed: 0,
};
function job(jobId: number, verdict: JobVerdict["verdict"], extra: Partial<JobVerdict> = {}): JobVerdict {
  return {
    jobId,
    name: `job-${jobId}`,
    step: "Build",
    verdict,
    rule: verdict === "unrelated" ? null : "r",
    operation: null,
    line: "x",
    source: "log",
    wait: "normal",
    ...extra,
  };
}

describe("decideRetry", () => {
  it("re-runs the failed jobs when every failed job is transient, after the backoff", () => {
    const plan = decideRetry(facts, [job(1, "transient"), job(2, "transient")], config());
    assert.equal(plan.action, "rerun");
    assert.ok(plan.action === "rerun");
    assert.deepEqual(plan.target, { kind: "failed-jobs" });
    const delay = plan.at - Date.parse(facts.completedAt);
    assert.ok(delay >= 30_000 && delay <= 60_000);
    assert.equal(plan.record.outcome.status, "scheduled");
  });

  it("computes the same time for the same attempt, and spreads different runs", () => {
    const a = decideRetry(facts, [job(1, "transient")], config());
    const b = decideRetry(facts, [job(1, "transient")], config());
    assert.deepEqual(a, b);
    const times = new Set(
      Array.from({ length: 20 }, (_, i) =>
        decideRetry({ ...facts, runId: 1000 + i }, [job(1, "transient")], config()),
      ).map((p) => (p.action === "rerun" ? p.at : 0)),
    );
    assert.ok(times.size > 10, "jitter spreads runs");
  });

  const stops: [string, RetryFacts, JobVerdict[], Record<string, unknown>, string][] = [
    ["a cancelled run", { ...facts, conclusion: "cancelled" }, [job(1, "transient")], {}, "cancelled"],
    ["no failed job", facts, [], {}, "no-failed-jobs"],
    ["a permanent failure", facts, [job(1, "transient"), job(2, "permanent")], {}, "permanent"],
    [
      "a permanent failure, even when mixed runs may re-run",
      facts,
      [job(2, "permanent")],
      { mixed: "rerun-transient" },
      "permanent",
    ],
    ["an unknown failure", facts, [job(1, "unrelated")], {}, "unrelated"],
    ["a mixed run", facts, [job(1, "transient"), job(2, "unrelated")], {}, "mixed"],
    [
      "only reusable-workflow jobs to re-run one by one",
      facts,
      [job(1, "transient", { name: "build / push" }), job(2, "unrelated")],
      { mixed: "rerun-transient" },
      "reusable-job",
    ],
    ["the attempt cap", { ...facts, attempt: 3 }, [job(1, "transient")], {}, "attempt-cap"],
    ["GitHub's 50 attempts", { ...facts, attempt: 50 }, [job(1, "transient")], { maxAttempts: 50 }, "attempt-cap"],
    ["a superseded run", { ...facts, superseded: true }, [job(1, "transient")], {}, "superseded"],
    ["the budget", { ...facts, budgetUsed: 20 }, [job(1, "transient")], {}, "budget"],
    ["GitHub's 30-day window", { ...facts, createdAt: "2026-10-21T11:29:40Z" }, [job(1, "transient")], {}, "too-old"],
  ];
  for (const [name, f, jobs, raw, reason] of stops) {
    it(`stops for ${name}`, () => {
      const plan = decideRetry(f, jobs, config(raw));
      assert.equal(plan.action, "none");
      assert.deepEqual(plan.record.outcome, { status: "stopped", reason });
    });
  }

  it("re-runs one flaky job of a mixed run with mixed: rerun-transient, skipping reusable-workflow callers", () => {
    const plan = decideRetry(
      facts,
      [job(1, "transient", { name: "call / build" }), job(2, "transient"), job(3, "unrelated")],
      config({ mixed: "rerun-transient" }),
    );
    assert.ok(plan.action === "rerun");
    assert.deepEqual(plan.target, { kind: "job", jobId: 2 });
  });

  it("waits at least rateLimitSeconds after a rate limit", () => {
    const plan = decideRetry(facts, [job(1, "transient", { wait: "long" })], config());
    assert.ok(plan.action === "rerun");
    assert.equal(plan.at - Date.parse(facts.completedAt), 1_800_000);
  });

  it("decides nothing, and says why, when GitHub did not list the attempt's jobs", () => {
    const plan = decideRetry({ ...facts, jobsUnavailable: "HTTP 403" }, [], config());
    assert.equal(plan.action, "none");
    assert.deepEqual(plan.record.outcome, { status: "stopped", reason: "jobs-unavailable", detail: "HTTP 403" });
  });

  it("only reports in dry-run", () => {
    const plan = decideRetry(facts, [job(1, "transient")], config({ mode: "dry-run" }));
    assert.equal(plan.record.outcome.status, "would-rerun");
    assert.equal(plan.record.mode, "dry-run");
  });
});

describe("retryDelaySeconds", () => {
  const backoff = config().backoff;
  it("doubles per attempt within the jitter range and stops at the cap", () => {
    assert.equal(retryDelaySeconds(1, backoff, "normal", 0), 30);
    assert.equal(retryDelaySeconds(1, backoff, "normal", 1), 60);
    assert.equal(retryDelaySeconds(2, backoff, "normal", 1), 120);
    assert.equal(retryDelaySeconds(10, backoff, "normal", 1), 900);
    assert.equal(retryDelaySeconds(10, backoff, "normal", 0), 450);
  });
  it("draws stable fractions in [0, 1)", () => {
    for (const key of ["a", "600:1", "600:2", ""]) {
      const f = stableFraction(key);
      assert.ok(f >= 0 && f < 1);
      assert.equal(f, stableFraction(key));
    }
  });
});

describe("mergeRetryRecord", () => {
  const record = (outcome: RetryRecord["outcome"]): RetryRecord => ({
    mode: "rerun",
    maxAttempts: 3,
    jobs: [],
    outcome,
  });
  const scheduled = record({ status: "scheduled", at: "2026-11-20T11:31:00Z" });
  it("keeps what the scheduled re-run found out over a later decision", () => {
    const requested = record({ status: "requested", at: "2026-11-20T11:31:00Z" });
    assert.deepEqual(mergeRetryRecord(requested, scheduled)?.outcome, requested.outcome);
    const late = record({ status: "stopped", reason: "already-rerun", late: true });
    assert.deepEqual(mergeRetryRecord(late, scheduled)?.outcome, late.outcome);
  });
  it("lets a new decision replace an earlier decision", () => {
    const mixed = record({ status: "stopped", reason: "mixed" });
    assert.deepEqual(mergeRetryRecord(mixed, scheduled)?.outcome, scheduled.outcome);
  });
});
