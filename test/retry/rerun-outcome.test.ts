import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  awaitsOutcome,
  metricRule,
  outcomeOf,
  type RerunOutcome,
  type RuleOutcome,
} from "../../src/retry/rerun-outcome.js";
import type { JobVerdict, RetryRecord } from "../../src/retry/retry-record.js";

function verdict(jobId: number, name: string, verdict: JobVerdict["verdict"], rule: string | null): JobVerdict {
  return { jobId, name, step: "Push", verdict, rule, operation: null, line: "x", source: "log", wait: "normal" };
}
function requested(jobs: JobVerdict[], jobId?: number): RetryRecord {
  return {
    mode: "rerun",
    maxAttempts: 3,
    jobs,
    outcome: { status: "requested", at: "2026-11-20T11:31:00Z", ...(jobId !== undefined ? { jobId } : {}) },
  };
}
type Conclusion = "success" | "failure" | "timed_out" | "cancelled" | "skipped" | null;
const job = (id: number, name: string, conclusion: Conclusion) => ({ id, name, conclusion });

const push = verdict(1, "push", "transient", "registry-server-error");
const pull = verdict(2, "pull", "transient", "connection-dropped");

interface Case {
  name: string;
  previous: RetryRecord;
  jobs: ReturnType<typeof job>[];
  verdicts: JobVerdict[];
  expected: RuleOutcome[];
}

/** How attempt 2's push ended and was read, when attempt 1 failed `push` alone → its rule's outcome. */
const readSame = verdict(11, "push", "transient", "registry-server-error");
const readUnrelated = verdict(11, "push", "unrelated", null);
const PUSH_ALONE: Record<RerunOutcome, [name: string, conclusion: Conclusion, read: JobVerdict | null][]> = {
  fixed: [["the re-run passed", "success", null]],
  "failed-same": [
    ["failed again with the same verdict and rule", "failure", readSame],
    ["timed out, read as the same", "timed_out", readSame],
  ],
  "failed-different": [
    ["failed with another rule", "failure", verdict(11, "push", "transient", "connection-dropped")],
    ["failed with another verdict (the push got through; a test failed)", "failure", readUnrelated],
    ["failed and not read (no verdict)", "failure", null],
    ["failed and its log could not be read (source none)", "failure", { ...readUnrelated, source: "none" }],
  ],
};

/** Attempt 1's failed jobs (all transient: re-run), attempt 2's jobs and verdicts → per-rule outcomes. */
const CASES: Case[] = [
  ...Object.entries(PUSH_ALONE).flatMap(([outcome, rows]) =>
    rows.map(([name, conclusion, read]) => ({
      name: `${name}: ${outcome}`,
      previous: requested([push]),
      jobs: [job(11, "push", conclusion)],
      verdicts: read ? [read] : [],
      expected: [{ rule: "registry-server-error", outcome: outcome as RerunOutcome }],
    })),
  ),
  {
    name: "cancelled, skipped or not listed: no evidence, no outcome",
    previous: requested([push, pull]),
    jobs: [job(11, "push", "cancelled"), job(12, "other", "failure")],
    verdicts: [],
    expected: [],
  },
  {
    name: "jobs are matched by name, not id (GitHub gives re-run jobs new ids)",
    previous: requested([push, pull]),
    jobs: [job(12, "pull", "failure"), job(11, "push", "success")],
    verdicts: [verdict(12, "pull", "transient", "connection-dropped")],
    expected: [
      { rule: "registry-server-error", outcome: "fixed" },
      { rule: "connection-dropped", outcome: "failed-same" },
    ],
  },
  {
    name: "repeated names are matched in order",
    previous: requested([verdict(1, "build", "transient", "a"), verdict(2, "build", "transient", "b")]),
    jobs: [job(11, "build", "success"), job(12, "build", "failure")],
    verdicts: [verdict(12, "build", "transient", "b")],
    expected: [
      { rule: "a", outcome: "fixed" },
      { rule: "b", outcome: "failed-same" },
    ],
  },
  {
    name: "one rule, two jobs, one fixed and one failed again: the rule failed-same",
    previous: requested([verdict(1, "amd64", "transient", "r"), verdict(2, "arm64", "transient", "r")]),
    jobs: [job(11, "amd64", "success"), job(12, "arm64", "failure")],
    verdicts: [verdict(12, "arm64", "transient", "r")],
    expected: [{ rule: "r", outcome: "failed-same" }],
  },
  {
    name: "one rule, one job fixed, one failed differently: failed-different",
    previous: requested([verdict(1, "amd64", "transient", "r"), verdict(2, "arm64", "transient", "r")]),
    jobs: [job(11, "amd64", "success"), job(12, "arm64", "failure")],
    verdicts: [verdict(12, "arm64", "permanent", "denied")],
    expected: [{ rule: "r", outcome: "failed-different" }],
  },
  {
    name: "a single-job re-run (mixed: rerun-transient) follows only that job",
    previous: requested([push, pull, verdict(3, "tests", "unrelated", null)], 2),
    jobs: [job(11, "push", "failure"), job(12, "pull", "success"), job(13, "tests", "failure")],
    verdicts: [verdict(11, "push", "transient", "registry-server-error")],
    expected: [{ rule: "connection-dropped", outcome: "fixed" }],
  },
  {
    name: "jobs that were not transient were not what the rule re-ran",
    previous: requested([verdict(1, "x", "permanent", "denied"), verdict(2, "y", "unrelated", null)]),
    jobs: [job(11, "x", "success"), job(12, "y", "success")],
    verdicts: [],
    expected: [],
  },
];

describe("outcomeOf: how a re-run ended, per rule", () => {
  for (const c of CASES) {
    it(c.name, () => assert.deepEqual(outcomeOf(c.previous, c.jobs, c.verdicts), c.expected));
  }
});

describe("awaitsOutcome", () => {
  it("follows only a re-run Dockhand requested whose ending is not written down", () => {
    assert.equal(awaitsOutcome(requested([push])), true);
    assert.equal(awaitsOutcome({ ...requested([push]), rerunResult: { attempt: 2, rules: [] } }), false);
    assert.equal(
      awaitsOutcome({ ...requested([push]), outcome: { status: "scheduled", at: "2026-11-20T11:31:00Z" } }),
      false,
    );
    assert.equal(
      awaitsOutcome({ ...requested([push]), outcome: { status: "stopped", reason: "already-rerun", late: true } }),
      false,
    );
    assert.equal(awaitsOutcome(undefined), false);
  });
});

describe("metricRule: a bounded label", () => {
  it("keeps built-in ids and names every repository rule `repository`", () => {
    assert.equal(metricRule("registry-server-error", []), "registry-server-error");
    assert.equal(metricRule("harbor-proxy-reset", [{ id: "harbor-proxy-reset" }]), "repository");
    assert.equal(metricRule("anything-at-all", []), "repository");
    // A repository rule that borrows a built-in id is the repository's, not the built-in's.
    assert.equal(metricRule("registry-server-error", [{ id: "registry-server-error" }]), "repository");
  });
});
