import type { Logger } from "probot";
import type { Octokit, RepoRef } from "../github/octokit.js";
import type { PruneRecord } from "../prune/prune-record.js";
import type { KeyedSerializer } from "../util/keyed-serializer.js";
import { renderComment } from "./render-report.js";
import { upsertReportComment } from "./upsert-report-comment.js";

export interface RecordPruneDependencies {
  appId: () => Promise<number>;
  serializer: KeyedSerializer;
  log: Logger;
}

/** Puts pruning's record into the PR's Dockhand comment; creates the comment only when asked (something was deleted). */
export async function recordPrune(
  octokit: Octokit,
  target: RepoRef & { number: number; headSha: string },
  record: PruneRecord,
  create: boolean,
  deps: RecordPruneDependencies,
): Promise<void> {
  const appId = await deps.appId();
  const repository = `${target.owner}/${target.repo}`;
  await deps.serializer.run(`${repository}#${target.number}`, () =>
    upsertReportComment(
      octokit,
      { owner: target.owner, repo: target.repo, issue_number: target.number },
      appId,
      (previous) => {
        if (previous) return renderComment({ ...previous, prune: record }, { repository });
        return create ? renderComment({ v: 1, headSha: target.headSha, runs: [], configProblems: [], prune: record }, { repository }) : undefined;
      },
      deps.log,
    ),
  );
}
