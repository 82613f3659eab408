import type { PackageRecord, PruneRecord } from "./prune-record.js";

/** A scheduled prune of one closed PR's images. */
export interface PrunePullJob {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  closedAt: string;
  headSha: string;
  /** Packages an earlier try of the job finished. */
  finished?: PackageRecord[];
  /** What the job did, once done: a retry only writes it down. */
  outcome?: { record: PruneRecord; create: boolean };
}

export const PRUNE_PULL_JOB = "prune-pull";

/** One per close: closing again after a reopen schedules anew. */
export function prunePullJobId(job: PrunePullJob): string {
  return `prune-pull:${job.owner}/${job.repo}#${job.number}@${job.closedAt}`;
}
