import type { RetryConfig } from "../config/schema.js";
import { stableFraction } from "../util/stable-fraction.js";
import { retryDelaySeconds } from "./backoff.js";
import type { JobVerdict, RetryRecord, StopReason } from "./retry-record.js";

/** GitHub re-runs a workflow run at most 50 times, and only within 30 days of its creation. */
export const GITHUB_MAX_ATTEMPTS = 50;
export const GITHUB_RERUN_WINDOW_MS = 30 * 24 * 3600 * 1000;

export interface RetryFacts {
  runId: number;
  attempt: number;
  conclusion: string | null;
  /** When the run was created: GitHub's 30-day window counts from here. */
  createdAt: string;
  /** When this attempt completed: the backoff counts from here, so every redelivery computes the same time. */
  completedAt: string;
  /** A newer run of the same workflow exists for the head branch. */
  superseded: boolean;
  /** Re-runs already spent today in this repository. */
  budgetUsed: number;
  /** Why GitHub did not list the attempt's jobs, when it did not: nothing is known to decide on. */
  jobsUnavailable?: string;
  /** Rules whose re-runs rest in this repository (their breaker is open). */
  openBreakers?: readonly { rule: string; failures: number; until: number }[];
}

export type RetryPlan =
  | {
      action: "rerun";
      target: { kind: "failed-jobs" } | { kind: "job"; jobId: number };
      at: number;
      record: RetryRecord;
    }
  | { action: "none"; record: RetryRecord };

/** Failed runs worth a look; a cancelled run is reported as such and never re-run. */
export const FAILED_CONCLUSIONS = new Set(["failure", "timed_out", "cancelled"]);

/**
 * Whether to re-run a failed attempt, which jobs, and when: a pure function of what the run's
 * failed jobs showed and the repository's policy. Every failed job must be transient (unless
 * `mixed: rerun-transient`); anything permanent or unknown stops it.
 */
export function decideRetry(facts: RetryFacts, jobs: JobVerdict[], config: RetryConfig): RetryPlan {
  const mode = config.mode === "dry-run" ? "dry-run" : "rerun";
  const base = { mode, maxAttempts: config.maxAttempts, jobs } as const;
  const stop = (reason: StopReason, detail?: string, breaker?: { rule: string; failures: number; until: string }) => ({
    action: "none" as const,
    record: {
      ...base,
      outcome: { status: "stopped" as const, reason, ...(detail ? { detail } : {}), ...(breaker ? { breaker } : {}) },
    },
  });

  if (facts.conclusion === "cancelled") return stop("cancelled");
  if (facts.jobsUnavailable !== undefined) return stop("jobs-unavailable", facts.jobsUnavailable);
  if (jobs.length === 0) return stop("no-failed-jobs");
  const transient = jobs.filter((j) => j.verdict === "transient");
  const others = jobs.filter((j) => j.verdict !== "transient");
  let target: { kind: "failed-jobs" } | { kind: "job"; jobId: number } = { kind: "failed-jobs" };
  if (others.length > 0) {
    if (transient.length === 0) return stop(others.some((j) => j.verdict === "permanent") ? "permanent" : "unrelated");
    if (config.mixed === "skip") return stop(others.some((j) => j.verdict === "permanent") ? "permanent" : "mixed");
    // Re-running one job re-runs only it; GitHub refuses a second while the first runs, so one per attempt.
    const rerunnable = transient.find((j) => !callsReusableWorkflow(j.name));
    if (!rerunnable) return stop("reusable-job");
    target = { kind: "job", jobId: rerunnable.jobId };
  }
  if (facts.attempt >= Math.min(config.maxAttempts, GITHUB_MAX_ATTEMPTS)) return stop("attempt-cap");
  if (facts.superseded) return stop("superseded");
  // A "flake" whose re-runs keep failing the same way here is not one: its rule rests (retry.breaker).
  const one = target.kind === "job" ? target.jobId : undefined;
  const rerunRules = new Set(transient.filter((j) => one === undefined || j.jobId === one).map((j) => j.rule));
  const open = facts.openBreakers?.find((b) => rerunRules.has(b.rule));
  if (open) return stop("breaker", undefined, { ...open, until: new Date(open.until).toISOString() });

  const wait = transient.some((j) => j.wait === "long") ? "long" : "normal";
  const delay = retryDelaySeconds(
    facts.attempt,
    config.backoff,
    wait,
    stableFraction(`${facts.runId}:${facts.attempt}`),
  );
  const at = Date.parse(facts.completedAt) + delay * 1000;
  if (at >= Date.parse(facts.createdAt) + GITHUB_RERUN_WINDOW_MS) return stop("too-old");
  if (facts.budgetUsed >= config.dailyBudget) return stop("budget");
  const jobId = target.kind === "job" ? { jobId: target.jobId } : {};
  const iso = new Date(at).toISOString();
  return {
    action: "rerun",
    target,
    at,
    record: {
      ...base,
      outcome:
        mode === "dry-run" ? { status: "would-rerun", at: iso, ...jobId } : { status: "scheduled", at: iso, ...jobId },
    },
  };
}

/** Jobs that call a reusable workflow show as `caller / called`; GitHub cannot re-run them one by one. */
export function callsReusableWorkflow(jobName: string): boolean {
  return jobName.includes(" / ");
}
