import { MAX_LINE_CHARS } from "./log-line.js";
import { isKnownHost, repositoryMatcher, type CompiledRule, type RepositoryMatcher, type RuleSet } from "./rule-set.js";
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
  /** The repository's rules ran out of time (`REPOSITORY_RULES_BUDGET_MS`) before every line was tried. */
  repositoryRulesCutShort?: true;
}

interface Line {
  number: number;
  text: string;
  /** Where the raw line starts in the text: the lines before it are read from here on demand. */
  offset: number;
}

/** A stretch of the text: the failing step, or all of it. */
interface Region {
  text: string;
  start: number;
  end: number;
  /** The line number at `start`. */
  firstLine: number;
}

const ERROR_MARK = "##[error]";
const STEP_MARK = "##[group]Run ";
/** Lines before a generic error that may show the registry work it belongs to. */
const CONTEXT_WINDOW = 10;
const MAX_EVIDENCE = 3;
const MAX_EVIDENCE_LENGTH = 400;

/**
 * Classifies a job log (whole, or its tail) or a single error line. With GitHub's `##[error]`
 * markers it looks only at the failing step: first its error lines, then, if those say nothing
 * (`Process completed with exit code 1.`), the step's output before them. Generic words (a 502,
 * a timeout, `EOF`) count only on lines or steps that show registry work, and a permanent finding
 * always beats a transient one. One pass of the built-in patterns finds candidate lines, so a large
 * text is never split into lines as a whole; a repository's patterns (RE2) are tried line by line,
 * from the failure backwards, while their time lasts. A line counts up to `MAX_LINE_CHARS`.
 */
export function classifyLog(text: string, context: LogContext, rules: RuleSet): Classification {
  const { region, stepText } = failingRegion(text);
  const scoped = (stepText !== null && REGISTRY_STEP.test(stepText)) || (context.failedSteps ?? []).some((step) => REGISTRY_STEP.test(step));
  const errorLines = stepText === null ? [] : markedLines(region, ERROR_MARK);
  const repository = repositoryMatcher(rules);
  const tiers: (() => Line[])[] =
    errorLines.length > 0
      ? [() => errorLines.map((l) => ({ ...l, text: l.text.slice(ERROR_MARK.length) })), () => candidateLines(region, rules, repository).filter((l) => !l.text.startsWith(ERROR_MARK))]
      : [() => candidateLines(region, rules, repository)];
  const cutShort = () => (repository.cutShort() ? { repositoryRulesCutShort: true as const } : {});
  for (const tier of tiers) {
    const decided = decide(findingsIn(tier(), region, scoped, rules, repository));
    if (decided) return { ...decided, ...cutShort() };
  }
  return {
    verdict: "unrelated",
    rule: null,
    operation: null,
    host: null,
    evidence: errorLines.slice(0, MAX_EVIDENCE).map((l) => evidenceOf(l, l.text.slice(ERROR_MARK.length))),
    wait: "normal",
    ...cutShort(),
  };
}

interface Finding {
  rule: CompiledRule;
  line: Line;
  host: string | null;
  /** The lines just before, for the operation a generic error belongs to. */
  nearby: Line[];
}

function findingsIn(candidates: Line[], region: Region, scoped: boolean, rules: RuleSet, repository: RepositoryMatcher): Finding[] {
  const findings: Finding[] = [];
  for (const line of candidates) {
    const own = repository.match(line.text);
    const builtIn = rules.any.test(line.text) ? rules.rules.filter((rule) => rule.origin === "built-in" && rule.regex.test(line.text)) : [];
    const matching = [...own, ...builtIn];
    if (matching.length === 0) continue;
    // The lines before are read only when a generic rule needs context (most lines never do).
    let nearby: Line[] | undefined;
    const before = () => (nearby ??= linesBefore(region, line, CONTEXT_WINDOW));
    const inRegistryWork =
      scoped || REGISTRY_EVIDENCE.test(line.text) || (matching.some((r) => r.scope === "registry") && before().some((l) => REGISTRY_EVIDENCE.test(l.text) || TRANSFER_PROGRESS.test(l.text)));
    const ownHost = hostIn(line.text);
    const hostNearby = () => before().map((l) => hostIn(l.text)).findLast((h) => h !== null) ?? null;
    const host = ownHost ?? (matching.some((r) => r.host) || nearby ? hostNearby() : null);
    for (const rule of matching) {
      if (rule.scope === "registry" && !inRegistryWork) continue;
      if (rule.host === "known" && !(host && isKnownHost(host, rules.knownHosts))) continue;
      if (rule.host === "unknown" && (!host || isKnownHost(host, rules.knownHosts))) continue;
      findings.push({ rule, line, host, nearby: nearby ?? [] });
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

/** The failing step (from its `Run` header to the next step), or all of the text when it has no markers. */
function failingRegion(text: string): { region: Region; stepText: string | null } {
  const firstError = text.indexOf(ERROR_MARK);
  if (firstError < 0) return { region: { text, start: 0, end: text.length, firstLine: 1 }, stepText: null };
  const stepMark = text.lastIndexOf(STEP_MARK, firstError);
  const start = stepMark < 0 ? 0 : text.lastIndexOf("\n", stepMark) + 1;
  const nextStep = text.indexOf(STEP_MARK, firstError);
  const end = nextStep < 0 ? text.length : text.lastIndexOf("\n", nextStep) + 1;
  const region = { text, start, end, firstLine: countLines(text, start) + 1 };
  if (stepMark < 0) return { region, stepText: "" };
  // The step's header group holds its command (e.g. the `run:` script), up to `##[endgroup]`.
  const groupEnd = text.indexOf("##[endgroup]", start);
  const headerEnd = groupEnd < 0 || groupEnd > firstError ? text.indexOf("\n", start) : groupEnd;
  return { region, stepText: text.slice(start, headerEnd < 0 ? end : headerEnd) };
}

/**
 * Lines of the region some rule may match: the built-ins' in one global pass (linear patterns, so
 * any line length is fine), the repository's line by line from the end, nearest the failure first.
 */
function candidateLines(region: Region, rules: RuleSet, repository: RepositoryMatcher): Line[] {
  const starts: number[] = [];
  const scan = new RegExp(rules.scan.source, rules.scan.flags);
  scan.lastIndex = region.start;
  for (let match = scan.exec(region.text); match && match.index < region.end; match = scan.exec(region.text)) {
    starts.push(region.text.lastIndexOf("\n", match.index - 1) + 1);
    const next = region.text.indexOf("\n", match.index);
    if (next < 0 || next >= region.end) break;
    scan.lastIndex = next + 1;
  }
  const counter = lineCounter(region);
  if (!rules.repository) return starts.map((start) => lineAt(region, start, counter));
  // `stop` is where the line's text ends: its newline, or the region's end.
  const endsWithNewline = region.end > region.start && region.text[region.end - 1] === "\n";
  for (let stop = endsWithNewline ? region.end - 1 : region.end; stop >= region.start && !repository.cutShort(); ) {
    const start = Math.max(region.start, region.text.lastIndexOf("\n", stop - 1) + 1);
    if (stop > start && repository.match(lineText(region, start, stop)).length > 0) starts.push(start);
    stop = start - 1;
  }
  return [...new Set(starts)].sort((a, b) => a - b).map((start) => lineAt(region, start, counter));
}

/** Lines of the region that start with a marker such as `##[error]` (after the timestamp). */
function markedLines(region: Region, marker: string): Line[] {
  const lines: Line[] = [];
  const counter = lineCounter(region);
  for (let at = region.text.indexOf(marker, region.start); at >= 0 && at < region.end; at = region.text.indexOf(marker, at + marker.length)) {
    const line = lineAt(region, at, counter);
    if (line.text.startsWith(marker)) lines.push(line);
  }
  return lines;
}

/** Counts newlines forward from the region's start, so numbering many lines stays one pass. */
function lineCounter(region: Region): { offset: number; number: number } {
  return { offset: region.start, number: region.firstLine };
}

function lineAt(region: Region, position: number, counter: { offset: number; number: number }): Line {
  const offset = region.text.lastIndexOf("\n", position - 1) + 1;
  for (let i = region.text.indexOf("\n", counter.offset); i >= 0 && i < offset; i = region.text.indexOf("\n", i + 1)) counter.number += 1;
  counter.offset = offset;
  const stop = region.text.indexOf("\n", position);
  return { number: counter.number, text: lineText(region, offset, stop < 0 ? region.end : Math.min(stop, region.end)), offset };
}

/** The line from `start` to `end` (its newline or the region's end) as rules see it: at most `MAX_LINE_CHARS`, cleaned. */
function lineText(region: Region, start: number, end: number): string {
  const raw = region.text.slice(start, Math.min(end, start + MAX_LINE_CHARS));
  return cleanLine(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
}

/** Up to `count` lines before `line`, within the region, oldest first. */
function linesBefore(region: Region, line: Line, count: number): Line[] {
  const lines: Line[] = [];
  let end = line.offset - 1;
  for (let n = 1; n <= count && end >= region.start; n += 1) {
    const start = Math.max(region.start, region.text.lastIndexOf("\n", end - 1) + 1);
    lines.unshift({ number: line.number - n, text: lineText(region, start, end), offset: start });
    end = start - 1;
  }
  return lines;
}

const TIMESTAMP = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

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

/**
 * A bare host is tried only where a run of host characters starts (after a character that cannot be
 * part of one), not at every `\b` inside it: a `a.a.a…` run is then one attempt, not one per label.
 */
export const HOST_PATTERNS = [
  /lookup ([a-z0-9.-]+)/i,
  /https?:\/\/([^/\s"':]+)/i,
  /(?:^|[^\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,}|localhost)(?::\d+)?\/v2\//i,
  /(?:^|[^\w.-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?\/[a-z0-9._-]+[/:@]/i,
];

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
