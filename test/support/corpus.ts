import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseCorpus, type LabelledLine } from "../../src/retry/corpus-score.js";

/** Labelled registry failure lines, copied from ../shared/corpus so that a clean clone can test against them. */
export const CORPUS_PATH = fileURLToPath(new URL("../fixtures/registry-errors.jsonl", import.meta.url));

export type CorpusLine = LabelledLine;

/** The lines of a corpus file (JSON Lines: `text`, `label`, `source`), by default the first corpus. */
export function readCorpus(path = CORPUS_PATH): CorpusLine[] {
  return parseCorpus(readFileSync(path, "utf8"));
}
