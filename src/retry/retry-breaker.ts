import type { RerunOutcome } from "./rerun-outcome.js";

/** `retry.breaker` as configured. */
export interface BreakerPolicy {
  enabled: boolean;
  /** Re-runs that failed the same way, in a row, that open the breaker. */
  failures: number;
  /** ... within this many hours, first to last. */
  windowHours: number;
  /** How long an open breaker stops the rule's re-runs. */
  cooldownHours: number;
}

/** One re-run's outcome for a rule in a repository, at the time its attempt completed. */
export interface RecordedOutcome {
  outcome: RerunOutcome;
  at: number;
}

export type BreakerState = { open: false } | { open: true; failures: number; until: number };

const HOUR_MS = 3600 * 1000;

/**
 * Whether a rule's re-runs rest in a repository at `now`: open for `cooldownHours` from the moment its
 * re-runs had failed the same way `failures` times in a row within `windowHours`. Any other outcome
 * breaks the row; a fix also closes the breaker. Outcomes after `now` are not yet known at `now`, so
 * a redelivered decision sees what the first saw. Pure, so every replica and redelivery agree.
 */
export function breakerState(history: readonly RecordedOutcome[], policy: BreakerPolicy, now: number): BreakerState {
  if (!policy.enabled) return { open: false };
  let row: number[] = [];
  let opened: { at: number; failures: number } | undefined;
  for (const entry of [...history].filter((e) => e.at <= now).sort((a, b) => a.at - b.at)) {
    if (entry.outcome === "failed-same") {
      row = [...row.filter((at) => at >= entry.at - policy.windowHours * HOUR_MS), entry.at];
      if (row.length >= policy.failures) opened = { at: entry.at, failures: row.length };
    } else {
      row = [];
      if (entry.outcome === "fixed") opened = undefined;
    }
  }
  const until = opened && opened.at + policy.cooldownHours * HOUR_MS;
  return opened && until !== undefined && now < until
    ? { open: true, failures: opened.failures, until }
    : { open: false };
}
