import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { classifyLog, explainLog, type Classification, type LogContext } from "../retry/classify-log.js";
import type { RuleSet } from "../retry/rule-set.js";
import type { CliIo } from "./cli-io.js";
import { cliRules, RULE_OPTIONS, RULE_OPTIONS_USAGE } from "./cli-rules.js";
import { renderExplanation } from "./render-explanation.js";

export const CLASSIFY_USAGE = `Usage: dockhand classify [options] FILE

Classifies a job log (or any text) as a registry failure a re-run can fix (transient), one it
cannot (permanent), or not a registry failure (unrelated). FILE may be - for standard input.

Options:
  --jsonl            FILE holds JSON Lines with a "text" field (and optional "job", "step");
                     print one JSON object per input line, in order
  --json             print the verdict for the whole FILE as JSON
  --explain          also show how it was read: the failing step, the rules tried, each line a
                     rule matched and why it counted or not (registry work nearby, the host)
  --job NAME         the job's name, for context
  --step NAME        a failed step's name, for context (repeatable)
${RULE_OPTIONS_USAGE}`;

export async function classifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      jsonl: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      explain: { type: "boolean", default: false },
      job: { type: "string" },
      step: { type: "string", multiple: true, default: [] },
      ...RULE_OPTIONS,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout.write(CLASSIFY_USAGE);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    io.stderr.write(`dockhand classify: give exactly one FILE (or - for standard input)\n\n${CLASSIFY_USAGE}`);
    return 2;
  }
  const loaded = await cliRules(values.config, values.registry);
  if ("error" in loaded) {
    io.stderr.write(`dockhand classify: ${loaded.error}`);
    return 2;
  }
  if (loaded.notice) io.stderr.write(`dockhand classify: ${loaded.notice}`);
  const rules = loaded.rules;
  const context: LogContext = { ...(values.job ? { job: values.job } : {}), failedSteps: values.step };

  if (values.jsonl) return classifyJsonLines(file, rules, context, values.explain, io);
  let text: string;
  try {
    text = file === "-" ? await readStream(io.stdin) : await readFile(file, "utf8");
  } catch (error) {
    io.stderr.write(
      `dockhand classify: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  if (values.explain) {
    const { result, explanation } = explainLog(text, context, rules);
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ ...result, explanation })}\n`
        : `${describe(result)}\n${renderExplanation(explanation)}`,
    );
    return 0;
  }
  const result = classifyLog(text, context, rules);
  io.stdout.write(values.json ? `${JSON.stringify(result)}\n` : describe(result));
  return 0;
}

async function classifyJsonLines(
  file: string,
  rules: RuleSet,
  base: LogContext,
  explain: boolean,
  io: CliIo,
): Promise<number> {
  const input = file === "-" ? io.stdin : createReadStream(file, "utf8");
  let status = 0;
  let number = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      number += 1;
      // A blank line is a line too: it gets its object, so output line N still answers input line N.
      const record =
        line.trim() === "" ? 'a blank line; each line must be a JSON object with a "text" string' : parseRecord(line);
      if (typeof record === "string") {
        io.stdout.write(
          `${JSON.stringify({ verdict: "unrelated", rule: null, error: `line ${number}: ${record}` })}\n`,
        );
        status = 1;
        continue;
      }
      const context: LogContext = {
        ...base,
        ...(record.job ? { job: record.job } : {}),
        ...(record.step ? { failedSteps: [...(base.failedSteps ?? []), record.step] } : {}),
      };
      if (explain) {
        const { result, explanation } = explainLog(record.text, context, rules);
        io.stdout.write(`${JSON.stringify({ ...result, explanation })}\n`);
      } else io.stdout.write(`${JSON.stringify(classifyLog(record.text, context, rules))}\n`);
    }
  } catch (error) {
    io.stderr.write(
      `dockhand classify: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  return status;
}

function parseRecord(line: string): { text: string; job?: string; step?: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not valid JSON";
  }
  if (typeof value !== "object" || value === null || typeof (value as { text?: unknown }).text !== "string") {
    return 'expected an object with a "text" string';
  }
  const record = value as { text: string; job?: unknown; step?: unknown };
  return {
    text: record.text,
    ...(typeof record.job === "string" ? { job: record.job } : {}),
    ...(typeof record.step === "string" ? { step: record.step } : {}),
  };
}

function describe(result: Classification): string {
  const lines = [
    `verdict: ${result.verdict}`,
    `rule: ${result.rule ?? "(none matched: not a registry failure Dockhand knows)"}`,
  ];
  if (result.operation) lines.push(`operation: ${result.operation}`);
  if (result.host) lines.push(`host: ${result.host}`);
  if (result.wait === "long") lines.push("wait: long (rate limit)");
  if (result.cause) lines.push(`cause: ${result.cause}`);
  if (result.fix) lines.push(`fix: ${result.fix}`);
  if (result.evidence.length > 0) {
    lines.push("evidence:");
    for (const e of result.evidence) lines.push(`  line ${e.line}: ${e.text}`);
  }
  return `${lines.join("\n")}\n`;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
