import type { Logger } from "probot";
import { isTransientError, statusOf, type Octokit } from "../github/octokit.js";
import type { Jobs } from "../queue/job-kind.js";
import { isFinalRun, retryAfterOf, type Clock, type RunningJob } from "../queue/job-queue.js";
import { isInfrastructureError } from "../util/infrastructure-error.js";
import { hasNewerRun } from "./find-newer-run.js";
import { attemptKey, RERUN_JOB, type RerunJob } from "./rerun-job.js";
import type { RetryBudget } from "./retry-budget.js";
import type { RetryOutcome, StopReason } from "./retry-record.js";

export interface RerunDependencies {
  octokitFor: (installationId: number) => Promise<Octokit>;
  queue: Jobs;
  budget: RetryBudget;
  clock: Clock;
  log: Logger;
  /** Writes the outcome into the PR comments that show the run. */
  record: (octokit: Octokit, job: RerunJob, outcome: RetryOutcome) => Promise<void>;
}

/**
 * "Not now" answers (the workflow still running, GitHub failing or not answering) are asked again this
 * many times in all, with doubling waits from a minute: the re-run request is sent at most this often.
 */
export const MAX_RERUN_TRIES = 5;
const TRY_AGAIN_MS = 60_000;

/**
 * The scheduled half of a retry: checks that the run is still as it was when the re-run was
 * decided (same attempt, finished, not superseded), then asks GitHub. GitHub's own state is the
 * lock: once one replica's re-run starts, the attempt number moves and every other copy stops.
 * The outcome is checkpointed before it is written down, so a retry of this job (the comment write
 * failed) records it rather than asking or deciding again. A rate limit is thrown: the queue runs the
 * job again when it ends (not one of the tries above), and once it may wait no more the job stops.
 */
export async function requestRerun(job: RerunJob, deps: RerunDependencies, running: RunningJob): Promise<void> {
  const log = deps.log.child({
    repository: `${job.owner}/${job.repo}`,
    runId: job.runId,
    attempt: job.attempt,
    tries: job.tries,
  });
  const octokit = await deps.octokitFor(job.installationId);
  const repo = { owner: job.owner, repo: job.repo };
  if (job.outcome) return deps.record(octokit, job, job.outcome);

  const settle = async (outcome: RetryOutcome) => {
    await running.checkpoint({ ...job, outcome });
    await deps.record(octokit, job, outcome);
  };
  const stop = async (reason: StopReason, detail?: string) => {
    await deps.budget.release(`${job.owner}/${job.repo}`, job.budgetDay, attemptKey(job));
    log.info({ reason, detail }, "re-run called off");
    await settle({ status: "stopped", reason, late: true, ...(detail ? { detail } : {}) });
  };
  const requested = async () => {
    log.info({ target: job.target.kind, answerLost: job.sent === true }, "re-run requested");
    await settle({
      status: "requested",
      at: new Date(deps.clock.now()).toISOString(),
      ...(job.target.kind === "job" ? { jobId: job.target.jobId } : {}),
    });
  };
  const later = async (reason: "still-running" | "github-error", detail: string, sent: boolean) => {
    const tries = job.tries + 1;
    if (tries >= MAX_RERUN_TRIES) return stop(reason, detail);
    const next: RerunJob = { ...job, tries, sent };
    const runAt = deps.clock.now() + TRY_AGAIN_MS * 2 ** job.tries;
    log.info(
      { reason, detail, runAt: new Date(runAt).toISOString() },
      "GitHub said not now; trying the re-run again later",
    );
    await deps.queue.add(RERUN_JOB, next, runAt);
  };

  const rateLimited = (error: unknown, detail: string) =>
    isFinalRun(running, error) ? stop("github-error", detail) : Promise.reject(error as Error);

  let run;
  try {
    run = (await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: job.runId })).data;
  } catch (error) {
    // Redis or a limiter failed, not GitHub: the queue tries the whole job again.
    if (isInfrastructureError(error)) throw error;
    const status = statusOf(error);
    if (retryAfterOf(error) !== undefined) return rateLimited(error, `HTTP ${status}: rate-limited reading the run`);
    if (status === 404) return stop("run-gone");
    if (isTransientError(error))
      return later("github-error", `HTTP ${status ?? "error"} reading the run`, job.sent === true);
    return stop("github-error", `HTTP ${status} reading the run`);
  }
  if (run.run_attempt !== undefined && run.run_attempt > job.attempt) {
    // Our own request, whose answer was lost, started the attempt after ours.
    if (job.sent && run.run_attempt === job.attempt + 1) return requested();
    return stop("already-rerun");
  }
  if (run.status !== "completed") return later("still-running", `run status ${run.status ?? "unknown"}`, false);
  try {
    if (await hasNewerRun(octokit, repo, job)) return stop("superseded");
  } catch (error) {
    log.warn({ err: error }, "could not list newer runs; re-running anyway");
  }

  await running.checkpoint({ ...job, sent: true });
  try {
    if (job.target.kind === "failed-jobs")
      await octokit.rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: job.runId });
    else await octokit.rest.actions.reRunJobForWorkflowRun({ ...repo, job_id: job.target.jobId });
  } catch (error) {
    if (isInfrastructureError(error)) throw error;
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status === 403 && /already running/i.test(message)) return later("still-running", message, false);
    if (retryAfterOf(error) !== undefined) {
      // A rate limit comes before GitHub does anything: the request was not made.
      await running.checkpoint({ ...job, sent: job.sent });
      return rateLimited(error, `HTTP ${status}: ${message}`);
    }
    // A 5xx or a lost connection may come after GitHub did it.
    if (isTransientError(error)) return later("github-error", `HTTP ${status ?? "error"}: ${message}`, true);
    return stop("github-refused", `HTTP ${status}: ${message}`);
  }
  await requested();
}
