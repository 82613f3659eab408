import type { Logger } from "probot";
import { statusOf, type Octokit } from "../github/octokit.js";
import type { Clock, JobQueue } from "../queue/job-queue.js";
import { hasNewerRun } from "./find-newer-run.js";
import { attemptKey, RERUN_JOB, rerunJobId, type RerunJob } from "./rerun-job.js";
import type { RetryBudget } from "./retry-budget.js";
import type { RetryOutcome, StopReason } from "./retry-record.js";

export interface RerunDependencies {
  octokitFor: (installationId: number) => Promise<Octokit>;
  queue: JobQueue;
  budget: RetryBudget;
  clock: Clock;
  log: Logger;
  /** Writes the outcome into the PR comments that show the run. */
  record: (octokit: Octokit, job: RerunJob, outcome: RetryOutcome) => Promise<void>;
}

/** "Not now" answers are asked again this many times in all, with doubling waits from a minute. */
export const MAX_RERUN_TRIES = 5;
const TRY_AGAIN_MS = 60_000;

/**
 * The scheduled half of a retry: checks that the run is still as it was when the re-run was
 * decided (same attempt, finished, not superseded), then asks GitHub. GitHub's own state is the
 * lock: once one replica's re-run starts, the attempt number moves and every other copy stops.
 */
export async function requestRerun(job: RerunJob, deps: RerunDependencies): Promise<void> {
  const log = deps.log.child({ repository: `${job.owner}/${job.repo}`, runId: job.runId, attempt: job.attempt, tries: job.tries });
  const octokit = await deps.octokitFor(job.installationId);
  const repo = { owner: job.owner, repo: job.repo };

  const stop = async (reason: StopReason, detail?: string) => {
    await deps.budget.release(`${job.owner}/${job.repo}`, job.budgetDay, attemptKey(job));
    log.info({ reason, detail }, "re-run called off");
    await deps.record(octokit, job, { status: "stopped", reason, late: true, ...(detail ? { detail } : {}) });
  };
  const later = async (reason: "still-running" | "github-error", detail: string) => {
    const tries = job.tries + 1;
    if (tries >= MAX_RERUN_TRIES) return stop(reason, detail);
    const next = { ...job, tries };
    const runAt = deps.clock.now() + TRY_AGAIN_MS * 2 ** job.tries;
    log.info({ reason, detail, runAt: new Date(runAt).toISOString() }, "GitHub said not now; trying the re-run again later");
    await deps.queue.add(RERUN_JOB, next, { id: rerunJobId(next), runAt });
  };

  let run;
  try {
    run = (await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: job.runId })).data;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return stop("run-gone");
    if (status === undefined || status >= 500) return later("github-error", `HTTP ${status ?? "error"} reading the run`);
    return stop("github-error", `HTTP ${status} reading the run`);
  }
  if (run.run_attempt !== undefined && run.run_attempt > job.attempt) return stop("already-rerun");
  if (run.status !== "completed") return later("still-running", `run status ${run.status ?? "unknown"}`);
  try {
    if (await hasNewerRun(octokit, repo, job)) return stop("superseded");
  } catch (error) {
    log.warn({ err: error }, "could not list newer runs; re-running anyway");
  }

  try {
    if (job.target.kind === "failed-jobs") await octokit.rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: job.runId });
    else await octokit.rest.actions.reRunJobForWorkflowRun({ ...repo, job_id: job.target.jobId });
  } catch (error) {
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status === 403 && /already running/i.test(message)) return later("still-running", message);
    if (status === undefined || status >= 500) return later("github-error", `HTTP ${status ?? "error"}: ${message}`);
    return stop("github-refused", `HTTP ${status}: ${message}`);
  }
  log.info({ target: job.target.kind }, "re-run requested");
  await deps.record(octokit, job, {
    status: "requested",
    at: new Date(deps.clock.now()).toISOString(),
    ...(job.target.kind === "job" ? { jobId: job.target.jobId } : {}),
  });
}
