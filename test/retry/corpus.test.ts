import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { scoreCorpus, type CorpusScore, type LabelledLine, type ScoreOptions } from "../../src/retry/corpus-score.js";
import { compileRules } from "../../src/retry/rule-set.js";
import { readCorpus } from "../support/corpus.js";

/**
 * The built-in rules on the labelled corpora (test/fixtures/corpus/README.md), each line alone. The
 * thresholds are what the rules reach, so a change that loses ground fails. The first round's rules
 * were written from `train.jsonl` and the first corpus; `holdout.jsonl` was scored once after them
 * (4233bfb: 24/27, 24/33, short of issue 11's 0.97 and 0.85). Its misses were then read and documented,
 * so the second round (rules from the clients' own error strings) could see it: its figures below are
 * no longer a held-out measure, only a guard. `fresh.jsonl` was held out from the second round (scored
 * once at 213988c: 57/64, 57/83, one decoy called transient) and is open to the third; its figures
 * here are a guard too, as are fresh-2's and steps' since they were scored (docs/retry.md).
 */
const rules = compileRules();
const corpus = (name: string) => readCorpus(fileURLToPath(new URL(`../fixtures/corpus/${name}`, import.meta.url)));

function report(t: { diagnostic: (message: string) => void }, name: string, score: CorpusScore): void {
  const ratio = (v: number | null) => (v === null ? "—" : v.toFixed(3));
  t.diagnostic(
    `${name}: transient precision ${ratio(score.transient.precision)} (${score.transient.tp}/${score.transient.tp + score.transient.fp}), recall ${ratio(score.transient.recall)} (${score.transient.tp}/${score.transient.tp + score.transient.fn}); permanent precision ${ratio(score.permanent.precision)}, recall ${ratio(score.permanent.recall)}`,
  );
}

const cases: [
  string,
  () => LabelledLine[],
  { precision: number; recall: number; permanentPrecision: number },
  ScoreOptions?,
][] = [
  ["train.jsonl (380 lines)", () => corpus("train.jsonl"), { precision: 0.97, recall: 0.82, permanentPrecision: 0.86 }],
  // 26/30, 26/32: its one GitHub Actions cache line is labelled transient there, a decoy in fresh.jsonl.
  ["the first corpus (79 lines)", () => readCorpus(), { precision: 0.86, recall: 0.81, permanentPrecision: 0.97 }],
  // Held out for the first round only (24/27, 24/33 then); seen since, so a guard, not a measure.
  [
    "holdout.jsonl (97 lines)",
    () => corpus("holdout.jsonl"),
    { precision: 0.93, recall: 0.84, permanentPrecision: 0.91 },
  ],
  // Held out for the second round only (57/64, 57/83, one decoy transient then); seen since.
  ["fresh.jsonl (218 lines)", () => corpus("fresh.jsonl"), { precision: 0.94, recall: 0.78, permanentPrecision: 0.87 }],
  // Held out for the third round (mined while it was written, scored once after it: 41/51, 41/62); its
  // misses were read on 2026-12-01 (docs/retry.md), so its figures here are a guard.
  [
    "fresh-2.jsonl (166 lines)",
    () => corpus("fresh-2.jsonl"),
    { precision: 0.8, recall: 0.66, permanentPrecision: 0.79 },
  ],
  // Failing steps, classified as the app classifies a job's log: held out from every round, scored once at
  // ebfc213 (8/11, 8/15, one decoy transient); the fourth round read it. Few entries, so a coarse guard.
  [
    "steps.jsonl (67 failing steps, with their logs)",
    () => corpus("steps.jsonl"),
    { precision: 0.81, recall: 0.6, permanentPrecision: 0.89 },
  ],
  [
    "steps.jsonl (67 failing steps, their lines alone)",
    () => corpus("steps.jsonl"),
    { precision: 0.88, recall: 0.53, permanentPrecision: 1 },
    { lineOnly: true },
  ],
  [
    "the working set (train, holdout, fresh and the first corpus: 774 lines)",
    () => [...corpus("train.jsonl"), ...corpus("holdout.jsonl"), ...corpus("fresh.jsonl"), ...readCorpus()],
    { precision: 0.95, recall: 0.81, permanentPrecision: 0.88 },
  ],
];

describe("the classifier on the labelled corpora", () => {
  for (const [name, lines, min, options] of cases) {
    it(`${name}: transient precision ≥ ${min.precision}, recall ≥ ${min.recall}; permanent precision ≥ ${min.permanentPrecision}`, (t) => {
      const score = scoreCorpus(lines(), rules, options);
      report(t, name, score);
      assert.ok((score.transient.precision ?? 0) >= min.precision, `transient precision ${score.transient.precision}`);
      assert.ok((score.transient.recall ?? 0) >= min.recall, `transient recall ${score.transient.recall}`);
      assert.ok(
        (score.permanent.precision ?? 0) >= min.permanentPrecision,
        `permanent precision ${score.permanent.precision}`,
      );
    });

    it(`${name}: no line labelled NON_REGISTRY is called transient`, () => {
      const score = scoreCorpus(lines(), rules, options);
      assert.deepEqual(
        score.misses.filter((m) => m.expected === "unrelated" && m.got === "transient").map((m) => m.text),
        [],
      );
    });
  }
});
