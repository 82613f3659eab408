import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReplyError } from "ioredis";
import { pino } from "pino";
import type { Logger } from "probot";
import type { Octokit } from "../../src/github/octokit.js";
import type { JobQueue } from "../../src/queue/job-queue.js";
import { Jobs } from "../../src/queue/job-kind.js";
import type { RerunJob } from "../../src/retry/rerun-job.js";
import { requestRerun } from "../../src/retry/request-rerun.js";

const job: RerunJob = {
  installationId: 1,
  owner: "octo-org",
  repo: "app",
  runId: 600,
  workflowId: 77,
  headBranch: "feature/x",
  event: "pull_request",
  attempt: 1,
  target: { kind: "failed-jobs" },
  pulls: [7],
  budgetDay: "2026-11-20",
  tries: 0,
};

/** The re-run job against an Octokit whose requests fail as given; what it did besides. */
async function rerunWith(failures: { read?: Error; rerun?: Error }) {
  const effects: string[] = [];
  const octokit = {
    rest: {
      actions: {
        getWorkflowRun: async () => {
          if (failures.read) throw failures.read;
          return { data: { run_attempt: 1, status: "completed" } };
        },
        listWorkflowRuns: async () => ({ data: { workflow_runs: [] } }),
        reRunWorkflowFailedJobs: async () => {
          if (failures.rerun) throw failures.rerun;
          return { status: 201 };
        },
      },
    },
    paginate: async () => [],
  } as unknown as Octokit;
  const outcome = requestRerun(
    job,
    {
      octokitFor: async () => octokit,
      queue: new Jobs({ add: async (kind: string) => void effects.push(`queued ${kind}`) } as unknown as JobQueue),
      budget: {
        used: async () => 0,
        reserve: async () => undefined,
        release: async () => void effects.push("budget released"),
      },
      clock: {
        now: () => Date.parse("2026-11-20T12:00:00Z"),
        setTimeout: () => undefined,
        clearTimeout: () => undefined,
      },
      log: pino({ level: "silent" }) as unknown as Logger,
      record: async (_octokit, _job, result) => void effects.push(`recorded ${result.status}`),
    },
    {
      checkpoint: async (data) => void effects.push(`checkpoint sent=${String((data as RerunJob).sent)}`),
      lastTry: false,
      mayWait: true,
    },
  );
  return { outcome, effects };
}

describe("a scheduled re-run when Redis or a limiter fails under its requests", () => {
  it("fails the job for the queue to try again, rather than calling the re-run off, when reading the run", async () => {
    const limiter = new ReplyError("ERR UNKNOWN_CLIENT");
    const { outcome, effects } = await rerunWith({ read: limiter });
    await assert.rejects(outcome, limiter);
    assert.deepEqual(effects, []);
  });

  it("fails the job for the queue to try again when asking for the re-run", async () => {
    const limiter = new ReplyError("ERR UNKNOWN_CLIENT");
    const { outcome, effects } = await rerunWith({ rerun: limiter });
    await assert.rejects(outcome, limiter);
    assert.deepEqual(effects, ["checkpoint sent=true"]);
  });
});
