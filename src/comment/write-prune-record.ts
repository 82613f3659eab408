import type { Logger } from "probot";
import type { Octokit, RepoRef } from "../github/octokit.js";
import type { PruneRecord } from "../prune/prune-record.js";
import { emptyState, setPrune } from "./comment-state.js";
import type { CommentStore } from "./comment-store.js";

/** Pruning's record in the PR's comment; a comment is created for it only when asked (something was deleted). */
export async function writePruneRecord(
  store: CommentStore,
  octokit: Octokit,
  target: RepoRef & { number: number; headSha: string },
  record: PruneRecord,
  create: boolean,
  log: Logger,
): Promise<void> {
  await store.update(
    octokit,
    { owner: target.owner, repo: target.repo, number: target.number },
    (state) => (state ? setPrune(state, record) : create ? setPrune(emptyState(target.headSha), record) : undefined),
    log,
  );
}
