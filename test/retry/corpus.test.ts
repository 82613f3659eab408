import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { scoreCorpus, type CorpusScore, type LabelledLine } from "../../src/retry/corpus-score.js";
import { compileRules } from "../../src/retry/rule-set.js";
import { readCorpus } from "../support/corpus.js";

/**
 * The built-in rules on the labelled corpora (test/fixtures/corpus/README.md), each line alone. The
 * rules were written from `train.jsonl` and the first corpus only; the thresholds below are what they
 * reach there, so a change that loses ground fails. `holdout.jsonl` was scored once, after the rules
 * were final (commit 4233bfb): it asserts what they reached there, which is short of issue 11's goal
 * (transient precision ≥ 0.97 and recall ≥ 0.85); see docs/retry.md. Nothing was tuned on it.
 */
const rules = compileRules();
const corpus = (name: string) => readCorpus(fileURLToPath(new URL(`../fixtures/corpus/${name}`, import.meta.url)));

function report(t: { diagnostic: (message: string) => void }, name: string, score: CorpusScore): void {
  const ratio = (v: number | null) => (v === null ? "—" : v.toFixed(3));
  t.diagnostic(
    `${name}: transient precision ${ratio(score.transient.precision)} (${score.transient.tp}/${score.transient.tp + score.transient.fp}), recall ${ratio(score.transient.recall)} (${score.transient.tp}/${score.transient.tp + score.transient.fn}); permanent precision ${ratio(score.permanent.precision)}, recall ${ratio(score.permanent.recall)}`,
  );
}

const cases: [string, () => LabelledLine[], { precision: number; recall: number; permanentPrecision: number }][] = [
  ["train.jsonl (380 lines)", () => corpus("train.jsonl"), { precision: 0.97, recall: 0.8, permanentPrecision: 0.85 }],
  ["the first corpus (79 lines)", () => readCorpus(), { precision: 0.85, recall: 0.8, permanentPrecision: 0.95 }],
  // Held out: what the final rules reached on their one run (24/27, 24/33), not the 0.97 and 0.85.
  [
    "holdout.jsonl (97 lines, held out)",
    () => corpus("holdout.jsonl"),
    { precision: 0.888, recall: 0.727, permanentPrecision: 0.88 },
  ],
];

describe("the classifier on the labelled corpora", () => {
  for (const [name, lines, min] of cases) {
    it(`${name}: transient precision ≥ ${min.precision}, recall ≥ ${min.recall}; permanent precision ≥ ${min.permanentPrecision}`, (t) => {
      const score = scoreCorpus(lines(), rules);
      report(t, name, score);
      assert.ok((score.transient.precision ?? 0) >= min.precision, `transient precision ${score.transient.precision}`);
      assert.ok((score.transient.recall ?? 0) >= min.recall, `transient recall ${score.transient.recall}`);
      assert.ok(
        (score.permanent.precision ?? 0) >= min.permanentPrecision,
        `permanent precision ${score.permanent.precision}`,
      );
    });

    it(`${name}: no line labelled NON_REGISTRY is called transient`, () => {
      const score = scoreCorpus(lines(), rules);
      assert.deepEqual(
        score.misses.filter((m) => m.expected === "unrelated" && m.got === "transient").map((m) => m.text),
        [],
      );
    });
  }
});
