/**
 * Precision and recall of the built-in rules on a labelled corpus file (JSON Lines: text, label, source),
 * each line classified alone with no job context, plus the misses. By default the first corpus
 * (test/fixtures/registry-errors.jsonl, copied from ../shared/corpus).
 * Usage: tsx bench/corpus-score.ts [FILE.jsonl ...]
 */
import { classifyLog } from "../src/retry/classify-log.js";
import { compileRules } from "../src/retry/rule-set.js";
import { VERDICTS } from "../src/retry/rules.js";
import { readCorpus } from "../test/support/corpus.js";

const rules = compileRules();
const files = process.argv.slice(2);
const corpus = (files.length > 0 ? files.flatMap((file) => readCorpus(file)) : readCorpus()).map((line) => ({ ...line, got: classifyLog(line.text, {}, rules).verdict }));
console.log(`# Corpus: ${files.length > 0 ? files.join(", ") : "test/fixtures/registry-errors.jsonl"}, ${corpus.length} lines\n`);
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
