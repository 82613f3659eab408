import { z } from "zod";
import { defineJob } from "../queue/job-kind.js";
import { retryOutcomeSchema } from "./retry-record.js";

/** A scheduled re-run: everything the job needs, since it runs outside the webhook that decided it. */
export const rerunJobSchema = z.object({
  installationId: z.number(),
  owner: z.string(),
  repo: z.string(),
  runId: z.number(),
  workflowId: z.number(),
  headBranch: z.string(),
  event: z.string(),
  attempt: z.number(),
  target: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("failed-jobs") }),
    z.object({ kind: z.literal("job"), jobId: z.number() }),
  ]),
  /** PRs whose comment shows this run. */
  pulls: z.array(z.number()),
  /** The UTC day whose budget the re-run was counted against. */
  budgetDay: z.string(),
  /** How many times GitHub already said "not now". */
  tries: z.number(),
  /** The re-run was asked for and GitHub's answer did not arrive: it may have started it. */
  sent: z.boolean().optional(),
  /** How it ended, once known: a retry of the job only writes it down. */
  outcome: retryOutcomeSchema.optional(),
});
export type RerunJob = z.infer<typeof rerunJobSchema>;

/** The run attempt a re-run stands for: the key of its schedule and of its share of the budget. */
export function attemptKey(job: Pick<RerunJob, "owner" | "repo" | "runId" | "attempt">): string {
  return `${job.owner}/${job.repo}:${job.runId}:${job.attempt}`;
}

/** One id per run attempt (and per "try again"): a redelivery or a second replica adds nothing. */
export function rerunJobId(job: Pick<RerunJob, "owner" | "repo" | "runId" | "attempt" | "tries">): string {
  return `rerun:${attemptKey(job)}${job.tries > 0 ? `:try${job.tries}` : ""}`;
}

export const RERUN_JOB = defineJob<RerunJob>({ name: "rerun", schema: rerunJobSchema, id: rerunJobId });
