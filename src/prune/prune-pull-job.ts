/** A scheduled prune of one closed PR's images. */
export interface PrunePullJob {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  closedAt: string;
  headSha: string;
}

export const PRUNE_PULL_JOB = "prune-pull";

/** One per close: closing again after a reopen schedules anew. */
export function prunePullJobId(job: PrunePullJob): string {
  return `prune-pull:${job.owner}/${job.repo}#${job.number}@${job.closedAt}`;
}
