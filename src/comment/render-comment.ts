import { latestPushFor, splitCurrent, type CommentState } from "./comment-state.js";
import { fitState, limitRun } from "./fit-state.js";
import { code } from "../util/markdown.js";
import { renderPrune } from "./render-prune.js";
import { renderRun, runTitle, type RenderContext } from "./render-run.js";

export type { RenderContext } from "./render-run.js";

/** Every Dockhand comment starts with this line; with the app's id it tells Dockhand's comment apart. */
export const REPORT_MARKER = "<!-- dockhand:report -->";
/** GitHub refuses issue comments over 65,536 characters; keep a margin. */
export const MAX_COMMENT_LENGTH = 65_000;

export interface SealState {
  (state: CommentState): string;
}

/**
 * The whole comment for a state: the text, then the sealed state on the last line. The state is
 * fitted to its own budget first, so it survives any comment size; the text gets what is left and,
 * when too long, shows less (older history, long lists, then whole trailing sections), never more.
 */
export function renderComment(state: CommentState, context: RenderContext, seal: SealState): string {
  const { state: fitted, sealed } = fitState(state, seal);
  return `${composeWithin(fitted, context, MAX_COMMENT_LENGTH - sealed.length - 1)}\n${sealed}`;
}

function composeWithin(state: CommentState, context: RenderContext, budget: number): string {
  let shown = state;
  let parts = composeParts(shown, context);
  const length = () => parts.reduce((sum, part) => sum + part.length + 2, 0);
  while (length() > budget && splitCurrent(shown).history.length > 0) {
    const { current, history } = splitCurrent(shown);
    shown = { ...shown, runs: [...current, ...history.slice(0, Math.floor(history.length / 2))] };
    parts = composeParts(shown, context);
  }
  for (const limit of [20, 5, 1]) {
    if (length() <= budget) break;
    shown = { ...shown, runs: shown.runs.map((run) => limitRun(run, limit)) };
    parts = composeParts(shown, context);
  }
  const cut = "_…the rest is left out to fit GitHub's comment size limit._";
  let dropped = false;
  while (length() + cut.length + 2 > budget && parts.length > 2) {
    parts = parts.slice(0, -1);
    dropped = true;
  }
  return (dropped ? [...parts, cut] : parts).join("\n\n");
}

/** The comment's text as whole sections, so that cutting it never splits a table, span or fence. */
function composeParts(state: CommentState, context: RenderContext): string[] {
  const { current, history } = splitCurrent(state);
  const parts = [REPORT_MARKER, "### 🐳 Dockhand: what CI built for this pull request"];
  if (state.configProblems.length > 0) parts.push(renderConfigProblems(state.configProblems));
  if (state.prune) parts.push(renderPrune(state.prune));
  for (const run of current) {
    const earlier = state.runs.filter((r) => r.runId === run.runId && r.attempt < run.attempt);
    parts.push(renderRun(run, state.headSha, context, earlier, latestPushFor(state, run)));
  }
  if (history.length > 0) {
    const lines = history.map((run) => `- ${runTitle(run, state.headSha)}`);
    parts.push(`<details><summary>Earlier runs (${history.length})</summary>\n\n${lines.join("\n")}\n\n</details>`);
  }
  return parts;
}

function renderConfigProblems(problems: CommentState["configProblems"]): string {
  const lines = problems.map((p) => `> - ${code(p.key)}: ${code(p.message)}`);
  return [
    "> [!WARNING]",
    "> `.github/dockhand.yml` is invalid. This report uses the defaults, and Dockhand takes no other action in this repository until the file is fixed:",
    ...lines,
  ].join("\n");
}
