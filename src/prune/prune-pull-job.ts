import { z } from "zod";
import { defineJob } from "../queue/job-kind.js";
import { packageProgressSchema, packageRecordSchema, pruneRecordSchema } from "./prune-record.js";

/** A scheduled prune of one closed PR's images. */
export const prunePullJobSchema = z.object({
  installationId: z.number(),
  owner: z.string(),
  repo: z.string(),
  number: z.number(),
  closedAt: z.string(),
  headSha: z.string(),
  /** Packages an earlier try of the job finished. */
  finished: z.array(packageRecordSchema).optional(),
  /** How far an earlier try got with the package it stopped in. */
  current: packageProgressSchema.optional(),
  /** What the job did, once done: a retry only writes it down. */
  outcome: z.object({ record: pruneRecordSchema, create: z.boolean() }).optional(),
});
export type PrunePullJob = z.infer<typeof prunePullJobSchema>;

/** One per close: closing again after a reopen schedules anew. */
export function prunePullJobId(job: PrunePullJob): string {
  return `prune-pull:${job.owner}/${job.repo}#${job.number}@${job.closedAt}`;
}

export const PRUNE_PULL_JOB = defineJob<PrunePullJob>({
  name: "prune-pull",
  schema: prunePullJobSchema,
  id: prunePullJobId,
  lane: "prune",
});
