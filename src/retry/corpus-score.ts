import { classifyLog, type Classification } from "./classify-log.js";
import type { RuleSet } from "./rule-set.js";
import { VERDICTS, type Verdict } from "./rules.js";

/**
 * Scoring the classifier on labelled lines: the corpus format (JSON Lines with `text`, `label` —
 * TRANSIENT, PERMANENT or NON_REGISTRY — and `source`; `tool` and `note` are for people). A line is
 * classified alone with no job context; an entry that also has a `log` (the failing step's excerpt, an
 * array of lines, and optionally the `step`'s name) is classified as the app classifies a job's log,
 * with that context, unless the caller asks for its `text` alone. Shared by `dockhand corpus score`
 * and bench/corpus-score.ts.
 */
export interface LabelledLine {
  text: string;
  expected: Verdict;
  source: string;
  /** The step's log excerpt the line was quoted in, in order. */
  log?: string[];
  /** The failing step's name or command, as the jobs API would give it. */
  step?: string;
}

export interface ScoreOptions {
  /** Classify each entry's `text` alone even when it has a `log`: the single-line figure for the same entries. */
  lineOnly?: boolean;
}

const LABELS: Record<string, Verdict> = { TRANSIENT: "transient", PERMANENT: "permanent", NON_REGISTRY: "unrelated" };

/** The lines of a corpus file; a malformed line throws, naming its number. */
export function parseCorpus(text: string): LabelledLine[] {
  const lines: LabelledLine[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    if (raw.trim() === "") continue;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      throw new Error(`line ${index + 1}: not valid JSON`);
    }
    const { text: lineText, label, source, log, step } = (record ?? {}) as Record<string, unknown>;
    if (typeof lineText !== "string") throw new Error(`line ${index + 1}: expected a "text" string`);
    const expected = typeof label === "string" ? LABELS[label] : undefined;
    if (!expected) throw new Error(`line ${index + 1}: "label" must be one of ${Object.keys(LABELS).join(", ")}`);
    if (log !== undefined && !(Array.isArray(log) && log.length > 0 && log.every((l) => typeof l === "string")))
      throw new Error(`line ${index + 1}: "log", when given, must be a non-empty array of strings (the step's lines)`);
    if (step !== undefined && typeof step !== "string")
      throw new Error(`line ${index + 1}: "step", when given, must be a string (the failing step's name)`);
    lines.push({
      text: lineText,
      expected,
      source: typeof source === "string" ? source : "",
      ...(log ? { log: log as string[] } : {}),
      ...(step !== undefined ? { step } : {}),
    });
  }
  return lines;
}

export interface VerdictScore {
  tp: number;
  fp: number;
  fn: number;
  /** Null when nothing was called this verdict (or nothing has this label), rather than 0/0. */
  precision: number | null;
  recall: number | null;
}

export interface CorpusScore {
  lines: number;
  /** Entries classified by their step's log excerpt (the rest by their line alone). */
  steps: number;
  /** Label (rows) by verdict (columns). */
  matrix: Record<Verdict, Record<Verdict, number>>;
  transient: VerdictScore;
  permanent: VerdictScore;
  /**
   * For each rule that decided an entry, its verdict and the labels of the entries it decided: a rule
   * whose transient calls are often labelled otherwise is one a repository may want to override.
   */
  byRule: { rule: string; verdict: Verdict; labels: Record<Verdict, number>; precision: number }[];
  /** Lines labelled NON_REGISTRY that were called transient: each would be a wasted re-run. */
  decoysCalledTransient: number;
  misses: { expected: Verdict; got: Verdict; rule: string | null; text: string; source: string }[];
}

export function scoreCorpus(lines: readonly LabelledLine[], rules: RuleSet, options: ScoreOptions = {}): CorpusScore {
  const asStep = (line: LabelledLine): line is LabelledLine & { log: string[] } =>
    line.log !== undefined && !options.lineOnly;
  const results = lines.map((line) => ({
    ...line,
    got: asStep(line)
      ? classifyLog(line.log.join("\n"), line.step === undefined ? {} : { failedSteps: [line.step] }, rules)
      : classifyLog(line.text, {}, rules),
  }));
  const matrix = Object.fromEntries(
    VERDICTS.map((label) => [label, Object.fromEntries(VERDICTS.map((v) => [v, 0]))]),
  ) as CorpusScore["matrix"];
  for (const r of results) matrix[r.expected][r.got.verdict] += 1;
  const score = (verdict: Verdict): VerdictScore => {
    const tp = matrix[verdict][verdict];
    const fp = VERDICTS.reduce((sum, label) => sum + (label === verdict ? 0 : matrix[label][verdict]), 0);
    const fn = VERDICTS.reduce((sum, v) => sum + (v === verdict ? 0 : matrix[verdict][v]), 0);
    return {
      tp,
      fp,
      fn,
      precision: tp + fp === 0 ? null : tp / (tp + fp),
      recall: tp + fn === 0 ? null : tp / (tp + fn),
    };
  };
  return {
    lines: results.length,
    steps: lines.filter(asStep).length,
    matrix,
    transient: score("transient"),
    permanent: score("permanent"),
    byRule: byRule(results),
    decoysCalledTransient: matrix.unrelated.transient,
    misses: results
      .filter((r) => r.got.verdict !== r.expected)
      .map((r) => ({ expected: r.expected, got: r.got.verdict, rule: r.got.rule, text: r.text, source: r.source })),
  };
}

function byRule(results: readonly { expected: Verdict; got: Classification }[]): CorpusScore["byRule"] {
  const rows = new Map<string, CorpusScore["byRule"][number]>();
  for (const { expected, got } of results) {
    if (got.rule === null) continue;
    const key = `${got.verdict}\u0000${got.rule}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        rule: got.rule,
        verdict: got.verdict,
        labels: { transient: 0, permanent: 0, unrelated: 0 },
        precision: 0,
      };
      rows.set(key, row);
    }
    row.labels[expected] += 1;
  }
  const decided = (row: CorpusScore["byRule"][number]) => VERDICTS.reduce((sum, label) => sum + row.labels[label], 0);
  for (const row of rows.values()) row.precision = row.labels[row.verdict] / decided(row);
  return [...rows.values()].sort((a, b) => decided(b) - decided(a) || a.rule.localeCompare(b.rule));
}

/** The score as Markdown: the confusion matrix, precision and recall, and every miss. */
export function formatCorpusScore(score: CorpusScore, title: string): string {
  const ratio = (value: number | null) => (value === null ? "—" : value.toFixed(3));
  const out = [
    `# Corpus: ${title}, ${score.lines} entries${score.steps > 0 ? ` (${score.steps} classified by their step's log)` : ""}`,
    "",
    `| Label \\ Verdict | ${VERDICTS.join(" | ")} |`,
    `| --- | ${VERDICTS.map(() => "---").join(" | ")} |`,
  ];
  for (const label of VERDICTS) out.push(`| ${label} | ${VERDICTS.map((v) => score.matrix[label][v]).join(" | ")} |`);
  for (const verdict of ["transient", "permanent"] as const) {
    const s = score[verdict];
    out.push(
      "",
      `${verdict}: precision ${ratio(s.precision)} (${s.tp}/${s.tp + s.fp}), recall ${ratio(s.recall)} (${s.tp}/${s.tp + s.fn})`,
    );
  }
  out.push(
    "",
    `non-registry lines called transient: ${score.decoysCalledTransient}`,
    "",
    "By rule (labels of the entries each rule decided):",
    "",
  );
  out.push(
    `| Rule | Verdict | ${VERDICTS.join(" | ")} | Precision |`,
    `| --- | --- | ${VERDICTS.map(() => "---").join(" | ")} | --- |`,
  );
  for (const row of score.byRule)
    out.push(
      `| ${row.rule} | ${row.verdict} | ${VERDICTS.map((label) => row.labels[label]).join(" | ")} | ${row.precision.toFixed(2)} |`,
    );
  out.push("", "Misses:");
  for (const m of score.misses)
    out.push(
      `- ${m.expected} → ${m.got}${m.rule ? ` (${m.rule})` : ""}: ${m.text.slice(0, 110)}${m.source ? ` (${m.source})` : ""}`,
    );
  return `${out.join("\n")}\n`;
}
