import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { RerunJob } from "../retry/rerun-job.js";
import type { RetryOutcome } from "../retry/retry-record.js";
import { setRetryOutcome } from "./comment-state.js";
import type { CommentStore } from "./comment-store.js";

/** A scheduled re-run's outcome, written onto the attempt in the comments of the PRs that show it; never creates a comment. */
export async function writeRetryOutcome(
  store: CommentStore,
  octokit: Octokit,
  job: RerunJob,
  outcome: RetryOutcome,
  log: Logger,
): Promise<void> {
  for (const number of job.pulls) {
    await store.update(
      octokit,
      { owner: job.owner, repo: job.repo, number },
      (state) => state && setRetryOutcome(state, job.runId, job.attempt, outcome),
      log,
    );
  }
}
