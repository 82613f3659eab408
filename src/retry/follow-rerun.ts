import type { Logger } from "probot";
import { RULE_ID, type RetryConfig } from "../config/schema.js";
import type { AttemptJob } from "../github/list-attempt-jobs.js";
import type { RepoRef } from "../github/octokit.js";
import type { BreakerScope, BreakerStore } from "./breaker-store.js";
import { attemptKey } from "./rerun-job.js";
import { metricRule, outcomeOf, type RerunOutcome } from "./rerun-outcome.js";
import { breakerState } from "./retry-breaker.js";
import type { JobVerdict, RerunResult, RetryRecord } from "./retry-record.js";

export interface FollowDependencies {
  /** Re-run outcomes per installation, repository and rule: the breakers' memory. */
  breaker: BreakerStore;
  /** Counts one rule's outcome in /metrics (`rule` already a bounded label). */
  countOutcome: (rule: string, outcome: RerunOutcome) => void;
}

export interface FollowedAttempt {
  installationId: number;
  runId: number;
  /** The attempt the re-run created. */
  attempt: number;
  completedAt: string;
}

/**
 * How Dockhand's re-run of the attempt before `run` ended, per rule, recorded for the breaker and
 * counted in /metrics once per run attempt (the store says whether this delivery is the first to
 * bring it), and returned for the PR comment's history.
 */
export async function followRerun(
  repo: RepoRef,
  run: FollowedAttempt,
  previous: RetryRecord,
  jobs: readonly AttemptJob[],
  verdicts: readonly JobVerdict[],
  config: RetryConfig,
  deps: FollowDependencies,
  log: Logger,
): Promise<RerunResult> {
  // Rule ids come from Dockhand's sealed state; any other shape would never reach a Redis key or a label.
  const rules = outcomeOf(previous, jobs, verdicts).filter((o) => RULE_ID.test(o.rule));
  const result = { attempt: run.attempt, rules };
  if (rules.length === 0) return result;
  const scope = { installationId: run.installationId, repository: `${repo.owner}/${repo.repo}` };
  const rerunOf = attemptKey({ ...repo, runId: run.runId, attempt: run.attempt - 1 });
  const first = await deps.breaker.record(scope, rerunOf, rules, Date.parse(run.completedAt));
  if (first) for (const { rule, outcome } of rules) deps.countOutcome(metricRule(rule, config.rules), outcome);
  log.info({ rerunOf: run.attempt - 1, outcomes: rules, counted: first }, "re-run outcome");
  return result;
}

/** A rule whose breaker is open in the repository: its re-runs rest until `until`. */
export interface OpenBreaker {
  rule: string;
  failures: number;
  until: number;
}

/** The breakers open at `now` among `rules` (those the decision would re-run for). */
export async function openBreakers(
  breaker: BreakerStore,
  scope: BreakerScope,
  rules: readonly string[],
  config: RetryConfig,
  now: number,
): Promise<OpenBreaker[]> {
  if (!config.breaker.enabled) return [];
  const open: OpenBreaker[] = [];
  for (const rule of new Set(rules)) {
    if (!RULE_ID.test(rule)) continue;
    const state = breakerState(await breaker.history(scope, rule), config.breaker, now);
    if (state.open) open.push({ rule, failures: state.failures, until: state.until });
  }
  return open;
}
