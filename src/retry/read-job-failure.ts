import type { Logger } from "probot";
import type { AttemptJob } from "../github/list-attempt-jobs.js";
import { isTransientError, type Octokit, type RepoRef } from "../github/octokit.js";
import { classifyLog, type Classification, type LogContext } from "./classify-log.js";
import { unreadVerdict, type JobVerdict } from "./retry-record.js";
import type { RuleSet } from "./rule-set.js";

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
export async function readJobFailure(octokit: Octokit, repo: RepoRef, job: AttemptJob, rules: RuleSet, log: Logger): Promise<JobFailure> {
  const failedSteps = job.steps.filter((s) => s.conclusion === "failure").map((s) => s.name);
  const context: LogContext = { job: job.name, failedSteps };
  const step = failedSteps[0] ?? null;
  let bytesRead = 0;

  try {
    const response = await octokit.rest.checks.listAnnotations({ ...repo, check_run_id: job.id, per_page: 50 });
    bytesRead += JSON.stringify(response.data).length;
    const messages = response.data.filter((a) => a.annotation_level === "failure" && a.message).map((a) => a.message ?? "");
    const fromAnnotations = classifyLog(messages.join("\n"), context, rules);
    if (fromAnnotations.verdict !== "unrelated") return { verdict: toVerdict(job, step, fromAnnotations, "annotation"), bytesRead };
  } catch (error) {
    if (isTransientError(error)) throw error;
    log.warn({ err: error, jobId: job.id }, "could not read the job's annotations; reading its log");
  }

  try {
    const location = await logLocation(octokit, repo, job.id);
    let tail = Buffer.alloc(0);
    let start = Number.POSITIVE_INFINITY;
    for (const size of TAIL_STEPS) {
      const chunk = await readRange(location, size, start);
      bytesRead += chunk.body.length;
      tail = Buffer.concat([chunk.body, tail]);
      start = chunk.start;
      if (start === 0 || failingStepInView(tail.toString("utf8"))) break;
    }
    const text = tail.toString("utf8");
    // A range that starts mid-line would show half a line; drop it.
    const whole = start === 0 ? text : text.slice(text.indexOf("\n") + 1);
    return { verdict: toVerdict(job, step, classifyLog(whole, context, rules), "log"), bytesRead };
  } catch (error) {
    // A failure to read is not a verdict: a transient one is retried with the delivery.
    if (isTransientError(error)) throw error;
    log.warn({ err: error, jobId: job.id }, "could not read the job's log; treating its failure as unknown");
    return { verdict: unreadVerdict(job, step), bytesRead };
  }
}

function toVerdict(job: AttemptJob, step: string | null, result: Classification, source: "annotation" | "log"): JobVerdict {
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

/** GitHub answers the log request with a redirect to a short-lived URL that serves byte ranges. */
async function logLocation(octokit: Octokit, repo: RepoRef, jobId: number): Promise<string> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", {
    ...repo,
    job_id: jobId,
    request: { redirect: "manual" },
  });
  const location = (response.headers as Record<string, string | undefined>).location;
  if (!location) throw new Error(`no log location (HTTP ${response.status})`);
  return location;
}

/** At most 4 MiB is read at once: a minute is ample, and a hung download must not hold the job. */
const LOG_TIMEOUT_MS = 60_000;

/**
 * The `size` bytes before `end` (exclusive; Infinity for the end of the log). The URL is a signed
 * blob URL, not the API: it is fetched without GitHub credentials.
 */
async function readRange(url: string, size: number, end: number): Promise<{ body: Buffer; start: number }> {
  if (end <= 0) return { body: Buffer.alloc(0), start: 0 };
  const range = Number.isFinite(end) ? `bytes=${Math.max(0, end - size)}-${end - 1}` : `bytes=-${size}`;
  const response = await fetch(url, { headers: { range }, signal: AbortSignal.timeout(LOG_TIMEOUT_MS) });
  if (!response.ok) throw Object.assign(new Error(`log download answered HTTP ${response.status}`), { status: response.status });
  const body = Buffer.from(await response.arrayBuffer());
  // 200: the server sent the whole log rather than the range.
  if (response.status === 200) return { body, start: 0 };
  const match = /bytes (\d+)-\d+\/(?:\d+|\*)/.exec(response.headers.get("content-range") ?? "");
  return { body, start: match ? Number(match[1]) : 0 };
}
