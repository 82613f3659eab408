import { z } from "zod";
import { OPERATIONS } from "../config/registry-operations.js";
import { RERUN_OUTCOMES } from "./rerun-outcome.js";
import { VERDICTS } from "./rules.js";

/** Why Dockhand did not (or no longer will) re-run; rendered to sentences, so no untrusted text here. */
export const STOP_REASONS = [
  "cancelled",
  "no-failed-jobs",
  "permanent",
  "unrelated",
  "mixed",
  "reusable-job",
  "attempt-cap",
  "too-old",
  "budget",
  "superseded",
  "jobs-unavailable",
  "already-rerun",
  "still-running",
  "github-refused",
  "github-error",
  "run-gone",
  "breaker",
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

const jobVerdict = z.object({
  jobId: z.number(),
  name: z.string(),
  step: z.string().nullable(),
  verdict: z.enum(VERDICTS),
  rule: z.string().nullable(),
  operation: z.enum(OPERATIONS).nullable(),
  /** The matched log line, as printed (escaped when rendered). */
  line: z.string().nullable(),
  /** Where the verdict came from: the check run's annotation or the job log (and how many bytes of it). */
  source: z.enum(["annotation", "log", "none"]),
  /** `long` after a rate limit. */
  wait: z.enum(["normal", "long"]).default("normal"),
  cause: z.string().optional(),
  fix: z.string().optional(),
});
export type JobVerdict = z.infer<typeof jobVerdict>;

/** A failed job Dockhand did not read (or could not): unknown, so never re-run on a guess. */
export function unreadVerdict(job: { id: number; name: string }, step: string | null): JobVerdict {
  return {
    jobId: job.id,
    name: job.name,
    step,
    verdict: "unrelated",
    rule: null,
    operation: null,
    line: null,
    source: "none",
    wait: "normal",
  };
}

export const retryOutcomeSchema = z.discriminatedUnion("status", [
  /** A re-run is queued for `at`. */
  z.object({ status: z.literal("scheduled"), at: z.string(), jobId: z.number().optional() }),
  /** Dry-run: what would have happened. */
  z.object({ status: z.literal("would-rerun"), at: z.string(), jobId: z.number().optional() }),
  /** GitHub accepted the re-run. */
  z.object({ status: z.literal("requested"), at: z.string(), jobId: z.number().optional() }),
  /** `late`: the scheduled re-run itself stopped (GitHub's answer, or the run changed meanwhile). */
  z.object({
    status: z.literal("stopped"),
    reason: z.enum(STOP_REASONS),
    detail: z.string().optional(),
    late: z.boolean().optional(),
    /** `breaker`: the rule whose re-runs kept failing the same way here, how often in a row, and until when it rests. */
    breaker: z.object({ rule: z.string(), failures: z.number(), until: z.string() }).optional(),
  }),
]);
export type RetryOutcome = z.infer<typeof retryOutcomeSchema>;

/** What Dockhand saw in a failed run attempt and what it did about it; kept in the PR comment's state. */
export const retryRecordSchema = z.object({
  mode: z.enum(["rerun", "dry-run"]),
  maxAttempts: z.number(),
  jobs: z.array(jobVerdict),
  outcome: retryOutcomeSchema,
  /**
   * How the re-run Dockhand requested ended, once the next attempt completed: per rule that called the
   * jobs transient. Added after v2 states were first written: optional, so theirs still read.
   */
  rerunResult: z
    .object({
      attempt: z.number(),
      rules: z.array(z.object({ rule: z.string(), outcome: z.enum(RERUN_OUTCOMES) })),
    })
    .optional(),
});
export type RetryRecord = z.infer<typeof retryRecordSchema>;
export type RerunResult = NonNullable<RetryRecord["rerunResult"]>;

/**
 * A redelivered webhook decides again; what the scheduled re-run found out since (requested, or
 * stopped late), and how that re-run ended, are newer than any decision and must survive it.
 */
export function mergeRetryRecord(
  existing: RetryRecord | undefined,
  incoming: RetryRecord | undefined,
): RetryRecord | undefined {
  if (!existing || !incoming) return incoming ?? existing;
  const settled =
    existing.outcome.status === "requested" ||
    (existing.outcome.status === "stopped" && existing.outcome.late === true);
  const merged = settled ? { ...incoming, outcome: existing.outcome } : incoming;
  return existing.rerunResult && !merged.rerunResult ? { ...merged, rerunResult: existing.rerunResult } : merged;
}
