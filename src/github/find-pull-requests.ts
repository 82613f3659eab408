import type { Octokit, RepoRef } from "./octokit.js";

/** Where a workflow run's code came from, as the run payload states it. */
export interface RunHead {
  headSha: string;
  headBranch: string;
  headRepoId: number;
  headOwner: string;
}

export interface PullRequestMatch {
  number: number;
  /** The PR's head now; when it differs from the run's, the run is superseded. */
  headSha: string;
  author: string;
}

/**
 * The open PRs a run built. `workflow_run.pull_requests` is empty for forks, so PRs are looked up by
 * head branch and matched on the head repository's id (a branch name alone can be anyone's).
 */
export async function findPullRequests(octokit: Octokit, repo: RepoRef, head: RunHead): Promise<PullRequestMatch[]> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: "open",
    head: `${head.headOwner}:${head.headBranch}`,
    per_page: 100,
  });
  return pulls
    .filter((pull) => pull.head.repo?.id === head.headRepoId && pull.head.ref === head.headBranch)
    .map((pull) => ({ number: pull.number, headSha: pull.head.sha, author: pull.user?.login ?? "" }));
}
