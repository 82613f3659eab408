import { z } from "zod";
import { pruneRecordSchema } from "../prune/prune-record.js";
import { mergeRetryRecord, type RetryOutcome } from "../retry/retry-record.js";
import { runReportSchema, type RunReport } from "./run-report.js";

/**
 * The comment's memory: every run attempt seen for the PR, so that each delivery can re-render the
 * whole comment. It travels inside the comment itself (base64 JSON in an HTML comment), so Dockhand
 * needs no database; it is only read from comments Dockhand itself wrote.
 */
export const reportStateSchema = z.object({
  v: z.literal(1),
  headSha: z.string(),
  runs: z.array(runReportSchema),
  configProblems: z.array(z.object({ key: z.string(), message: z.string() })).default([]),
  /** Pruning of the PR's images after it closed. */
  prune: pruneRecordSchema.optional(),
});
export type ReportState = z.infer<typeof reportStateSchema>;

export const REPORT_MARKER = "<!-- dockhand:report -->";
const STATE_PATTERN = /<!-- dockhand:state ([A-Za-z0-9+/=]+) -->/;

/** Runs newer first: a later run id, or a later attempt of the same run. */
export function compareRunsNewestFirst(a: RunReport, b: RunReport): number {
  return b.runId - a.runId || b.attempt - a.attempt;
}

/**
 * Adds a run attempt to the state. A redelivery of an attempt already seen replaces it with identical
 * content; an older or superseded run is kept as history and never displaces a newer one, because
 * what is current is decided at render time from the head SHA and run order, not arrival order.
 */
export function applyRun(state: ReportState | undefined, run: RunReport, headSha: string, configProblems: ReportState["configProblems"]): ReportState {
  const same = (r: RunReport) => r.runId === run.runId && r.attempt === run.attempt;
  const existing = state?.runs.find(same);
  const retry = mergeRetryRecord(existing?.retry, run.retry);
  const merged: RunReport = retry ? { ...run, retry } : run;
  const others = (state?.runs ?? []).filter((r) => !same(r));
  return { ...state, v: 1, headSha, runs: [...others, merged].sort(compareRunsNewestFirst), configProblems };
}

/** What the scheduled re-run found out, written onto the attempt that decided it. */
export function setRetryOutcome(state: ReportState, runId: number, attempt: number, outcome: RetryOutcome): ReportState {
  return {
    ...state,
    runs: state.runs.map((run) => (run.runId === runId && run.attempt === attempt && run.retry ? { ...run, retry: { ...run.retry, outcome } } : run)),
  };
}

/** For each workflow, the run shown as its result; everything else is history. */
export function splitCurrent(state: ReportState): { current: RunReport[]; history: RunReport[] } {
  const current: RunReport[] = [];
  const history: RunReport[] = [];
  const seen = new Set<string>();
  const ordered = [...state.runs].sort(
    // For each workflow, a run for the PR's head comes before runs for older commits.
    (a, b) => Number(b.headSha === state.headSha) - Number(a.headSha === state.headSha) || compareRunsNewestFirst(a, b),
  );
  for (const run of ordered) {
    if (seen.has(run.workflowKey)) history.push(run);
    else {
      seen.add(run.workflowKey);
      current.push(run);
    }
  }
  current.sort((a, b) => a.workflowName.localeCompare(b.workflowName) || a.workflowKey.localeCompare(b.workflowKey));
  return { current, history: history.sort(compareRunsNewestFirst) };
}

export function encodeState(state: ReportState): string {
  return `<!-- dockhand:state ${Buffer.from(JSON.stringify(state), "utf8").toString("base64")} -->`;
}

/** The state inside a Dockhand comment; undefined when absent or unreadable (the comment is rebuilt). */
export function decodeState(body: string): ReportState | undefined {
  const match = STATE_PATTERN.exec(body);
  if (!match) return undefined;
  try {
    const result = reportStateSchema.safeParse(JSON.parse(Buffer.from(match[1] ?? "", "base64").toString("utf8")));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
