import type { Octokit, RepoRef } from "../github/octokit.js";

export interface RunIdentity {
  runId: number;
  workflowId: number;
  headBranch: string;
  event: string;
}

/** Whether the workflow has run again for the branch since: re-running the older run would be wasted. */
export async function hasNewerRun(octokit: Octokit, repo: RepoRef, run: RunIdentity): Promise<boolean> {
  const { data } = await octokit.rest.actions.listWorkflowRuns({
    ...repo,
    workflow_id: run.workflowId,
    branch: run.headBranch,
    event: run.event,
    per_page: 20,
    exclude_pull_requests: true,
  });
  return data.workflow_runs.some((other) => other.id > run.runId);
}
