import type { Logger } from "probot";
import type { AttemptJob } from "../github/list-attempt-jobs.js";
import { isTransientError, type Octokit, type RepoRef } from "../github/octokit.js";
import { readJobLogTail } from "../github/read-log-tail.js";
import { classifyLog, type Classification, type LogContext } from "./classify-log.js";
import { unreadVerdict, type JobVerdict } from "./retry-record.js";
import { REPOSITORY_RULES_BUDGET_MS, type RuleSet } from "./rule-set.js";

/** Tail sizes read in turn until the failing step's start is in view. */
export const TAIL_STEPS = [64 * 1024, 512 * 1024, 4 * 1024 * 1024];

export interface JobFailure {
  verdict: JobVerdict;
  /** Bytes fetched to decide: annotation bodies plus log ranges. */
  bytesRead: number;
}

/**
 * Classifies one failed job as cheaply as it can: the check run's annotations first (buildx's error
 * line is usually there), then the log from its end backwards, in growing ranges, until the failing
 * step is in view. A job whose failure cannot be read is `unrelated`: never re-run on a guess.
 */
export async function readJobFailure(
  octokit: Octokit,
  repo: RepoRef,
  job: AttemptJob,
  rules: RuleSet,
  log: Logger,
): Promise<JobFailure> {
  const failedSteps = job.steps.filter((s) => s.conclusion === "failure").map((s) => s.name);
  const context: LogContext = { job: job.name, failedSteps };
  const step = failedSteps[0] ?? null;
  let bytesRead = 0;
  const classify = (text: string) => {
    const result = classifyLog(text, context, rules);
    if (result.repositoryRulesCutShort) {
      log.warn(
        { jobId: job.id, budgetMs: REPOSITORY_RULES_BUDGET_MS },
        "the repository's retry rules ran out of time; the remaining lines were checked against the built-in rules only",
      );
    }
    return result;
  };

  try {
    const response = await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: job.id, per_page: 50 });
    bytesRead += JSON.stringify(response.data).length;
    const messages = response.data
      .filter((a) => a.annotation_level === "failure" && a.message)
      .map((a) => a.message ?? "");
    const fromAnnotations = classify(messages.join("\n"));
    if (fromAnnotations.verdict !== "unrelated")
      return { verdict: toVerdict(job, step, fromAnnotations, "annotation"), bytesRead };
  } catch (error) {
    if (isTransientError(error)) throw error;
    log.warn({ err: error, jobId: job.id }, "could not read the job's annotations; reading its log");
  }

  try {
    const tail = await readJobLogTail(octokit, repo, job.id, { chunks: TAIL_STEPS, enough: failingStepInView });
    bytesRead += tail.bytesRead;
    return { verdict: toVerdict(job, step, classify(tail.text), "log"), bytesRead };
  } catch (error) {
    // A failure to read is not a verdict: a transient one is retried with the delivery.
    if (isTransientError(error)) throw error;
    log.warn({ err: error, jobId: job.id }, "could not read the job's log; treating its failure as unknown");
    return { verdict: unreadVerdict(job, step), bytesRead };
  }
}

function toVerdict(
  job: AttemptJob,
  step: string | null,
  result: Classification,
  source: "annotation" | "log",
): JobVerdict {
  return {
    jobId: job.id,
    name: job.name,
    step,
    verdict: result.verdict,
    rule: result.rule,
    operation: result.operation,
    line: result.evidence.at(-1)?.text ?? null,
    source,
    wait: result.wait,
    ...(result.cause ? { cause: result.cause } : {}),
    ...(result.fix ? { fix: result.fix } : {}),
  };
}

function failingStepInView(text: string): boolean {
  const error = text.indexOf("##[error]");
  return error >= 0 && text.lastIndexOf("##[group]Run ", error) >= 0;
}
