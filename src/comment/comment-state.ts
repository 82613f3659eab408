import { z } from "zod";
import { pruneRecordSchema, type PruneRecord } from "../prune/prune-record.js";
import { runReportSchema, type RunReport } from "../report/run-report.js";
import { mergeRetryRecord, type RerunResult, type RetryOutcome } from "../retry/retry-record.js";

/**
 * The comment's memory: every run attempt seen for the PR, the config problems and the pruning
 * record, so that each delivery can re-render the whole comment. It travels inside the comment itself
 * (sealed: see seal-state.ts), so Dockhand needs no database. Every string in it is data: the renderer
 * shows it inert, whatever wrote it.
 */
export const commentStateSchema = z.object({
  v: z.literal(2),
  headSha: z.string(),
  runs: z.array(runReportSchema),
  configProblems: z.array(z.object({ key: z.string(), message: z.string() })).default([]),
  /** Pruning of the PR's images after it closed. */
  prune: pruneRecordSchema.optional(),
});
export type CommentState = z.infer<typeof commentStateSchema>;
export type ConfigProblems = CommentState["configProblems"];

/** A state with nothing in it yet, for the PR whose head is `headSha`. */
export function emptyState(headSha: string): CommentState {
  return { v: 2, headSha, runs: [], configProblems: [] };
}

/** Runs newer first: a later run id, or a later attempt of the same run. */
export function compareRunsNewestFirst(a: RunReport, b: RunReport): number {
  return b.runId - a.runId || b.attempt - a.attempt;
}

/**
 * Adds a run attempt to the state. A redelivery of an attempt already seen replaces it with identical
 * content; an older or superseded run is kept as history and never displaces a newer one, because
 * what is current is decided at render time from the head SHA and run order, not arrival order.
 */
export function applyRun(
  state: CommentState | undefined,
  run: RunReport,
  headSha: string,
  configProblems: ConfigProblems,
): CommentState {
  const same = (r: RunReport) => r.runId === run.runId && r.attempt === run.attempt;
  const existing = state?.runs.find(same);
  const retry = mergeRetryRecord(existing?.retry, run.retry);
  const merged: RunReport = retry ? { ...run, retry } : run;
  const others = (state?.runs ?? []).filter((r) => !same(r));
  return { ...state, v: 2, headSha, runs: [...others, merged].sort(compareRunsNewestFirst), configProblems };
}

/** What the scheduled re-run found out, written onto the attempt that decided it. */
export function setRetryOutcome(
  state: CommentState,
  runId: number,
  attempt: number,
  outcome: RetryOutcome,
): CommentState {
  return {
    ...state,
    runs: state.runs.map((run) =>
      run.runId === runId && run.attempt === attempt && run.retry ? { ...run, retry: { ...run.retry, outcome } } : run,
    ),
  };
}

/** How Dockhand's re-run of an attempt ended, written onto that attempt's record once the next one completed. */
export function setRerunResult(
  state: CommentState,
  runId: number,
  attempt: number,
  result: RerunResult | undefined,
): CommentState {
  if (!result) return state;
  return {
    ...state,
    runs: state.runs.map((run) =>
      run.runId === runId && run.attempt === attempt && run.retry
        ? { ...run, retry: { ...run.retry, rerunResult: result } }
        : run,
    ),
  };
}

/** Pruning's record replaces the previous one. */
export function setPrune(state: CommentState, prune: PruneRecord): CommentState {
  return { ...state, prune };
}

/** For each workflow, the run shown as its result; everything else is history. */
export function splitCurrent(state: CommentState): { current: RunReport[]; history: RunReport[] } {
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

/** Whether a run pushed an image that the registry did not report gone. */
function pushedImages(run: RunReport): boolean {
  return run.images.some((image) => image.check.status !== "missing");
}

/**
 * For a workflow's current run that pushed no image, the latest earlier run of that workflow for the
 * PR's head that did: its images are still what a reviewer pulls (a re-run that failed before pushing
 * did not replace them). Undefined when the current run pushed images itself, or is not for the head.
 */
export function latestPushFor(state: CommentState, current: RunReport): RunReport | undefined {
  if (current.headSha !== state.headSha || pushedImages(current)) return undefined;
  return state.runs
    .filter(
      (run) =>
        run.workflowKey === current.workflowKey &&
        run.headSha === state.headSha &&
        compareRunsNewestFirst(current, run) < 0 &&
        pushedImages(run),
    )
    .sort(compareRunsNewestFirst)[0];
}
