import type { RunReport } from "../report/run-report.js";
import type { JobVerdict, RerunResult, RetryOutcome, RetryRecord } from "../retry/retry-record.js";
import { BUILT_IN_RULES } from "../retry/rules.js";
import { code, utcMinute } from "../util/markdown.js";

const VERDICT_LABEL: Record<JobVerdict["verdict"], string> = {
  transient: "🔁 transient",
  permanent: "⛔ permanent",
  unrelated: "❔ not a registry flake",
};
const MAX_LINE = 200;

/** The retry section of a run: what each failed job showed, what Dockhand did, and earlier attempts. */
export function renderRetry(run: RunReport, earlier: RunReport[]): string | undefined {
  const record = run.retry;
  const history = earlier
    .flatMap((r) => (r.retry ? [{ attempt: r.attempt, retry: r.retry }] : []))
    .sort((a, b) => a.attempt - b.attempt);
  if (!record && history.length === 0) return undefined;
  const parts: string[] = [];
  if (record) {
    parts.push(`**Retry** · ${describeOutcome(record, run.attempt)}`);
    if (record.jobs.length > 0) parts.push(renderJobs(record.jobs));
    const advice = record.jobs.filter((j) => j.cause || j.fix).map(renderAdvice);
    if (advice.length > 0) parts.push(advice.join("\n>\n"));
  }
  if (history.length > 0) {
    const lines = history.map(
      (r) =>
        `- attempt ${r.attempt}: ${summarize(r.retry)} → ${describeOutcome(r.retry, r.attempt)}${describeResult(r.retry.rerunResult)}`,
    );
    parts.push(
      `<details><summary>Retry history (${history.length} earlier attempt${history.length === 1 ? "" : "s"})</summary>\n\n${lines.join("\n")}\n\n</details>`,
    );
  }
  return parts.join("\n\n");
}

function renderJobs(jobs: JobVerdict[]): string {
  const rows = jobs.map((job) => {
    const rule = job.rule
      ? ` · ${code(job.rule, { table: true })}${job.operation && job.operation !== "any" ? ` (${job.operation})` : ""}`
      : "";
    const line = job.line
      ? code(job.line.length > MAX_LINE ? `${job.line.slice(0, MAX_LINE)}…` : job.line, { table: true })
      : "—";
    return `| ${code(job.name, { table: true })} | ${job.step ? code(job.step, { table: true }) : "—"} | ${VERDICT_LABEL[job.verdict]}${rule} | ${line} |`;
  });
  return `| Job | Failed step | Verdict | Log line |\n| --- | --- | --- | --- |\n${rows.join("\n")}`;
}

/** Dockhand's own words: the built-in rules' causes and fixes are the only advice shown as markdown. */
const OWN_ADVICE = new Set(
  BUILT_IN_RULES.flatMap((rule) => [rule.cause, rule.fix].filter((text): text is string => text !== undefined)),
);

/** A repository's own rule texts are its admins' words: shown, but inert. */
function advice(text: string): string {
  return OWN_ADVICE.has(text) ? text : code(text, { max: 300 });
}

function renderAdvice(job: JobVerdict): string {
  const cause = job.cause ? ` ${advice(job.cause)}` : "";
  const fix = job.fix ? ` **Fix:** ${advice(job.fix)}` : "";
  return `> ${code(job.name)}:${cause}${fix}`;
}

function summarize(record: RetryRecord): string {
  const transient = record.jobs.filter((j) => j.verdict === "transient");
  const shown = (transient.length > 0 ? transient : record.jobs).slice(0, 2);
  if (shown.length === 0) return "no failed job";
  return shown.map((j) => `${code(j.name)} ${j.verdict}${j.rule ? ` ${code(j.rule)}` : ""}`).join(", ");
}

function describeOutcome(record: RetryRecord, attempt: number): string {
  const outcome: RetryOutcome = record.outcome;
  const next = `attempt ${attempt + 1} of at most ${record.maxAttempts}`;
  const what = (jobId: number | undefined) => {
    const job = record.jobs.find((j) => j.jobId === jobId);
    return job ? `job ${code(job.name)}` : "the failed jobs";
  };
  switch (outcome.status) {
    case "scheduled":
      return `🔁 Re-running ${what(outcome.jobId)} at ${utcMinute(outcome.at)} (${next}).`;
    case "would-rerun":
      return `🧪 Dry run: would re-run ${what(outcome.jobId)} at ${utcMinute(outcome.at)} (${next}); \`retry.mode\` is \`dry-run\`.`;
    case "requested":
      return `🔁 Re-run of ${what(outcome.jobId)} requested at ${utcMinute(outcome.at)} (${next}).`;
    case "stopped":
      return stopSentence(outcome.reason, outcome.detail, record, attempt);
  }
}

const RESULT_WORDS = {
  fixed: "re-run fixed it",
  "failed-same": "failed again the same way",
  "failed-different": "failed differently",
} as const;

/** How the re-run ended, once the next attempt completed: one clause per rule that called the failure transient. */
function describeResult(result: RerunResult | undefined): string {
  if (!result || result.rules.length === 0) return "";
  const fixed = result.rules.every((r) => r.outcome === "fixed");
  const words = fixed
    ? `✅ ${RESULT_WORDS.fixed}`
    : `❌ ${result.rules.map((r) => `${RESULT_WORDS[r.outcome]} (rule ${code(r.rule)})`).join("; ")}`;
  return ` Attempt ${result.attempt}: ${words}.`;
}

function stopSentence(
  reason: Extract<RetryOutcome, { status: "stopped" }>["reason"],
  detail: string | undefined,
  record: RetryRecord,
  attempt: number,
): string {
  const because = detail ? ` (${code(detail)})` : "";
  switch (reason) {
    case "cancelled":
      return "Not re-run: the run was cancelled.";
    case "no-failed-jobs":
      return "Not re-run: no job of this attempt failed.";
    case "permanent":
      return "⛔ Not re-run: a re-run cannot fix this failure (see below).";
    case "unrelated":
      return "Not re-run: the failure is not a registry flake Dockhand recognises, and it never re-runs unknown failures.";
    case "mixed":
      return "Not re-run: some jobs flaked, but others failed for another reason (`retry.mixed: skip`).";
    case "reusable-job":
      return "Not re-run: the flaky jobs call reusable workflows, which GitHub cannot re-run one at a time.";
    case "attempt-cap":
      return `Not re-run: attempt ${attempt} is the last one \`retry.maxAttempts\` (${record.maxAttempts}) allows.`;
    case "too-old":
      return "Not re-run: GitHub re-runs a run only within 30 days of its start.";
    case "budget":
      return "Not re-run: this repository has used today's re-run budget (`retry.dailyBudget`).";
    case "superseded":
      return "Not re-run: a newer run of this workflow exists for the branch.";
    case "jobs-unavailable":
      return `Not re-run: GitHub did not list this attempt's jobs${because}.`;
    case "already-rerun":
      return "Not re-run by Dockhand: the run had already been re-run (by someone, or by another Dockhand replica).";
    case "still-running":
      return `Gave up: GitHub kept answering that the workflow is already running${because}.`;
    case "github-refused":
      return `⛔ GitHub refused the re-run${because}.`;
    case "github-error":
      return `Gave up after GitHub errors${because}.`;
    case "run-gone":
      return "Not re-run: the run no longer exists.";
    case "breaker": {
      const breaker = record.outcome.status === "stopped" ? record.outcome.breaker : undefined;
      if (!breaker)
        return "⏸️ Not re-run: this rule's re-runs in this repository keep failing the same way (`retry.breaker`).";
      return `⏸️ Not re-run: rule ${code(breaker.rule)}'s re-runs in this repository failed the same way ${breaker.failures} times in a row; paused until ${utcMinute(breaker.until)} (\`retry.breaker\`).`;
    }
  }
}
