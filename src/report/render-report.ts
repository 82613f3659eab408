import { codeBlock, code, formatBytes, link, shellQuote } from "./markdown.js";
import { encodeState, REPORT_MARKER, splitCurrent, type ReportState } from "./report-state.js";
import { renderPrune } from "./render-prune.js";
import { renderRetry } from "./render-retry.js";
import type { ExpectedTagReport, ImageCheck, ImageReport, ReportNote, RunReport } from "./run-report.js";

/** GitHub refuses issue comments over 65,536 characters; keep a margin. */
export const MAX_COMMENT_LENGTH = 65_000;
/** How many older run attempts the state keeps at most, whatever their size. */
const MAX_HISTORY = 30;

export interface RenderContext {
  /** `owner/repo`, for `gh` commands. */
  repository: string;
}

/**
 * The whole comment for a state. When too long, it gives up detail in this order: older history,
 * then long lists inside runs, then (last resort) the state itself and the tail of the text.
 */
export function renderComment(state: ReportState, context: RenderContext): string {
  let fitted = capHistory(state, MAX_HISTORY);
  let body = compose(fitted, context);
  while (body.length > MAX_COMMENT_LENGTH && splitCurrent(fitted).history.length > 0) {
    fitted = capHistory(fitted, Math.floor(splitCurrent(fitted).history.length / 2));
    body = compose(fitted, context);
  }
  for (const limit of [50, 20, 5, 1]) {
    if (body.length <= MAX_COMMENT_LENGTH) break;
    fitted = { ...fitted, runs: fitted.runs.map((run) => limitLists(run, limit)) };
    body = compose(fitted, context);
  }
  if (body.length > MAX_COMMENT_LENGTH) {
    const text = composeMarkdown(fitted, context);
    body = `${text.slice(0, MAX_COMMENT_LENGTH - 200)}\n\n_…cut to fit GitHub's comment size limit._`;
  }
  return body;
}

function compose(state: ReportState, context: RenderContext): string {
  return `${composeMarkdown(state, context)}\n${encodeState(state)}`;
}

function capHistory(state: ReportState, keep: number): ReportState {
  const { current, history } = splitCurrent(state);
  return { ...state, runs: [...current, ...history.slice(0, keep)] };
}

function limitLists(run: RunReport, limit: number): RunReport {
  return {
    ...run,
    images: run.images.slice(0, limit),
    artifacts: run.artifacts.slice(0, limit),
    expectedTags: run.expectedTags.slice(0, limit),
    omitted: {
      images: (run.omitted?.images ?? 0) + Math.max(0, run.images.length - limit),
      artifacts: (run.omitted?.artifacts ?? 0) + Math.max(0, run.artifacts.length - limit),
    },
  };
}

function composeMarkdown(state: ReportState, context: RenderContext): string {
  const { current, history } = splitCurrent(state);
  const parts = [REPORT_MARKER, "### 🐳 Dockhand: what CI built for this pull request"];
  if (state.configProblems.length > 0) parts.push(renderConfigProblems(state.configProblems));
  if (state.prune) parts.push(renderPrune(state.prune));
  for (const run of current) {
    const earlier = state.runs.filter((r) => r.runId === run.runId && r.attempt < run.attempt);
    parts.push(renderRun(run, state.headSha, context, earlier));
  }
  if (history.length > 0) {
    const lines = history.map((run) => `- ${runTitle(run, state.headSha)}`);
    parts.push(`<details><summary>Earlier runs (${history.length})</summary>\n\n${lines.join("\n")}\n\n</details>`);
  }
  return parts.join("\n\n");
}

function renderConfigProblems(problems: ReportState["configProblems"]): string {
  const lines = problems.map((p) => `> - ${code(p.key)}: ${code(p.message)}`);
  return [
    "> [!WARNING]",
    "> `.github/dockhand.yml` is invalid. This report uses the defaults, and Dockhand takes no other action in this repository until the file is fixed:",
    ...lines,
  ].join("\n");
}

const CONCLUSION_ICON: Record<string, string> = { success: "✅", failure: "❌", cancelled: "⏹️", timed_out: "⏱️", skipped: "⏭️" };

function runTitle(run: RunReport, headSha: string): string {
  const icon = CONCLUSION_ICON[run.conclusion ?? ""] ?? "⚪";
  const attempt = run.attempt > 1 ? `, attempt ${run.attempt}` : "";
  const superseded = run.headSha === headSha ? "" : " · superseded by a newer commit";
  return `${code(run.workflowName)} ${link(`run #${run.runNumber}${attempt}`, run.runUrl)} · ${icon} ${run.conclusion ?? "unknown"} · ${code(run.headSha.slice(0, 7))}${superseded}`;
}

function renderRun(run: RunReport, headSha: string, context: RenderContext, earlier: RunReport[]): string {
  const parts = [`#### ${runTitle(run, headSha)}`];
  if (run.headSha !== headSha) {
    parts.push(`_This run built ${code(run.headSha.slice(0, 7))}, which is no longer the head of this PR; its results are kept for reference._`);
  }
  const notes = run.notes.map(renderNote).filter(Boolean);
  if (notes.length > 0) parts.push(notes.map((n) => `- ${n}`).join("\n"));
  if (run.images.length > 0) parts.push(renderImages(run.images, run.omitted?.images ?? 0));
  if (run.expectedTags.length > 0) parts.push(renderExpected(run.expectedTags));
  if (run.artifacts.length > 0) parts.push(renderArtifacts(run));
  const commands = renderCommands(run, context);
  if (commands) parts.push(`**Run it**\n\n${commands}`);
  const retry = renderRetry(run, earlier);
  if (retry) parts.push(retry);
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
      return `Only ${note.detail ?? "some"} job logs were read (\`report.maxJobLogs\`).`;
    case "invalid-expected-tag":
      return `The expected-tag template ${code(note.detail ?? "")} does not render a valid Docker tag for this branch.`;
    case "logs-truncated":
      return `Only the last 4 MiB of some job logs were read${note.detail ? ` (${code(note.detail)})` : ""}, so images pushed earlier in them may be missing from this list.`;
    case "images-unchecked":
      return `Only the first ${note.detail ? code(note.detail) : "few"} image tags were checked against the registry (\`report.maxImageChecks\`); the others are listed unchecked.`;
  }
}

function describeCheck(check: ImageCheck, digest: string | undefined): string {
  const platforms = (list: string[]) => (list.length > 0 ? `: ${list.map((p) => code(p, { table: true })).join(", ")}` : "");
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
    const expiry = a.expired ? "expired" : (a.expiresAt?.slice(0, 10) ?? "—");
    return `| ${link(code(a.name, { table: true }), a.url)} | ${formatBytes(a.sizeInBytes)} | ${a.digest ? code(shortDigest(a.digest), { table: true }) : "—"} | ${expiry} |`;
  });
  const omitted = run.omitted?.artifacts ?? 0;
  const more = omitted > 0 ? `\n\n_…and ${omitted} more artifacts._` : "";
  return `**Artifacts**\n\n| Artifact | Size | Digest | Expires |\n| --- | --- | --- | --- |\n${rows.join("\n")}${more}`;
}

function renderCommands(run: RunReport, context: RenderContext): string | undefined {
  const lines: string[] = [];
  for (const image of run.images) {
    if (image.check.status === "missing") continue;
    lines.push(`docker pull ${image.digest ? `${image.repository}@${image.digest}` : `${image.repository}:${image.tag}`}`);
  }
  for (const artifact of run.artifacts) {
    if (!artifact.holdsImage || artifact.expired) continue;
    const dir = shellQuote(artifact.name);
    lines.push(`gh run download ${run.runId} -R ${shellQuote(context.repository)} -n ${dir} -D ${dir} && docker load -i ${dir}/*.tar*`);
  }
  return lines.length > 0 ? codeBlock(lines.join("\n"), "sh") : undefined;
}
