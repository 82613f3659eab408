/**
 * Precision and recall of the built-in rules on labelled corpus files, each line classified alone with
 * no job context, plus the misses: `dockhand corpus score`, by default on the first corpus
 * (test/fixtures/registry-errors.jsonl, copied from ../shared/corpus).
 * Usage: tsx bench/corpus-score.ts [FILE.jsonl ...]
 */
import { relative } from "node:path";
import { corpusCommand } from "../src/cli/corpus-command.js";
import { CORPUS_PATH } from "../test/support/corpus.js";

const files = process.argv.slice(2);
process.exitCode = await corpusCommand(
  ["score", ...(files.length > 0 ? files : [relative(process.cwd(), CORPUS_PATH)])],
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
);
