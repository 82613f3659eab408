import { CONTEXT_WINDOW, type ExplainedLine, type Explanation } from "../retry/classify-log.js";

const MAX_TEXT = 200;
const PASS_TITLE: Record<Explanation["passes"][number]["name"], string> = {
  "error lines": "the failing step's ##[error] lines",
  "step output": "the failing step's other output",
  "whole text": "the whole text (no GitHub step markers)",
};

/** `dockhand classify --explain` as text: what was read, which rules matched where, and why each counted or not. */
export function renderExplanation(explanation: Explanation): string {
  const out = ["How it was read:"];
  if (explanation.step) {
    const header =
      explanation.step.text === "" ? "(an ##[error] line with no step header before it)" : cut(explanation.step.text);
    out.push(`  failing step, line ${explanation.step.line}: ${header}`);
    out.push(
      `    ${explanation.step.registryWork ? `registry work: ${explanation.step.registryWork}` : "not registry work by its name or command: generic words count only where a line shows registry work"}`,
    );
  }
  const repository = explanation.rules.filter((r) => r.origin === "config");
  out.push(
    `  rules tried (${explanation.rules.length}: ${repository.length} from the repository, then the built-in ones in order):`,
  );
  out.push(
    ...wrap(
      explanation.rules.map((r) => (r.origin === "config" ? `${r.id} (repository)` : r.id)),
      "    ",
    ),
  );
  for (const pass of explanation.passes) {
    out.push(
      `  ${PASS_TITLE[pass.name]}: ${pass.lines.length === 0 ? "no line matched a rule" : `${pass.lines.length} line${pass.lines.length === 1 ? "" : "s"} matched a rule`}${pass.decided ? " (this decided)" : ""}`,
    );
    for (const line of pass.lines) out.push(...renderLine(line));
  }
  if (!explanation.passes.some((p) => p.decided))
    out.push("  no rule counted: the verdict is unrelated, and Dockhand never re-runs an unknown failure.");
  out.push(
    "",
    "A repository rule (retry.rules in .github/dockhand.yml) is tried before the built-in ones. With",
    "`scope: self` it counts on any line; with `scope: registry` (the default) only on a line that shows",
    `registry work itself, or whose buildkit step, ${CONTEXT_WINDOW} lines before, or failing step do, as judged above.`,
    "Try it here with: dockhand classify --config .github/dockhand.yml --explain LOG",
  );
  return `${out.join("\n")}\n`;
}

function renderLine(line: ExplainedLine): string[] {
  const out = [`    line ${line.line}: ${cut(line.text.trim())}`];
  if (line.host) {
    const status =
      line.host.status === "known"
        ? "a known registry"
        : line.host.status === "near-miss"
          ? `not a known registry, but close to ${line.host.suggestion} (a typo?)`
          : "not a known registry (--registry HOST makes it one)";
    out.push(`      host ${line.host.name}: ${status}`);
  }
  for (const match of line.matches)
    out.push(
      `      ${match.counted ? "✓ counts" : "✗ does not count"}: ${match.rule} (${match.verdict}): ${match.why}`,
    );
  return out;
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** Words joined by ", " in lines of about 100 characters. */
function wrap(words: string[], indent: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const [i, word] of words.entries()) {
    const piece = `${word}${i < words.length - 1 ? "," : ""}`;
    if (current && current.length + piece.length + 1 > 100) {
      lines.push(`${indent}${current}`);
      current = piece;
    } else current = current ? `${current} ${piece}` : piece;
  }
  if (current) lines.push(`${indent}${current}`);
  return lines;
}
