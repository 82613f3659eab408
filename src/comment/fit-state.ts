import type { PruneRecord } from "../prune/prune-record.js";
import type { RunReport } from "../report/run-report.js";
import { splitCurrent, type CommentState } from "./comment-state.js";
import { MAX_STATE_BYTES } from "./seal-state.js";

/**
 * The sealed state's share of GitHub's 65,536-character comment: whatever the PR produced (a
 * 3,000-platform index, hundreds of runs, long names), the state fits here, and the text above it
 * gets the rest. Detail gives way in this order: older history, long lists, then the oldest workflows.
 */
export const STATE_BUDGET = 30_000;
/** Older run attempts kept at most, whatever their size. */
export const MAX_HISTORY = 30;
/** Every string in the state is cut to this length: none of them needs more (names, digests, URLs, lines). */
const MAX_STRING = 512;
const MAX_CONFIG_PROBLEMS = 20;
/** Entries per list in a run, at most, before any fitting: no reviewer reads more, and fitting stays cheap. */
const MAX_LIST = 100;

/**
 * The state fitted, and its seal (`seal` gives a state's sealed line): the seal is at most STATE_BUDGET
 * long, and the state's JSON (which may deflate very well) stays well below what opening a state
 * inflates. The seal that measured the result is the one returned: sealing is the costly step.
 */
export function fitState(
  state: CommentState,
  seal: (state: CommentState) => string,
): { state: CommentState; sealed: string } {
  let last: { state: CommentState; sealed: string } | undefined;
  const sealOf = (candidate: CommentState) => {
    if (last?.state !== candidate) last = { state: candidate, sealed: seal(candidate) };
    return last.sealed;
  };
  const capped = capHistory(state, MAX_HISTORY);
  let fitted = clipStrings({
    ...capped,
    runs: capped.runs.map((run) => limitRun(run, MAX_LIST)),
    configProblems: capProblems(state.configProblems),
  });
  const fits = () =>
    Buffer.byteLength(JSON.stringify(fitted)) <= MAX_STATE_BYTES / 2 && sealOf(fitted).length <= STATE_BUDGET;
  while (!fits() && splitCurrent(fitted).history.length > 0)
    fitted = capHistory(fitted, Math.floor(splitCurrent(fitted).history.length / 2));
  for (const limit of [50, 20, 5, 1]) {
    if (fits()) return { state: fitted, sealed: sealOf(fitted) };
    fitted = {
      ...fitted,
      runs: fitted.runs.map((run) => limitRun(run, limit)),
      ...(fitted.prune ? { prune: limitPrune(fitted.prune, limit) } : {}),
    };
  }
  // Last resort: the workflows whose latest run is oldest go, then the pruning detail.
  while (!fits() && fitted.runs.length > 0) fitted = { ...fitted, runs: fitted.runs.slice(0, -1) };
  if (!fits() && fitted.prune) fitted = { ...fitted, prune: { ...fitted.prune, packages: [] } };
  return { state: fitted, sealed: sealOf(fitted) };
}

function capHistory(state: CommentState, keep: number): CommentState {
  const { current, history } = splitCurrent(state);
  return { ...state, runs: [...current, ...history.slice(0, keep)] };
}

function capProblems(problems: CommentState["configProblems"]): CommentState["configProblems"] {
  if (problems.length <= MAX_CONFIG_PROBLEMS) return problems;
  const more = problems.length - (MAX_CONFIG_PROBLEMS - 1);
  return [...problems.slice(0, MAX_CONFIG_PROBLEMS - 1), { key: "…", message: `and ${more} more problems` }];
}

/** A run with at most `limit` entries in each list, counting what was left out where the comment says so. */
export function limitRun(run: RunReport, limit: number): RunReport {
  const longest = Math.max(
    run.images.length,
    run.artifacts.length,
    run.expectedTags.length,
    run.notes.length,
    run.retry?.jobs.length ?? 0,
    ...run.images.map((i) => ("platforms" in i.check ? i.check.platforms.length : 0)),
  );
  if (longest <= limit) return run;
  return {
    ...run,
    images: run.images.slice(0, limit).map((image) => ({ ...image, check: limitPlatforms(image.check, limit) })),
    artifacts: run.artifacts.slice(0, limit),
    expectedTags: run.expectedTags.slice(0, limit),
    notes: run.notes.slice(0, limit),
    omitted: {
      images: (run.omitted?.images ?? 0) + Math.max(0, run.images.length - limit),
      artifacts: (run.omitted?.artifacts ?? 0) + Math.max(0, run.artifacts.length - limit),
    },
    ...(run.retry ? { retry: { ...run.retry, jobs: run.retry.jobs.slice(0, limit) } } : {}),
  };
}

function limitPlatforms(
  check: RunReport["images"][number]["check"],
  limit: number,
): RunReport["images"][number]["check"] {
  return "platforms" in check ? { ...check, platforms: check.platforms.slice(0, limit) } : check;
}

/** The restore ids are the audit trail: they go last, after tags and refusals. */
function limitPrune(prune: PruneRecord, limit: number): PruneRecord {
  return {
    ...prune,
    packages: prune.packages.map((p) => ({
      ...p,
      deleted: p.deleted.slice(0, limit * 20).map((d) => ({ ...d, tags: d.tags.slice(0, limit) })),
      omitted: (p.omitted ?? 0) + Math.max(0, p.deleted.length - limit * 20),
      refused: p.refused.slice(0, limit),
    })),
  };
}

function clipStrings<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    typeof v === "string" && v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…` : v,
  ) as T;
}
