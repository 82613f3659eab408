import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { RerunJob } from "../retry/rerun-job.js";
import type { RetryOutcome } from "../retry/retry-record.js";
import type { KeyedSerializer } from "../util/keyed-serializer.js";
import { renderComment } from "./render-report.js";
import { setRetryOutcome } from "./report-state.js";
import { upsertReportComment } from "./upsert-report-comment.js";

export interface RecordDependencies {
  appId: () => Promise<number>;
  serializer: KeyedSerializer;
  log: Logger;
}

/** Writes a scheduled re-run's outcome into the comments of the PRs that show the run; never creates one. */
export async function recordRetryOutcome(octokit: Octokit, job: RerunJob, outcome: RetryOutcome, deps: RecordDependencies): Promise<void> {
  const appId = await deps.appId();
  const repo = { owner: job.owner, repo: job.repo };
  for (const pull of job.pulls) {
    await deps.serializer.run(`${job.owner}/${job.repo}#${pull}`, () =>
      upsertReportComment(
        octokit,
        { ...repo, issue_number: pull },
        appId,
        (previous) =>
          previous ? renderComment(setRetryOutcome(previous, job.runId, job.attempt, outcome), { repository: `${job.owner}/${job.repo}` }) : undefined,
        deps.log,
      ),
    );
  }
}
