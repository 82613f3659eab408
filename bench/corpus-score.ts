/**
 * Precision and recall of the built-in rules on the labelled corpus (test/fixtures/registry-errors.jsonl,
 * copied from ../shared/corpus), each line classified alone with no job context, plus the misses.
 * Usage: tsx bench/corpus-score.ts
 */
import { classifyLog } from "../src/retry/classify-log.js";
import { compileRules } from "../src/retry/rule-set.js";
import { VERDICTS } from "../src/retry/rules.js";
import { readCorpus } from "../test/support/corpus.js";

const rules = compileRules();
const corpus = readCorpus().map((line) => ({ ...line, got: classifyLog(line.text, {}, rules).verdict }));
console.log(`# Corpus: ${corpus.length} lines\n`);
console.log(`| Label \\ Verdict | ${VERDICTS.join(" | ")} |`);
console.log(`| --- | ${VERDICTS.map(() => "---").join(" | ")} |`);
for (const label of VERDICTS) {
  const row = VERDICTS.map((v) => corpus.filter((c) => c.expected === label && c.got === v).length);
  console.log(`| ${label} | ${row.join(" | ")} |`);
}
for (const verdict of ["transient", "permanent"] as const) {
  const tp = corpus.filter((c) => c.got === verdict && c.expected === verdict).length;
  const fp = corpus.filter((c) => c.got === verdict && c.expected !== verdict).length;
  const fn = corpus.filter((c) => c.got !== verdict && c.expected === verdict).length;
  console.log(`\n${verdict}: precision ${(tp / (tp + fp)).toFixed(3)} (${tp}/${tp + fp}), recall ${(tp / (tp + fn)).toFixed(3)} (${tp}/${tp + fn})`);
}
console.log("\nMisses:");
for (const c of corpus.filter((x) => x.got !== x.expected)) console.log(`- ${c.expected} → ${c.got}: ${c.text.slice(0, 110)} (${c.source})`);
