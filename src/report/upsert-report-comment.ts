import type { Logger } from "probot";
import type { Octokit, RepoRef } from "../github/octokit.js";
import { decodeState, REPORT_MARKER, type ReportState } from "./report-state.js";

export type UpsertOutcome = "created" | "updated" | "unchanged";

interface Comment {
  id: number;
  body?: string;
  performed_via_github_app?: { id: number } | null;
}

/**
 * Keeps exactly one Dockhand report comment on a PR. A comment counts as Dockhand's only when it
 * carries the marker *and* GitHub says this app wrote it, so nobody can get Dockhand to edit theirs.
 * `render` turns the previous state into the new body (undefined: nothing to write); an identical
 * body is not written again.
 */
export async function upsertReportComment(
  octokit: Octokit,
  target: RepoRef & { issue_number: number },
  appId: number,
  render: (previous: ReportState | undefined) => string | undefined,
  log: Logger,
): Promise<UpsertOutcome> {
  const ours = await listOurComments(octokit, target, appId);
  const [canonical, ...duplicates] = ours;
  if (canonical) {
    const body = render(decodeState(canonical.body ?? ""));
    await removeDuplicates(octokit, target, duplicates, log);
    if (body === undefined || body === canonical.body) return "unchanged";
    await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: canonical.id, body });
    return "updated";
  }
  const first = render(undefined);
  if (first === undefined) return "unchanged";
  const { data: created } = await octokit.rest.issues.createComment({ ...target, body: first });
  // Another replica may have created one at the same moment: the oldest wins and takes our update.
  const after = await listOurComments(octokit, target, appId);
  const oldest = after[0];
  if (oldest && oldest.id !== created.id) {
    await removeDuplicates(octokit, target, after.slice(1), log);
    const body = render(decodeState(oldest.body ?? ""));
    if (body !== undefined && body !== oldest.body) await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: oldest.id, body });
    return "updated";
  }
  return "created";
}

async function listOurComments(octokit: Octokit, target: RepoRef & { issue_number: number }, appId: number): Promise<Comment[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...target, per_page: 100 });
  return comments
    .filter((c) => c.performed_via_github_app?.id === appId && (c.body ?? "").startsWith(REPORT_MARKER))
    .sort((a, b) => a.id - b.id);
}

async function removeDuplicates(octokit: Octokit, target: RepoRef, duplicates: Comment[], log: Logger): Promise<void> {
  for (const duplicate of duplicates) {
    log.info({ commentId: duplicate.id }, "removing duplicate report comment");
    await octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: duplicate.id });
  }
}
