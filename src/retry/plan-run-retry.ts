import type { Logger } from "probot";
import type { RetryConfig } from "../config/schema.js";
import type { AttemptJobs } from "../github/list-attempt-jobs.js";
import type { Octokit, RepoRef } from "../github/octokit.js";
import type { Jobs } from "../queue/job-kind.js";
import { decideRetry, FAILED_CONCLUSIONS } from "./decide-retry.js";
import { followRerun, openBreakers, type FollowDependencies } from "./follow-rerun.js";
import { hasNewerRun, type RunIdentity } from "./find-newer-run.js";
import { readJobFailure } from "./read-job-failure.js";
import { attemptKey, RERUN_JOB, type RerunJob } from "./rerun-job.js";
import { utcDay, type RetryBudget } from "./retry-budget.js";
import { unreadVerdict, type JobVerdict, type RerunResult, type RetryRecord } from "./retry-record.js";
import { compileRules } from "./rule-set.js";

/** At most this many failed jobs are read per attempt; a run failing wider than that is not a flake. */
const MAX_FAILED_JOBS = 10;

export interface RetryRun extends RunIdentity {
  installationId: number;
  attempt: number;
  conclusion: string | null;
  createdAt: string;
  completedAt: string;
  /** The previous attempt's record, when this attempt is Dockhand's re-run of it and how that ended is not yet written down. */
  previous?: RetryRecord;
}

export interface RetryDependencies extends FollowDependencies {
  queue: Jobs;
  budget: RetryBudget;
  /** Registry hosts the operator configured: DNS and TLS failures naming them may be blips. */
  knownRegistries: string[];
}

/** A decision (for a failed attempt), the re-run to queue once the PR comments show it, and how the previous re-run ended. */
export interface PlannedRetry {
  record?: RetryRecord;
  rerun?: { job: RerunJob; at: number };
  rerunResult?: RerunResult;
}

/**
 * Looks at a failed attempt's failed jobs, decides, and reserves the budget for the re-run. The
 * reservation (and later the job) is keyed by the run attempt, so a redelivered webhook or a second
 * replica spends no budget twice. When the attempt is Dockhand's re-run of the one before (`previous`;
 * then it may also have passed), how that re-run ended is recorded first, so the breaker counts it.
 */
export async function planRunRetry(
  octokit: Octokit,
  repo: RepoRef,
  run: RetryRun,
  jobs: AttemptJobs,
  config: RetryConfig,
  pulls: number[],
  deps: RetryDependencies,
  log: Logger,
): Promise<PlannedRetry> {
  const repository = `${repo.owner}/${repo.repo}`;
  const budgetDay = utcDay(Date.parse(run.completedAt));
  const key = attemptKey({ ...repo, runId: run.runId, attempt: run.attempt });
  const deciding = FAILED_CONCLUSIONS.has(run.conclusion ?? "");
  if (!jobs.ok)
    return deciding
      ? {
          record: decideRetry({ ...run, superseded: false, budgetUsed: 0, jobsUnavailable: jobs.reason }, [], config)
            .record,
        }
      : {};
  const failed = jobs.jobs.filter((job) => job.conclusion === "failure" || job.conclusion === "timed_out");
  const verdicts: JobVerdict[] = [];
  let bytesRead = 0;
  if (deciding && run.conclusion !== "cancelled") {
    const rules = compileRules(config.rules, deps.knownRegistries);
    for (const job of failed.slice(0, MAX_FAILED_JOBS)) {
      const result = await readJobFailure(octokit, repo, job, rules, log);
      bytesRead += result.bytesRead;
      verdicts.push(result.verdict);
      // Permanent wins: once one job failed for real, the others need not be read (unless mixed runs may re-run).
      if (result.verdict.verdict === "permanent" && config.mixed === "skip") break;
    }
    for (const job of failed.slice(verdicts.length)) verdicts.push(unreadVerdict(job, null));
  }
  const rerunResult =
    run.previous && (await followRerun(repo, run, run.previous, jobs.jobs, verdicts, config, deps, log));
  if (!deciding) return rerunResult ? { rerunResult } : {};
  const transient = verdicts.flatMap((v) => (v.verdict === "transient" && v.rule ? [v.rule] : []));
  const worthChecking = verdicts.some((v) => v.verdict === "transient");
  const superseded = worthChecking ? await hasNewerRun(octokit, repo, run).catch(() => false) : false;
  const breakers = worthChecking
    ? await openBreakers(
        deps.breaker,
        { installationId: run.installationId, repository },
        transient,
        config,
        Date.parse(run.completedAt),
      )
    : [];
  const plan = decideRetry(
    { ...run, superseded, budgetUsed: await deps.budget.used(repository, budgetDay, key), openBreakers: breakers },
    verdicts,
    config,
  );
  log.info(
    {
      outcome: plan.record.outcome,
      jobs: verdicts.map((v) => ({ job: v.name, verdict: v.verdict, rule: v.rule, source: v.source })),
      bytesRead,
    },
    "retry decision",
  );

  if (plan.action === "rerun" && config.mode === "rerun") {
    const job: RerunJob = {
      installationId: run.installationId,
      owner: repo.owner,
      repo: repo.repo,
      runId: run.runId,
      attempt: run.attempt,
      workflowId: run.workflowId,
      headBranch: run.headBranch,
      event: run.event,
      target: plan.target,
      pulls,
      budgetDay,
      tries: 0,
    };
    await deps.budget.reserve(repository, budgetDay, key);
    return { record: plan.record, rerun: { job, at: plan.at }, ...(rerunResult ? { rerunResult } : {}) };
  }
  return { record: plan.record, ...(rerunResult ? { rerunResult } : {}) };
}

/**
 * Queues a planned re-run. The caller does it after writing the decision into the PR comments, which
 * the re-run job writes its outcome into: queued earlier, it could run before there is a place to say
 * what it did (the comment write may be retried for minutes while GitHub fails).
 */
export async function queueRerun(queue: Jobs, rerun: NonNullable<PlannedRetry["rerun"]>, log: Logger): Promise<void> {
  const added = await queue.add(RERUN_JOB, rerun.job, rerun.at);
  if (!added) log.info("re-run already scheduled for this attempt");
}
