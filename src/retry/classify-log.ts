import { isKnownHost, type CompiledRule, type RuleSet } from "./rule-set.js";
import { REGISTRY_EVIDENCE, REGISTRY_STEP, TRANSFER_PROGRESS, type Operation, type Verdict } from "./rules.js";

/** What is known about where the text came from. */
export interface LogContext {
  job?: string;
  /** Names of the job's failed steps, from the jobs API. */
  failedSteps?: string[];
}

export interface Evidence {
  /** 1-based, within the text given. */
  line: number;
  text: string;
}

export interface Classification {
  verdict: Verdict;
  /** The rule that decided; null when no rule matched (an unknown failure, never re-run). */
  rule: string | null;
  operation: Operation | null;
  host: string | null;
  evidence: Evidence[];
  wait: "normal" | "long";
  cause?: string;
  fix?: string;
}

interface Line {
  number: number;
  text: string;
}

const ERROR_MARK = "##[error]";
const STEP_MARK = "##[group]Run ";
/** Lines before a generic error that may show the registry work it belongs to. */
const CONTEXT_WINDOW = 10;
/** A failing step's output beyond this many lines before its error is not looked at. */
const MAX_REGION_LINES = 2_000;
const MAX_EVIDENCE = 3;
const MAX_EVIDENCE_LENGTH = 400;

/**
 * Classifies a job log (whole, or its tail) or a single error line. With GitHub's `##[error]`
 * markers it looks only at the failing step: first its error lines, then, if those say nothing
 * (`Process completed with exit code 1.`), the step's output before them. Generic words (a 502,
 * a timeout, `EOF`) count only on lines or steps that show registry work, and a permanent finding
 * always beats a transient one.
 */
export function classifyLog(text: string, context: LogContext, rules: RuleSet): Classification {
  const region = failingRegion(text);
  const stepScoped = region.stepText !== null ? REGISTRY_STEP.test(region.stepText) : false;
  const contextScoped = (context.failedSteps ?? []).some((step) => REGISTRY_STEP.test(step));
  const scoped = stepScoped || contextScoped;

  const errorLines = region.lines.filter((l) => l.text.startsWith(ERROR_MARK));
  const tiers =
    errorLines.length > 0
      ? [errorLines.map((l) => ({ ...l, text: l.text.slice(ERROR_MARK.length) })), region.lines.filter((l) => !l.text.startsWith(ERROR_MARK))]
      : [region.lines];
  for (const tier of tiers) {
    const decided = decide(findingsIn(tier, region.lines, scoped, rules));
    if (decided) return decided;
  }
  return {
    verdict: "unrelated",
    rule: null,
    operation: null,
    host: null,
    evidence: errorLines.slice(0, MAX_EVIDENCE).map((l) => evidenceOf(l, l.text.slice(ERROR_MARK.length))),
    wait: "normal",
  };
}

interface Finding {
  rule: CompiledRule;
  line: Line;
  host: string | null;
  /** The lines just before, for the operation a generic error belongs to. */
  nearby: Line[];
}

function findingsIn(candidates: Line[], all: Line[], scoped: boolean, rules: RuleSet): Finding[] {
  const findings: Finding[] = [];
  const indexOf = new Map(all.map((line, index) => [line.number, index]));
  for (const line of candidates) {
    if (!rules.any.test(line.text)) continue;
    const position = indexOf.get(line.number) ?? 0;
    const nearby = all.slice(Math.max(0, position - CONTEXT_WINDOW), position);
    const host = hostIn(line.text) ?? nearby.map((l) => hostIn(l.text)).findLast((h) => h !== null) ?? null;
    const inRegistryWork = scoped || REGISTRY_EVIDENCE.test(line.text) || nearby.some((l) => REGISTRY_EVIDENCE.test(l.text) || TRANSFER_PROGRESS.test(l.text));
    for (const rule of rules.rules) {
      if (!rule.regex.test(line.text)) continue;
      if (rule.scope === "registry" && !inRegistryWork) continue;
      if (rule.host === "known" && !(host && isKnownHost(host, rules.knownHosts))) continue;
      if (rule.host === "unknown" && (!host || isKnownHost(host, rules.knownHosts))) continue;
      findings.push({ rule, line, host, nearby });
    }
  }
  return findings;
}

/** Permanent beats transient; the first rule (in rule order) of the winning verdict names it. */
function decide(findings: Finding[]): Classification | undefined {
  const ids = new Set(findings.map((f) => f.rule.id));
  const counted = findings.filter((f) => !(f.rule.yieldsTo ?? []).some((id) => ids.has(id)));
  for (const verdict of ["permanent", "transient"] as const) {
    const matching = counted.filter((f) => f.rule.verdict === verdict);
    if (matching.length === 0) continue;
    const rule = matching.map((f) => f.rule).reduce((best, r) => (rankOf(r, counted) < rankOf(best, counted) ? r : best));
    const lines = [...new Map(matching.map((f) => [f.line.number, f.line])).values()].sort((a, b) => a.number - b.number);
    const first = matching.find((f) => f.rule === rule);
    return {
      verdict,
      rule: rule.id,
      operation: rule.operation === "any" && first ? operationOf(first) : rule.operation,
      host: first?.host ?? null,
      evidence: lines.slice(-MAX_EVIDENCE).map((l) => evidenceOf(l, l.text)),
      wait: matching.some((f) => f.rule.wait === "long") ? "long" : "normal",
      ...(rule.cause ? { cause: rule.cause } : {}),
      ...(rule.fix ? { fix: rule.fix } : {}),
    };
  }
  return undefined;
}

function rankOf(rule: CompiledRule, findings: Finding[]): number {
  return findings.findIndex((f) => f.rule === rule) + 1000 * Number(rule.origin === "built-in");
}

/** The failing step's lines, or all lines when the text has no step markers (a plain file or line). */
function failingRegion(text: string): { lines: Line[]; stepText: string | null } {
  const firstError = text.indexOf(ERROR_MARK);
  if (firstError < 0) return { lines: splitLines(text, 0, text.length, 1), stepText: null };
  const stepMark = text.lastIndexOf(STEP_MARK, firstError);
  const start = stepMark < 0 ? 0 : text.lastIndexOf("\n", stepMark) + 1;
  const nextStep = text.indexOf(STEP_MARK, firstError);
  const end = nextStep < 0 ? text.length : text.lastIndexOf("\n", nextStep) + 1;
  const firstNumber = countLines(text, start) + 1;
  let lines = splitLines(text, start, end, firstNumber);
  const groupEnd = lines.findIndex((l) => l.text.startsWith("##[endgroup]"));
  const stepText = stepMark < 0 ? null : lines.slice(0, groupEnd < 0 ? 1 : groupEnd).map((l) => l.text).join("\n");
  if (lines.length > MAX_REGION_LINES) lines = lines.slice(-MAX_REGION_LINES);
  return { lines, stepText };
}

const TIMESTAMP = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function splitLines(text: string, start: number, end: number, firstNumber: number): Line[] {
  const lines: Line[] = [];
  let position = start;
  let number = firstNumber;
  while (position < end) {
    const newline = text.indexOf("\n", position);
    const stop = newline < 0 || newline > end ? end : newline;
    const raw = text.slice(position, stop).replace(/\r$/, "");
    lines.push({ number, text: cleanLine(raw) });
    number += 1;
    position = stop + 1;
  }
  return lines;
}

function cleanLine(raw: string): string {
  const plain = raw.replace(TIMESTAMP, "");
  return plain.includes("\u001b") ? plain.replace(ANSI, "") : plain;
}

function countLines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) count += 1;
  return count;
}

/** For rules that fit any operation (a 502, a reset), which one the line, or else the lines before it, show. */
function operationOf(finding: Finding): Operation {
  const own = operationIn(finding.line.text);
  return own !== "any" ? own : operationIn(finding.nearby.map((l) => l.text).join("\n"));
}

function operationIn(text: string): Operation {
  if (/blobs\/uploads?|upload(?:ing)? (?:the )?layer|writing blob|failed commit on ref "?layer|pushing (?:the )?blob/i.test(text)) return "blob-upload";
  if (/\/token\?|bearer token|oauth token|anonymous token|failed to authorize/i.test(text)) return "token";
  if (/\/manifests\/|failed commit on ref "?(?:manifest|index)/i.test(text)) return "manifest";
  if (/login/i.test(text)) return "login";
  if (/artifactcache|cache export|exporting cache/i.test(text)) return "cache";
  if (/push/i.test(text)) return "push";
  if (/pull|initializing source|\/v2\/"?:? /i.test(text)) return "pull";
  return "any";
}

const HOST_PATTERNS = [/lookup ([a-z0-9.-]+)/i, /https?:\/\/([^/\s"':]+)/i, /\b((?:[a-z0-9-]+\.)+[a-z]{2,}|localhost)(?::\d+)?\/v2\//i, /\b((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?\/[a-z0-9._-]+[/:@]/i];

function hostIn(text: string): string | null {
  for (const pattern of HOST_PATTERNS) {
    const match = pattern.exec(text);
    if (match?.[1]) return match[1].toLowerCase();
  }
  return null;
}

function evidenceOf(line: Line, text: string): Evidence {
  const trimmed = text.trim();
  return { line: line.number, text: trimmed.length > MAX_EVIDENCE_LENGTH ? `${trimmed.slice(0, MAX_EVIDENCE_LENGTH)}…` : trimmed };
}
