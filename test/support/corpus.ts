import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Verdict } from "../../src/retry/rules.js";

/** Labelled registry failure lines, copied from ../shared/corpus so that a clean clone can test against them. */
export const CORPUS_PATH = fileURLToPath(new URL("../fixtures/registry-errors.jsonl", import.meta.url));

const LABELS: Record<string, Verdict> = { TRANSIENT: "transient", PERMANENT: "permanent", NON_REGISTRY: "unrelated" };

export interface CorpusLine {
  text: string;
  expected: Verdict;
  source: string;
}

export function readCorpus(): CorpusLine[] {
  return readFileSync(CORPUS_PATH, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const record = JSON.parse(line) as { text: string; label: string; source: string };
      const expected = LABELS[record.label];
      if (!expected) throw new Error(`unknown corpus label ${record.label}`);
      return { text: record.text, expected, source: record.source };
    });
}
