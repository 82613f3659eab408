/**
 * Precision and recall of the built-in rules on labelled corpus files, each line classified alone with
 * no job context (an entry with a `log`, by its failing step's log, unless --line-only), plus each
 * rule's precision and the misses: `dockhand corpus score`, by default on the first corpus
 * (test/fixtures/registry-errors.jsonl, copied from ../shared/corpus).
 * Usage: tsx bench/corpus-score.ts [--line-only] [FILE.jsonl ...]
 */
import { relative } from "node:path";
import { corpusCommand } from "../src/cli/corpus-command.js";
import { CORPUS_PATH } from "../test/support/corpus.js";

const args = process.argv.slice(2);
const files = args.filter((arg) => !arg.startsWith("--"));
process.exitCode = await corpusCommand(
  ["score", ...args, ...(files.length > 0 ? [] : [relative(process.cwd(), CORPUS_PATH)])],
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
);
