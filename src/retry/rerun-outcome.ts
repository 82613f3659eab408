import type { AttemptJob } from "../github/list-attempt-jobs.js";
import type { JobVerdict, RetryRecord } from "./retry-record.js";
import { BUILT_IN_RULES } from "./rules.js";

/**
 * How a re-run Dockhand asked for ended, for the rule that called the failure transient: the job
 * passed, failed again with the same verdict and rule, or failed otherwise (another verdict or rule,
 * or a failure Dockhand did not read). The measure of a rule's precision where it matters.
 */
export const RERUN_OUTCOMES = ["fixed", "failed-same", "failed-different"] as const;
export type RerunOutcome = (typeof RERUN_OUTCOMES)[number];
export interface RuleOutcome {
  rule: string;
  outcome: RerunOutcome;
}

/** Whether `record` asked GitHub for a re-run whose ending is not written down yet. */
export function awaitsOutcome(record: RetryRecord | undefined): record is RetryRecord {
  return record?.outcome.status === "requested" && record.rerunResult === undefined;
}

/** A rule whose re-run both fixed one job and not another did not fix the run: the worst outcome speaks for it. */
const SEVERITY: Record<RerunOutcome, number> = { fixed: 0, "failed-different": 1, "failed-same": 2 };

/**
 * Per rule, how the re-run of `previous`'s jobs went in the next attempt. GitHub gives a re-run job a
 * new id, so jobs are matched by name (in order, for repeated names). A job the next attempt does not
 * list, or that did not finish (cancelled, skipped), is no evidence either way and counts for nothing.
 */
export function outcomeOf(
  previous: RetryRecord,
  jobs: readonly Pick<AttemptJob, "id" | "name" | "conclusion">[],
  verdicts: readonly JobVerdict[],
): RuleOutcome[] {
  const byName = new Map<string, Pick<AttemptJob, "id" | "name" | "conclusion">[]>();
  for (const job of jobs) byName.set(job.name, [...(byName.get(job.name) ?? []), job]);
  const byRule = new Map<string, RerunOutcome>();
  for (const before of rerunJobs(previous)) {
    const after = byName.get(before.name)?.shift();
    const outcome = after && jobOutcome(before, after, verdicts);
    if (!outcome || before.rule === null) continue;
    const seen = byRule.get(before.rule);
    if (seen === undefined || SEVERITY[outcome] > SEVERITY[seen]) byRule.set(before.rule, outcome);
  }
  return [...byRule].map(([rule, outcome]) => ({ rule, outcome }));
}

/** What the re-run repeated: the one job asked for, or every failed job (all transient, or there would be no re-run). */
function rerunJobs(previous: RetryRecord): JobVerdict[] {
  const jobId = previous.outcome.status === "requested" ? previous.outcome.jobId : undefined;
  return previous.jobs.filter(
    (job) => (jobId === undefined || job.jobId === jobId) && job.verdict === "transient" && job.rule !== null,
  );
}

function jobOutcome(
  before: JobVerdict,
  after: Pick<AttemptJob, "id" | "conclusion">,
  verdicts: readonly JobVerdict[],
): RerunOutcome | undefined {
  if (after.conclusion === "success") return "fixed";
  if (after.conclusion !== "failure" && after.conclusion !== "timed_out") return undefined;
  const verdict = verdicts.find((v) => v.jobId === after.id);
  const same =
    verdict !== undefined &&
    verdict.source !== "none" &&
    verdict.verdict === before.verdict &&
    verdict.rule === before.rule;
  return same ? "failed-same" : "failed-different";
}

const BUILT_IN_IDS = new Set(BUILT_IN_RULES.map((rule) => rule.id));

/**
 * The rule as a metric label: a built-in id as is, any repository's own rule (its admins name it) as
 * `repository`, so the label set stays the built-in rules plus one, whatever repositories write.
 */
export function metricRule(rule: string, repositoryRules: readonly { id: string }[]): string {
  return BUILT_IN_IDS.has(rule) && !repositoryRules.some((r) => r.id === rule) ? rule : "repository";
}
