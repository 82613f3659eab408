import type { ExpectedTagReport, ImageCheck, ImageReport, ReportNote, RunReport } from "../report/run-report.js";
import { code, codeBlock, formatBytes, link, shellQuote } from "../util/markdown.js";
import { renderRetry } from "./render-retry.js";

export interface RenderContext {
  /** `owner/repo`, for `gh` commands. */
  repository: string;
}

/** Platforms listed per image at most; the rest are counted. */
const MAX_PLATFORMS = 12;
const CONCLUSION_ICON: Record<string, string> = {
  success: "✅",
  failure: "❌",
  cancelled: "⏹️",
  timed_out: "⏱️",
  skipped: "⏭️",
};

/** A run in one line: workflow, run link, conclusion, commit. */
export function runTitle(run: RunReport, headSha: string): string {
  const conclusion = run.conclusion ?? "unknown";
  const icon = CONCLUSION_ICON[conclusion] ?? "⚪";
  const attempt = run.attempt > 1 ? `, attempt ${run.attempt}` : "";
  const superseded = run.headSha === headSha ? "" : " · superseded by a newer commit";
  const shown = CONCLUSION_ICON[conclusion] ? conclusion : code(conclusion);
  return `${code(run.workflowName)} ${link(`run #${run.runNumber}${attempt}`, run.runUrl)} · ${icon} ${shown} · ${code(run.headSha.slice(0, 7))}${superseded}`;
}

/**
 * A run's section: notes, images, expected tags, artifacts, commands to run it, and its retry. When the
 * run pushed no image, `pushedBy` is the earlier run for the same commit whose images are still the latest:
 * its images and commands are shown, so a later attempt that failed before pushing does not hide them.
 */
export function renderRun(
  run: RunReport,
  headSha: string,
  context: RenderContext,
  earlier: RunReport[],
  pushedBy?: RunReport,
): string {
  const parts = [`#### ${runTitle(run, headSha)}`];
  if (run.headSha !== headSha) {
    parts.push(
      `_This run built ${code(run.headSha.slice(0, 7))}, which is no longer the head of this PR; its results are kept for reference._`,
    );
  }
  const notes = run.notes.map(renderNote);
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n}`).join("\n"));
  if (run.images.length > 0) parts.push(renderImages(run.images, run.omitted?.images ?? 0));
  if (run.expectedTags.length > 0) parts.push(renderExpected(run.expectedTags));
  if (run.artifacts.length > 0) parts.push(renderArtifacts(run));
  const commands = renderCommands(run, context);
  if (commands) parts.push(`**Run it**\n\n${commands}`);
  if (pushedBy) parts.push(renderLatestPush(pushedBy, context));
  const retry = renderRetry(run, earlier);
  if (retry) parts.push(retry);
  return parts.join("\n\n");
}

/** The images an earlier run pushed for this commit, still the latest: with the commands to get them. */
function renderLatestPush(run: RunReport, context: RenderContext): string {
  const attempt = run.attempt > 1 ? `, attempt ${run.attempt}` : "";
  const parts = [
    `**Latest images for this commit**, pushed by ${link(`run #${run.runNumber}${attempt}`, run.runUrl)}; this run pushed none.`,
  ];
  parts.push(renderImages(run.images, run.omitted?.images ?? 0));
  const commands = renderCommands(run, context);
  if (commands) parts.push(commands);
  return parts.join("\n\n");
}

function renderNote(note: ReportNote): string {
  switch (note.code) {
    case "fork-read-only":
      return "This PR comes from a fork: its workflows get a read-only token, so they cannot push images. Use the artifact below instead.";
    case "dependabot-read-only":
      return "This is a Dependabot PR: its workflows get a read-only token, so they cannot push images. Use the artifact below instead.";
    case "run-not-successful":
      return "The run did not succeed, and its logs show no pushed image.";
    case "no-push-found":
      return "The run's logs show no image push (buildx `pushing manifest for`, `docker push` or `podman push`). If this workflow should push, check `push: true` and the registry login.";
    case "logs-unavailable":
      return `Some job logs could not be read${note.detail ? ` (${code(note.detail)})` : ""}, so pushed images may be missing from this list.`;
    case "artifacts-unavailable":
      return "GitHub did not list this run's artifacts just now; they will show on the next update.";
    case "logs-limited":
      return `Only ${note.detail ? code(note.detail) : "some"} job logs were read (\`report.maxJobLogs\`).`;
    case "invalid-expected-tag":
      return `The expected-tag template ${code(note.detail ?? "")} does not render a valid Docker tag for this branch.`;
    case "logs-truncated":
      return `Only the last 4 MiB of some job logs were read${note.detail ? ` (${code(note.detail)})` : ""}, so images pushed earlier in them may be missing from this list.`;
    case "images-unchecked":
      return `Only the first ${note.detail ? code(note.detail) : "few"} image tags were checked against the registry (\`report.maxImageChecks\`); the others are listed unchecked.`;
  }
}

function describeCheck(check: ImageCheck, digest: string | undefined): string {
  const platforms = (list: string[]) => {
    if (list.length === 0) return "";
    const more = list.length > MAX_PLATFORMS ? ` and ${list.length - MAX_PLATFORMS} more` : "";
    return `: ${list
      .slice(0, MAX_PLATFORMS)
      .map((p) => code(p, { table: true }))
      .join(", ")}${more}`;
  };
  switch (check.status) {
    case "verified":
      return `✅ verified${platforms(check.platforms)}`;
    case "resolved":
      return `✅ found in registry${platforms(check.platforms)}`;
    case "mismatch":
      return `⚠️ tag now points to ${code(shortDigest(check.registryDigest), { table: true })}${digest ? " (moved since this run)" : ""}`;
    case "missing":
      return "❌ not found in the registry";
    case "not-allowed":
      return "not checked (registry not on the allow-list)";
    case "unreachable":
      return `❔ could not check (${code(check.reason, { table: true })})`;
  }
}

function shortDigest(digest: string): string {
  return digest.slice(0, "sha256:".length + 12);
}

function renderImages(images: ImageReport[], omitted: number): string {
  const rows = images.map(
    (image) =>
      `| ${code(`${image.repository}:${image.tag}`, { table: true })} | ${image.digest ? code(shortDigest(image.digest), { table: true }) : "—"} | ${describeCheck(image.check, image.digest)} |`,
  );
  const more = omitted > 0 ? `\n\n_…and ${omitted} more images._` : "";
  return `**Images**\n\n| Image | Digest | Registry |\n| --- | --- | --- |\n${rows.join("\n")}${more}`;
}

function renderExpected(expected: ExpectedTagReport[]): string {
  const lines = expected.map((e) => {
    if (e.found) return `- ✅ ${code(`${e.repository}:${e.tag}`)}`;
    const hint = e.otherShaTag
      ? ` CI pushed ${code(e.otherShaTag)} instead: docker/metadata-action tags PRs with the merge commit unless \`DOCKER_METADATA_PR_HEAD_SHA: true\` is set.`
      : "";
    return `- ❌ ${code(`${e.repository}:${e.tag}`)} was expected but not pushed.${hint}`;
  });
  return `**Expected tags**\n\n${lines.join("\n")}`;
}

function renderArtifacts(run: RunReport): string {
  const rows = run.artifacts.map((a) => {
    const expiry = a.expired ? "expired" : a.expiresAt ? code(a.expiresAt.slice(0, 10), { table: true }) : "—";
    return `| ${link(code(a.name, { table: true }), a.url)} | ${formatBytes(a.sizeInBytes)} | ${a.digest ? code(shortDigest(a.digest), { table: true }) : "—"} | ${expiry} |`;
  });
  const omitted = run.omitted?.artifacts ?? 0;
  const more = omitted > 0 ? `\n\n_…and ${omitted} more artifacts._` : "";
  return `**Artifacts**\n\n| Artifact | Size | Digest | Expires |\n| --- | --- | --- | --- |\n${rows.join("\n")}${more}`;
}

/** Commands a reviewer can paste: only for words that read back exactly and show every character. */
function renderCommands(run: RunReport, context: RenderContext): string | undefined {
  const lines: string[] = [];
  for (const image of run.images) {
    if (image.check.status === "missing") continue;
    const ref = shellQuote(image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`);
    if (ref) lines.push(`docker pull ${ref}`);
  }
  const repository = shellQuote(context.repository);
  for (const artifact of run.artifacts) {
    if (!artifact.holdsImage || artifact.expired) continue;
    const dir = shellQuote(artifact.name);
    if (dir && repository)
      lines.push(`gh run download ${run.runId} -R ${repository} -n ${dir} -D ${dir} && docker load -i ${dir}/*.tar*`);
  }
  return lines.length > 0 ? codeBlock(lines.join("\n"), "sh") : undefined;
}
