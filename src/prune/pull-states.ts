import { statusOf, type Octokit, type RepoRef } from "../github/octokit.js";
import type { PruneConfig } from "../config/schema.js";
import { mapLimit } from "../util/map-limit.js";
import { toPullState, type PackageVersion, type PullState } from "./package-version.js";
import { compilePruneRules } from "./tag-rules.js";

/** A PR whose state could not be read, and GitHub's answer; its tags stay (the plan's `unknown-pr`). */
export interface UnreadPull {
  number: number;
  status: number;
}

/**
 * The state of every PR whose number a version's tag carries. A PR GitHub answers with one of `unread`
 * (by default only 404: no such PR) stays unknown, and its tags are kept; `onUnread` hears of each.
 * Any other failure is thrown (the app's job is tried again).
 */
export async function pullStatesFor(
  octokit: Octokit,
  repo: RepoRef,
  versions: PackageVersion[],
  config: PruneConfig,
  options: { unread?: readonly number[]; onUnread?: (pull: UnreadPull) => void } = {},
): Promise<PullState[]> {
  const unread = options.unread ?? [404];
  const rules = compilePruneRules(config);
  const numbers = [
    ...new Set(
      versions.flatMap((v) => v.tags.map((tag) => rules.pullOf(tag)).filter((n): n is number => n !== undefined)),
    ),
  ];
  const states = await mapLimit(numbers, 4, async (number) => {
    try {
      return toPullState((await octokit.rest.pulls.get({ ...repo, pull_number: number })).data);
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !unread.includes(status)) throw error;
      options.onUnread?.({ number, status });
      return undefined;
    }
  });
  return states.filter((s): s is PullState => s !== undefined);
}
