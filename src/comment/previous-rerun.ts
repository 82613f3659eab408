import type { Logger } from "probot";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { awaitsOutcome } from "../retry/rerun-outcome.js";
import type { RetryRecord } from "../retry/retry-record.js";
import type { CommentStore } from "./comment-store.js";

/**
 * The record of the attempt before `attempt`, when Dockhand asked GitHub for `attempt` and how it ended
 * is not written down yet: from the first PR comment that shows the run (each shows the same record).
 * Its verdicts are Dockhand's own, sealed; nothing else remembers them across restarts.
 */
export async function previousRerun(
  store: CommentStore,
  octokit: Octokit,
  repo: RepoRef,
  pulls: readonly number[],
  run: { id: number; attempt: number },
  log: Logger,
): Promise<RetryRecord | undefined> {
  for (const number of pulls) {
    const state = await store.peek(octokit, { ...repo, number }, log);
    const before = state?.runs.find((r) => r.runId === run.id && r.attempt === run.attempt - 1);
    // The first comment that shows the attempt answers: a person's re-run reads one PR's comments, not every PR's.
    if (before) return awaitsOutcome(before.retry) ? before.retry : undefined;
  }
  return undefined;
}
