import { statusOf, type Octokit, type RepoRef } from "../github/octokit.js";
import type { PruneConfig } from "../config/schema.js";
import { mapLimit } from "../util/map-limit.js";
import { toPullState, type PackageVersion, type PullState } from "./package-version.js";
import { compilePruneRules } from "./tag-rules.js";

/** The state of every PR whose number a version's tag carries; a PR GitHub does not know stays unknown (kept). */
export async function pullStatesFor(octokit: Octokit, repo: RepoRef, versions: PackageVersion[], config: PruneConfig): Promise<PullState[]> {
  const rules = compilePruneRules(config);
  const numbers = [...new Set(versions.flatMap((v) => v.tags.map((tag) => rules.pullOf(tag)).filter((n): n is number => n !== undefined)))];
  const states = await mapLimit(numbers, 4, async (number) => {
    try {
      return toPullState((await octokit.rest.pulls.get({ ...repo, pull_number: number })).data);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  });
  return states.filter((s): s is PullState => s !== undefined);
}
