import type { KeepWhy } from "../prune/plan-prune.js";
import type { PrunePackageResult } from "../prune/prune-package.js";
import type { UnreadPull } from "../prune/pull-states.js";

/** Each reason a version stays, as the summary counts it. */
const KEPT_BECAUSE: Record<KeepWhy, string> = {
  "kept-tag": "carry a kept tag (prune.keep)",
  promoted: "carry a PR tag and a kept tag (promoted)",
  "open-pr": "belong to an open PR",
  grace: "belong to a PR closed less than prune.graceHours ago",
  "unknown-pr": "belong to a PR whose state is unknown",
  "other-pr": "belong to another PR",
  "no-rule": "match no prune rule",
  retention: "are inside a retention window (prune.retention, untaggedOlderThanDays)",
  unreadable: "were skipped: a manifest could not be read",
  referenced: "are part of, or referenced by, a kept image",
};

export interface PruneSummaryInput {
  pkg: string;
  dryRun: boolean;
  result: PrunePackageResult;
  unreadPulls: UnreadPull[];
  /** The repository whose PR numbers the tags carry. */
  repo: string;
  registry: string;
}

/** `dockhand prune`'s human output: what was deleted, what was kept and why (counted), what could not be read and what that did. */
export function pruneSummary({ pkg, dryRun, result, unreadPulls, repo, registry }: PruneSummaryInput): string {
  const lines: string[] = [];
  const verb = dryRun ? "would delete" : "deleted";
  const done = dryRun
    ? result.plan.delete
    : result.outcomes.filter((o) => o.result === "deleted" || o.result === "gone");
  lines.push(
    `${pkg}: ${verb} ${done.length} of ${result.versions.length} versions, kept ${result.plan.keep.length} (${result.manifestReads} manifest reads)`,
  );
  for (const entry of done) lines.push(`  ${verb} ${entry.id} ${entry.digest.slice(0, 19)}: ${entry.reason}`);
  for (const outcome of result.outcomes.filter((o) => o.result === "refused" || o.result === "failed"))
    lines.push(`  ${outcome.result} ${outcome.id}: ${outcome.detail ?? ""}`);

  const counts = new Map<KeepWhy, number>();
  for (const entry of result.plan.keep) counts.set(entry.why, (counts.get(entry.why) ?? 0) + 1);
  if (counts.size > 0) {
    lines.push(`Kept ${result.plan.keep.length}:`);
    for (const [why, count] of [...counts].sort((a, b) => b[1] - a[1]))
      lines.push(`  ${String(count).padStart(5)} ${KEPT_BECAUSE[why]}`);
  }
  if (unreadPulls.length > 0) {
    const listed = unreadPulls
      .slice(0, 10)
      .map((p) => `#${p.number} (HTTP ${p.status})`)
      .join(", ");
    const more = unreadPulls.length > 10 ? ` and ${unreadPulls.length - 10} more` : "";
    lines.push(
      `Could not read ${unreadPulls.length} PR${unreadPulls.length === 1 ? "" : "s"} of ${repo}: ${listed}${more}. Their tags were kept. ` +
        `Check --repo (default: $GITHUB_REPOSITORY) and that the token may read pull requests there (pull-requests: read).`,
    );
  }
  if (result.unreadManifests.length > 0) {
    const reasons = [...new Set(result.unreadManifests.map((m) => m.reason))].slice(0, 3).join("; ");
    lines.push(
      `Could not read ${result.unreadManifests.length} manifest${result.unreadManifests.length === 1 ? "" : "s"} from ${registry} (${reasons}). ` +
        `What they reference is unknown, so nothing they might reach was deleted. Check --registry and that the token may read the package (read:packages).`,
    );
  }
  const deleted = result.outcomes.filter((o) => o.result === "deleted");
  if (!dryRun && deleted.length > 0)
    lines.push(
      `Restore within 30 days: dockhand restore --owner ${pkg.split("/")[0]} --package ${pkg.slice(pkg.indexOf("/") + 1)} --ids ${deleted.map((d) => d.id).join(",")}`,
    );
  return `${lines.join("\n")}\n`;
}
