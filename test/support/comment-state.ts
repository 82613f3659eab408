import type { CommentState } from "../../src/comment/comment-state.js";
import { renderComment } from "../../src/comment/render-comment.js";
import { deriveStateKey, StateSeal, type PullKey } from "../../src/comment/seal-state.js";

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
