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

/** The lines of a corpus file (JSON Lines: `text`, `label`, `source`), by default the first corpus. */
export function readCorpus(path = CORPUS_PATH): CorpusLine[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const record = JSON.parse(line) as { text: string; label: string; source: string };
      const expected = LABELS[record.label];
      if (!expected) throw new Error(`unknown corpus label ${record.label}`);
      return { text: record.text, expected, source: record.source };
    });
}
