import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { formatCorpusScore, parseCorpus, scoreCorpus, type LabelledLine } from "../retry/corpus-score.js";
import type { CliIo } from "./cli-io.js";
import { cliRules, RULE_OPTIONS, RULE_OPTIONS_USAGE } from "./cli-rules.js";

export const CORPUS_USAGE = `Usage: dockhand corpus score [options] FILE...

Classifies every entry of labelled JSON Lines files (the corpus format: "text", "label" one of
TRANSIENT, PERMANENT, NON_REGISTRY, and "source"), and prints the confusion matrix, precision and
recall of the transient and permanent verdicts, each rule's verdict with the labels of the entries
it decided, and every miss. An entry's "text" is classified alone; an entry that also has a "log"
(its failing step's lines, an array) and optionally a "step" (the step's name) is classified as
the app classifies a job's log, with that context.

Options:
  --json             print the score as JSON
  --line-only        classify each entry's "text" alone, even when it has a "log"
${RULE_OPTIONS_USAGE}`;

export async function corpusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      "line-only": { type: "boolean", default: false },
      ...RULE_OPTIONS,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(CORPUS_USAGE);
    return 0;
  }
  const [action, ...files] = positionals;
  if (action !== "score" || files.length === 0) {
    io.stderr.write(`dockhand corpus: give score and at least one FILE\n\n${CORPUS_USAGE}`);
    return 2;
  }
  const loaded = await cliRules(values.config, values.registry);
  if ("error" in loaded) {
    io.stderr.write(`dockhand corpus: ${loaded.error}`);
    return 2;
  }
  if (loaded.notice) io.stderr.write(`dockhand corpus: ${loaded.notice}`);
  const lines: LabelledLine[] = [];
  for (const file of files) {
    try {
      lines.push(...parseCorpus(await readFile(file, "utf8")));
    } catch (error) {
      io.stderr.write(`dockhand corpus: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }
  const score = scoreCorpus(lines, loaded.rules, { lineOnly: values["line-only"] });
  io.stdout.write(values.json ? `${JSON.stringify(score)}\n` : formatCorpusScore(score, files.join(", ")));
  return 0;
}
