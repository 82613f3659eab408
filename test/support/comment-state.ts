import type { CommentState } from "../../src/comment/comment-state.js";
import { renderComment } from "../../src/comment/render-comment.js";
import { deriveStateKey, StateSeal, type PullKey } from "../../src/comment/seal-state.js";
import type { RunReport } from "../../src/report/run-report.js";

/** The state key every test app is given (DOCKHAND_STATE_KEY), so tests can read and seed comment states. */
export const TEST_STATE_KEY = "test-state-key-0123456789abcdef0123456789";
export const testSeal = new StateSeal(deriveStateKey(TEST_STATE_KEY));

/** The state a Dockhand comment on `pull` carries, as the app would read it; undefined when it has none it would trust. */
export function stateOf(body: string, pull: PullKey): CommentState | undefined {
  const opened = testSeal.open(body, pull);
  return opened.status === "ok" ? opened.state : undefined;
}

/** The body the app would write for `state` on `pull`. */
export function commentFor(state: CommentState, pull: PullKey): string {
  return renderComment(state, { repository: `${pull.owner}/${pull.repo}` }, (s) => testSeal.seal(s, pull));
}

/** `owner/repo` and a number as a PullKey. */
export function pullKey(fullName: string, number: number): PullKey {
  const [owner = "", repo = ""] = fullName.split("/");
  return { owner, repo, number };
}

/** A run's report as the report builds it, for renderer and state tests: a successful same-repository run that pushed nothing. */
export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    workflowKey: "77",
    workflowName: "CI",
    runId: 1,
    runNumber: 1,
    attempt: 1,
    runUrl: "https://github.com/o/r/actions/runs/1",
    event: "pull_request",
    conclusion: "success",
    headSha: "f".repeat(40),
    completedAt: "2026-11-20T00:00:00Z",
    origin: "same-repo",
    images: [],
    expectedTags: [],
    artifacts: [],
    notes: [],
    ...overrides,
  };
}
