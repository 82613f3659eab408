import { RESTORE_WINDOW_MS, type PackageRecord, type PruneRecord } from "../prune/prune-record.js";
import { code, codeBlock, shellQuote, utcMinute } from "../util/markdown.js";

const MAX_TAGS = 10;

/** The pruning section of a closed PR's comment: what is scheduled, or what was deleted and how to restore it. */
export function renderPrune(record: PruneRecord): string {
  const where = (name: string) => code(`${record.registry}/${record.owner}/${name}`.toLowerCase());
  switch (record.status) {
    case "scheduled":
      return `**🧹 Pruning** · This PR's image tags in ${record.packages.map((p) => where(p.name)).join(", ")} will be deleted at ${utcMinute(record.at)}. Reopen the PR before then to keep them.`;
    case "cancelled":
      return "**🧹 Pruning** · Cancelled: the PR was reopened.";
    case "dry-run":
    case "done": {
      const lines = record.packages.map((p) => renderPackage(record, p, where(p.name)));
      const dry = record.status === "dry-run" ? " (dry run: `prune.mode` is `dry-run`, nothing was deleted)" : "";
      return `**🧹 Pruning** · ${utcMinute(record.at)}${dry}\n\n${lines.join("\n\n")}`;
    }
  }
}

function describeProblem(owner: string, problem: NonNullable<PackageRecord["problem"]>): string {
  switch (problem.code) {
    case "no-credential":
      return `GitHub's Packages API does not accept this app's installation token for ${code(owner)}, and no token is configured. Set \`DOCKHAND_PACKAGES_TOKEN\` (or \`DOCKHAND_PACKAGES_TOKENS\` for this owner) to a classic personal access token with \`read:packages\` and \`delete:packages\` (\`write:packages\` to restore).`;
    case "failed":
      return `GitHub or the registry failed${problem.detail ? ` (${code(problem.detail, { max: 400 })})` : ""}. The next sweep tries again.`;
  }
}

function renderPackage(record: PruneRecord, p: PackageRecord, where: string): string {
  if (p.problem) return `- ${where}: not pruned. ${describeProblem(record.owner, p.problem)}`;
  const verb = record.status === "dry-run" ? "would delete" : "deleted";
  const deleted = p.deleted.length + (p.omitted ?? 0);
  if (deleted === 0 && p.refused.length === 0 && p.failed === 0)
    return `- ${where}: nothing to delete (${p.kept} versions kept).`;
  const tags = [...new Set(p.deleted.flatMap((d) => d.tags))];
  const shown = tags
    .slice(0, MAX_TAGS)
    .map((t) => code(t))
    .join(", ");
  const more = tags.length > MAX_TAGS ? ` and ${tags.length - MAX_TAGS} more` : "";
  const parts = [
    `- ${where}: ${verb} ${deleted} versions${tags.length > 0 ? ` (tags ${shown}${more}, with their platform images, attestations and signatures)` : ""}; ${p.kept} kept.`,
  ];
  if (p.refused.length > 0)
    parts.push(
      `  GitHub refused to delete ${p.refused.length}: ${p.refused
        .slice(0, 3)
        .map((r) => code(r.detail))
        .join("; ")}`,
    );
  if (p.failed > 0) parts.push(`  ${p.failed} could not be deleted now; the next sweep tries again.`);
  const owner = shellQuote(record.owner);
  const name = shellQuote(p.name);
  if (record.status === "done" && p.deleted.length > 0 && owner && name) {
    const until = new Date(Date.parse(record.at) + RESTORE_WINDOW_MS).toISOString();
    const ids = p.deleted.map((d) => d.id).join(",");
    const all = p.omitted ? ` (the first ${p.deleted.length} of ${deleted})` : "";
    parts.push(
      `  Restorable until ${utcMinute(until)}${all}:\n\n${codeBlock(`dockhand restore --owner ${owner} --package ${name} --ids ${ids}`, "sh").replace(/^/gm, "  ")}`,
    );
  }
  return parts.join("\n");
}
