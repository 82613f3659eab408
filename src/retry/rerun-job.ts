import type { RunIdentity } from "./find-newer-run.js";
import type { RetryOutcome } from "./retry-record.js";

/** A scheduled re-run: everything the job needs, since it runs outside the webhook that decided it. */
export interface RerunJob extends RunIdentity {
  installationId: number;
  owner: string;
  repo: string;
  attempt: number;
  target: { kind: "failed-jobs" } | { kind: "job"; jobId: number };
  /** PRs whose comment shows this run. */
  pulls: number[];
  /** The UTC day whose budget the re-run was counted against. */
  budgetDay: string;
  /** How many times GitHub already said "not now". */
  tries: number;
  /** The re-run was asked for and GitHub's answer did not arrive: it may have started it. */
  sent?: boolean;
  /** How it ended, once known: a retry of the job only writes it down. */
  outcome?: RetryOutcome;
}

export const RERUN_JOB = "rerun";

/** The run attempt a re-run stands for: the key of its schedule and of its share of the budget. */
export function attemptKey(job: Pick<RerunJob, "owner" | "repo" | "runId" | "attempt">): string {
  return `${job.owner}/${job.repo}:${job.runId}:${job.attempt}`;
}

/** One id per run attempt (and per "try again"): a redelivery or a second replica adds nothing. */
export function rerunJobId(job: Pick<RerunJob, "owner" | "repo" | "runId" | "attempt" | "tries">): string {
  return `rerun:${attemptKey(job)}${job.tries > 0 ? `:try${job.tries}` : ""}`;
}
