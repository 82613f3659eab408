import type { Operation } from "../config/registry-operations.js";
import { MAX_LINE_CHARS } from "./log-line.js";
import { hostStatus, isKnownHost, type HostStatus } from "./registry-host.js";
import { repositoryMatcher, type CompiledRule, type RepositoryMatcher, type RuleSet } from "./rule-set.js";
import {
  BUILD_VERTEX,
  NOT_REGISTRY_HOSTS,
  NOT_REGISTRY_LINE,
  REGISTRY_EVIDENCE,
  REGISTRY_STEP,
  REGISTRY_VERTEX,
  RUN_OUTPUT,
  TRANSFER_PROGRESS,
  type Verdict,
} from "./rules.js";
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
export const CONTEXT_WINDOW = 10;
const MAX_EVIDENCE = 3;
const MAX_EVIDENCE_LENGTH = 400;
/** Hosts whose near misses one classification works out (each costs host × pattern steps per known pattern). */
const MAX_HOSTS_CHECKED = 64;
const KNOWN: HostStatus = { kind: "known" };
const UNKNOWN: HostStatus = { kind: "unknown" };
/** Buildkit steps remembered by number; a real build has tens, a hostile log could number millions. */
const MAX_BUILD_STEPS = 10_000;
/** Lines whose reading is remembered (about the lines of the 4 MiB the app reads). */
const MAX_REMEMBERED_LINES = 100_000;
/** This machine's names: a request to one is no registry's work by itself (a test's server, a service container). */
const LOOPBACK = /^(?:localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)(?::\d+)?$/i;
/** The host a line looks up (Go's words) or sends a request to (a URL, urllib3's pool): a known registry there is registry work. */
export const REQUEST_HOST = /\blookup ([a-z0-9.-]+)|\b[a-z][a-z0-9+.-]{0,15}:\/\/([^/\s"':]+)|\bhost='([^'\s]+)'/i;
/**
 * Lines that outline a build, after GitHub's timestamp: buildkit's `#N text` (the first one of step N
 * says what the step is), and the legacy builder's `Step 5/9 : RUN …`, ` ---> Running in …` (a command's
 * output follows) and the lines that end it (` ---> 3c4d5e`, `Removing intermediate container`,
 * `Successfully built`, `The push refers to repository`).
 */
export const BUILD_STEP_LINE =
  /^(?:\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?)?(?:#(\d{1,6}) ([^\n]{0,200})|Step \d{1,6}\/\d{1,6} : (\w+)| ---> (Running in)|( ---> [0-9a-f]|Removing intermediate container|Successfully (?:built|tagged)|The push refers to repository))/m;

/** How the classifier read a text, for `dockhand classify --explain`: what counted, what did not, and why. */
export interface Explanation {
  /** The failing step (null without GitHub's step markers): its header, and why it is registry work, if it is. */
  step: { line: number; text: string; registryWork: string | null } | null;
  /** Every rule tried, in the order tried: the repository's first. */
  rules: {
    id: string;
    origin: "built-in" | "config";
    verdict: "transient" | "permanent";
    scope: "self" | "registry";
    host?: string;
  }[];
  /** The passes over the text, in order; the first with a counted match decided. */
  passes: ExplainedPass[];
}

export interface ExplainedPass {
  name: "error lines" | "step output" | "whole text";
  lines: ExplainedLine[];
  decided: boolean;
}

export interface ExplainedLine {
  line: number;
  text: string;
  /** The host the line (or, failing that, the lines just before it) names. */
  host: { name: string; status: HostStatus["kind"]; suggestion?: string } | null;
  matches: { rule: string; verdict: "transient" | "permanent"; counted: boolean; why: string }[];
}

/**
 * Classifies a job log (whole, or its tail) or a single error line. With GitHub's `##[error]`
 * markers it looks only at the failing step: first its error lines, then, if those say nothing
 * (`Process completed with exit code 1.`), the step's output before them. Generic words (a 502,
 * a timeout, `EOF`) count only on lines that show registry work themselves, or whose buildkit step,
 * nearby lines or failing step do (`registryWork`), never on a package manager's line or a command's
 * output inside the build; host-aware rules look at the host the line names. A permanent finding
 * always beats a transient one. One pass of the built-in patterns finds candidate lines, so a large
 * text is never split into lines as a whole; a repository's patterns (RE2) are tried line by line,
 * from the failure backwards, while their time lasts. A line counts up to `MAX_LINE_CHARS`.
 */
export function classifyLog(text: string, context: LogContext, rules: RuleSet): Classification {
  return classify(text, context, rules, false).result;
}

/** `classifyLog` and, for each line some rule matched, whether it counted and why. */
export function explainLog(
  text: string,
  context: LogContext,
  rules: RuleSet,
): { result: Classification; explanation: Explanation } {
  const { result, explanation } = classify(text, context, rules, true);
  if (!explanation) throw new Error("classify did not explain");
  return { result, explanation };
}

function classify(
  text: string,
  context: LogContext,
  rules: RuleSet,
  explain: boolean,
): { result: Classification; explanation?: Explanation } {
  const { region, step } = failingRegion(text);
  const stepWork = registryStep(step?.text ?? null, context);
  const errorLines = step === null ? [] : markedLines(region, ERROR_MARK);
  const repository = repositoryMatcher(rules);
  const reader = new RegionReader(region, rules, stepWork, explain);
  const tiers: [ExplainedPass["name"], () => Line[]][] =
    errorLines.length > 0
      ? [
          ["error lines", () => errorLines.map((l) => ({ ...l, text: l.text.slice(ERROR_MARK.length) }))],
          [
            "step output",
            () => candidateLines(region, rules, repository).filter((l) => !l.text.startsWith(ERROR_MARK)),
          ],
        ]
      : [[step === null ? "whole text" : "step output", () => candidateLines(region, rules, repository)]];
  const cutShort = () => (repository.cutShort() ? { repositoryRulesCutShort: true as const } : {});
  const explanation: Explanation | undefined = explain
    ? {
        step: step && { line: step.line, text: step.header, registryWork: stepWork },
        rules: rules.rules.map((r) => ({
          id: r.id,
          origin: r.origin,
          verdict: r.verdict,
          scope: r.scope,
          ...(r.host ? { host: r.host } : {}),
        })),
        passes: [],
      }
    : undefined;
  for (const [name, tier] of tiers) {
    const explained: ExplainedLine[] | null = explanation ? [] : null;
    const findings = findingsIn(tier(), reader, repository, explained);
    const decided = decide(findings);
    if (explanation && explained) {
      markYields(explained, decided?.discounted ?? new Map());
      explanation.passes.push({ name, lines: explained, decided: decided !== undefined });
    }
    if (decided) return { result: { ...decided.result, ...cutShort() }, ...(explanation ? { explanation } : {}) };
  }
  const result: Classification = {
    verdict: "unrelated",
    rule: null,
    operation: null,
    host: null,
    evidence: errorLines.slice(0, MAX_EVIDENCE).map((l) => evidenceOf(l, l.text.slice(ERROR_MARK.length))),
    wait: "normal",
    ...cutShort(),
  };
  return { result, ...(explanation ? { explanation } : {}) };
}

/** Why the failing step is registry work (its command or name, or a failed step's name), or null. */
function registryStep(command: string | null, context: LogContext): string | null {
  const own = command === null ? null : REGISTRY_STEP.exec(command);
  if (own) return `the failing step's command shows registry work (\`${own[0]}\`)`;
  for (const step of context.failedSteps ?? []) {
    const named = REGISTRY_STEP.exec(step);
    if (named) return `the failed step "${step}" is registry work (\`${named[0]}\`)`;
  }
  return null;
}

interface Finding {
  rule: CompiledRule;
  line: Line;
  /** The line as read: its host and the lines just before it, worked out for the deciding finding only. */
  reading: LineReading;
}

/** Whether a rule's match on a line counts, and the reason either way (for `--explain`: written only then). */
type Judgement = { counted: boolean; why: string };

const COUNTED: Judgement = { counted: true, why: "" };
const NOT_COUNTED: Judgement = { counted: false, why: "" };

function findingsIn(
  candidates: Line[],
  reader: RegionReader,
  repository: RepositoryMatcher,
  explained: ExplainedLine[] | null,
): Finding[] {
  const findings: Finding[] = [];
  for (const line of candidates) {
    const own = repository.match(line.text);
    // A line the first pass found almost always matches a pattern: testing each is as cheap as one alternation of all, and says which.
    const builtIn = reader.rules.rules.filter((rule) => rule.origin === "built-in" && rule.regex.test(line.text));
    const matching = [...own, ...builtIn];
    if (matching.length === 0) continue;
    const about = reader.line(line);
    const matches: ExplainedLine["matches"] = [];
    for (const rule of matching) {
      const judged = judge(rule, about, reader);
      if (judged.counted) findings.push({ rule, line, reading: about });
      if (explained) matches.push({ rule: rule.id, verdict: rule.verdict, ...judged });
    }
    if (explained) {
      const host = about.host();
      const status = host === null ? null : reader.status(host);
      explained.push({
        line: line.number,
        text: line.text,
        host:
          host === null || status === null
            ? null
            : {
                name: host,
                status: status.kind,
                ...(status.kind === "near-miss" ? { suggestion: status.suggestion } : {}),
              },
        matches,
      });
    }
  }
  return findings;
}

function judge(rule: CompiledRule, about: LineReading, reader: RegionReader): Judgement {
  if (rule.restatesAbove) {
    const cause = about.nearby().find((earlier) => reader.otherTool(earlier));
    if (cause)
      return reader.because(
        false,
        () => `it restates the failure of line ${cause.number} just before, which is not a registry client's`,
      );
  }
  let work = "the words alone show a registry problem (scope self)";
  if (rule.scope === "registry") {
    const registry = about.registryWork();
    if (!registry.counted) return registry;
    work = registry.why;
  }
  if (!rule.host) return reader.because(true, () => work);
  const host = about.host();
  const status = host === null ? null : about.status(host);
  const named = () => `\`${host}\``;
  switch (rule.host) {
    case "known":
      return status?.kind === "known"
        ? reader.because(true, () => `${work}; ${named()} is a known registry`)
        : reader.because(false, () =>
            host === null
              ? "no host named on the line or just before it, and this rule needs a known registry"
              : `${named()} is not a known registry`,
          );
    case "known-or-unnamed":
      if (status === null) return reader.because(true, () => `${work}; no host named`);
      return status.kind === "known"
        ? reader.because(true, () => `${work}; ${named()} is a known registry`)
        : reader.because(
            false,
            () =>
              `${named()} is not a known registry: a timeout or refusal there is more often a registry that is down or misconfigured than a flake (a registry of your own counts with --registry or DOCKHAND_REGISTRIES)`,
          );
    case "unknown":
      return status !== null && status.kind !== "known"
        ? reader.because(true, () => `${work}; ${named()} is not a known registry`)
        : reader.because(false, () => (host === null ? "no host named" : `${named()} is a known registry`));
    case "near-miss":
      return status?.kind === "near-miss"
        ? reader.because(
            true,
            () =>
              `${work}; ${named()} is ${status.distance} edit${status.distance === 1 ? "" : "s"} from \`${status.suggestion}\``,
          )
        : reader.because(false, () =>
            host === null ? "no host named" : `${named()} is not one or two edits from a known registry`,
          );
  }
}

/** What one candidate line shows, each part read only when a rule asks for it (most lines never do). */
class LineReading {
  private lines: Line[] | undefined;
  private named: string | null | undefined;
  private work: Judgement | undefined;
  private asked: { host: string; status: HostStatus } | undefined;

  constructor(
    private readonly reader: RegionReader,
    readonly line: Line,
  ) {}

  /** The lines just before it (read once, when first asked). */
  nearby(): Line[] {
    return (this.lines ??= linesBefore(this.reader.region, this.line, CONTEXT_WINDOW));
  }

  /** The line's own host, or the last host named in the lines just before it. */
  host(): string | null {
    if (this.named === undefined)
      this.named =
        hostIn(this.line.text) ??
        this.nearby()
          .map((l) => hostIn(l.text))
          .findLast((h) => h !== null) ??
        null;
    return this.named;
  }

  /**
   * A host's status, remembered for the last host asked about (a line's rules ask about the same one).
   * A host the line asks for a path of distribution's storage is some registry's blob store (an S3
   * bucket, a CDN) whatever its name: known.
   */
  status(host: string): HostStatus {
    if (this.asked?.host !== host)
      this.asked = { host, status: storesBlobs(this.line.text, host) ? KNOWN : this.reader.status(host) };
    return this.asked.status;
  }

  registryWork(): Judgement {
    return (this.work ??= this.reader.registryWork(this.line, this));
  }
}

/** distribution's storage layout, which a registry's redirect to its blob store (S3, GCS, a CDN) shows in the URL's path. */
const REGISTRY_STORAGE_PATH = "/docker/registry/v2/";

/** Whether the line asks `host` for a path in a registry's storage layout (the first such URL on the line). */
function storesBlobs(text: string, host: string): boolean {
  const path = text.toLowerCase().indexOf(REGISTRY_STORAGE_PATH);
  if (path < 0) return false;
  const scheme = text.lastIndexOf("://", path);
  if (scheme < 0) return false;
  const hostEnd = text.indexOf("/", scheme + 3);
  return (
    text
      .slice(scheme + 3, hostEnd)
      .toLowerCase()
      .replace(/:\d+$/, "") === host
  );
}

/** The failing region and what is worked out about it once per classification: hosts, buildkit steps. */
class RegionReader {
  private readonly statuses = new Map<string, HostStatus>();
  private readonly packageHosts = new Map<string, boolean>();
  /** Whether the line at an offset is another tool's (NOT_REGISTRY_LINE): windows overlap, so each is tested once. */
  private readonly otherTools = new Map<number, boolean>();
  private outline: { steps: Map<string, string>; legacy: { offset: number; run: boolean; text: string }[] } | undefined;

  constructor(
    readonly region: Region,
    readonly rules: RuleSet,
    private readonly stepWork: string | null,
    private readonly explain: boolean,
  ) {}

  /** Whether a host serves packages, not images (`NOT_REGISTRY_HOSTS`), remembered like `status`. */
  servesPackages(host: string): boolean {
    const seen = this.packageHosts.get(host);
    if (seen !== undefined) return seen;
    const serves = isKnownHost(host, NOT_REGISTRY_HOSTS);
    if (this.packageHosts.size < MAX_HOSTS_CHECKED) this.packageHosts.set(host, serves);
    return serves;
  }

  /** Whether a line is another tool's than a registry client's (NOT_REGISTRY_LINE), remembered by its place. */
  otherTool(line: Line): boolean {
    const seen = this.otherTools.get(line.offset);
    if (seen !== undefined) return seen;
    const other = NOT_REGISTRY_LINE.test(line.text);
    if (this.otherTools.size < MAX_REMEMBERED_LINES) this.otherTools.set(line.offset, other);
    return other;
  }

  /** A judgement, its reason written only when explaining (most classifications never read it). */
  because(counted: boolean, why: () => string): Judgement {
    if (this.explain) return { counted, why: why() };
    return counted ? COUNTED : NOT_COUNTED;
  }

  status(host: string): HostStatus {
    const seen = this.statuses.get(host);
    if (seen) return seen;
    // Past the first hosts, only whether a host is known: a hostile log can name a new one on every line.
    if (this.statuses.size >= MAX_HOSTS_CHECKED) return isKnownHost(host, this.rules.knownHosts) ? KNOWN : UNKNOWN;
    const status = hostStatus(host, this.rules.knownHosts);
    this.statuses.set(host, status);
    return status;
  }

  line(line: Line): LineReading {
    return new LineReading(this, line);
  }

  /**
   * Whether a line's generic words are registry work: never on a package manager's line or one that
   * asks a package host; yes when the line says so itself; then by the host it asks (a known registry
   * or a near miss of one, not this machine), unless a command the image build runs printed it (its
   * own download); for such a command's output, no further; then its buildkit step, the failing step
   * and the lines before it, in that order.
   */
  registryWork(line: Line, reading: LineReading): Judgement {
    const notRegistry = NOT_REGISTRY_LINE.exec(line.text);
    if (notRegistry)
      return this.because(false, () => `the line is not a registry client's (\`${notRegistry[0].trim()}\`)`);
    const request = REQUEST_HOST.exec(line.text);
    const asked = request?.[1] ?? request?.[2] ?? request?.[3];
    if (asked !== undefined && this.servesPackages(asked))
      return this.because(false, () => `\`${asked}\` serves packages, files or caches, not images`);
    const evidence = REGISTRY_EVIDENCE.exec(line.text);
    if (evidence) return this.because(true, () => `the line shows registry work (\`${evidence[0].trim()}\`)`);
    if (asked !== undefined) {
      // The line names whom it asked: a known registry (or a near miss of one) is registry work; anyone else, with no registry words, is not.
      // Nor is this machine: a test's or a service's request to localhost is not a pull, whatever registry may listen there.
      const status = reading.status(asked);
      if (status.kind === "unknown" || LOOPBACK.test(asked))
        return this.because(
          false,
          () =>
            `the line asks \`${asked}\`, ${status.kind === "known" ? "this machine" : "which is not a known registry"}, and shows no registry work itself`,
        );
      const output = this.commandOutput(line);
      if (output !== null)
        return this.because(false, () => `${output}, which asks a registry's host without its API's words`);
      if (status.kind === "near-miss")
        return this.because(
          true,
          () => `the line looks up or asks \`${asked}\`, a near miss of \`${status.suggestion}\``,
        );
      return this.because(true, () => `the line looks up or asks a known registry (\`${asked}\`)`);
    }
    const output = this.commandOutput(line);
    if (output !== null) return this.because(false, () => `${output}: only the line's own words count`);
    const number = /^#(\d{1,6}) /.exec(line.text)?.[1];
    const title = number === undefined ? undefined : this.buildStep(number);
    if (title !== undefined) {
      if (BUILD_VERTEX.test(title))
        return this.because(
          false,
          () => `it belongs to buildkit step #${number} (\`${title}\`), which is not registry work`,
        );
      if (REGISTRY_VERTEX.test(title))
        return this.because(true, () => `it belongs to buildkit step #${number} (\`${title}\`)`);
    }
    // The step settles it before the neighbours are read: most lines of a registry step never need them.
    const stepWork = this.stepWork;
    if (stepWork !== null) return this.because(true, () => stepWork);
    for (const earlier of reading.nearby().toReversed()) {
      const shown = REGISTRY_EVIDENCE.exec(earlier.text) ?? TRANSFER_PROGRESS.exec(earlier.text);
      if (shown)
        return this.because(
          true,
          () => `line ${earlier.number} just before shows registry work (\`${shown[0].trim()}\`)`,
        );
    }
    return this.because(
      false,
      () => `no registry work on the line, in the ${CONTEXT_WINDOW} lines before it, or in the failing step`,
    );
  }

  /** Whether the line is the output of a command the image build runs, and whose (null if not). */
  private commandOutput(line: Line): string | null {
    const run = RUN_OUTPUT.exec(line.text);
    if (run) return `buildkit printed it from a command the build ran (\`${run[0].trim()}\`)`;
    const legacyRun = this.legacyRun(line.offset);
    return legacyRun === undefined ? null : `it is the output of a build step's command (\`${legacyRun}\`)`;
  }

  /** The title of buildkit step N: the text of the first `#N …` line in the region. */
  private buildStep(number: string): string | undefined {
    return this.buildOutline().steps.get(number);
  }

  /** The legacy builder's `Step N/M : RUN …` whose output a line is, if it is one. */
  private legacyRun(offset: number): string | undefined {
    const { legacy } = this.buildOutline();
    let low = 0;
    let high = legacy.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((legacy[middle]?.offset ?? Infinity) < offset) low = middle + 1;
      else high = middle;
    }
    const last = legacy[low - 1];
    return last?.run ? last.text : undefined;
  }

  /** The build's outline, read in one pass over the region the first time a line needs it. */
  private buildOutline(): NonNullable<RegionReader["outline"]> {
    if (this.outline) return this.outline;
    const outline: NonNullable<RegionReader["outline"]> = { steps: new Map(), legacy: [] };
    const lines = new RegExp(BUILD_STEP_LINE.source, "gm");
    lines.lastIndex = this.region.start;
    for (
      let match = lines.exec(this.region.text);
      match && match.index < this.region.end;
      match = lines.exec(this.region.text)
    ) {
      const [whole, step, title = "", instruction, runningIn] = match;
      if (step !== undefined) {
        if (!outline.steps.has(step) && outline.steps.size < MAX_BUILD_STEPS)
          outline.steps.set(step, title.replace(/\r$/, "").trim());
      } else if (outline.legacy.length < MAX_BUILD_STEPS) {
        const previous = outline.legacy.at(-1);
        const run =
          instruction !== undefined
            ? instruction.toUpperCase() === "RUN"
            : runningIn !== undefined && previous?.run === true;
        const end = this.region.text.indexOf("\n", match.index);
        const text = cleanLine(
          this.region.text.slice(
            match.index,
            Math.min(end < 0 ? this.region.end : end, match.index + whole.length + 200),
          ),
        ).trimEnd();
        outline.legacy.push({
          offset: match.index,
          run,
          text: run && instruction === undefined && previous ? previous.text : text,
        });
      }
    }
    this.outline = outline;
    return outline;
  }
}

/**
 * Permanent beats transient; of the winning verdict, a repository's rule before a built-in one, then
 * the rule found first names it. One pass per verdict: a log can have a finding on every line.
 */
function decide(findings: Finding[]): { result: Classification; discounted: Map<Finding, string> } | undefined {
  const ids = new Set<string>();
  for (const f of findings) ids.add(f.rule.id);
  const discounted = new Map<Finding, string>();
  for (const f of findings) {
    const over = f.rule.yieldsTo?.find((id) => ids.has(id));
    if (over) discounted.set(f, over);
  }
  for (const verdict of ["permanent", "transient"] as const) {
    let first: Finding | undefined;
    let long = false;
    const last: Line[] = [];
    for (const f of findings) {
      if (f.rule.verdict !== verdict || discounted.has(f)) continue;
      if (!first || (f.rule.origin === "config" && first.rule.origin === "built-in")) first = f;
      if (f.rule.wait === "long") long = true;
      if (last.at(-1)?.number !== f.line.number) last.push(f.line);
      if (last.length > MAX_EVIDENCE) last.shift();
    }
    if (!first) continue;
    const rule = first.rule;
    const host = first.reading.host();
    const fix = host !== null ? fixFor(rule, host, first.reading.status(host)) : rule.fix;
    return {
      result: {
        verdict,
        rule: rule.id,
        operation: rule.operation === "any" ? operationOf(first) : rule.operation,
        host,
        evidence: last.map((l) => evidenceOf(l, l.text)),
        wait: long ? "long" : "normal",
        ...(rule.cause ? { cause: rule.cause } : {}),
        ...(fix ? { fix } : {}),
      },
      discounted,
    };
  }
  return undefined;
}

/** A host one or two edits from a registry gets the name it was probably meant to be in the fix. */
function fixFor(rule: CompiledRule, host: string, status: HostStatus): string | undefined {
  if (status.kind !== "near-miss" || (rule.host !== "near-miss" && rule.host !== "unknown")) return rule.fix;
  return [`Did you mean \`${status.suggestion}\` (not \`${host}\`)?`, rule.fix].filter(Boolean).join(" ");
}

function markYields(explained: ExplainedLine[], discounted: Map<Finding, string>): void {
  for (const [finding, over] of discounted) {
    const match = explained
      .find((l) => l.line === finding.line.number)
      ?.matches.find((m) => m.rule === finding.rule.id && m.counted);
    if (match) {
      match.counted = false;
      match.why = `yields to \`${over}\`, found in the same pass (an outage's collateral)`;
    }
  }
}

/**
 * The failing step (from its `Run` header to the next step), or all of the text when it has no
 * markers (then `step` is null); `step.text` is the header group, which holds the step's command.
 */
function failingRegion(text: string): { region: Region; step: { line: number; header: string; text: string } | null } {
  const firstError = text.indexOf(ERROR_MARK);
  if (firstError < 0) return { region: { text, start: 0, end: text.length, firstLine: 1 }, step: null };
  const stepMark = text.lastIndexOf(STEP_MARK, firstError);
  const start = stepMark < 0 ? 0 : text.lastIndexOf("\n", stepMark) + 1;
  const nextStep = text.indexOf(STEP_MARK, firstError);
  const end = nextStep < 0 ? text.length : text.lastIndexOf("\n", nextStep) + 1;
  const region = { text, start, end, firstLine: countLines(text, start) + 1 };
  if (stepMark < 0) return { region, step: { line: region.firstLine, header: "", text: "" } };
  // The step's header group holds its command (e.g. the `run:` script), up to `##[endgroup]`.
  const groupEnd = text.indexOf("##[endgroup]", start);
  const headerEnd = groupEnd < 0 || groupEnd > firstError ? text.indexOf("\n", start) : groupEnd;
  const firstNewline = text.indexOf("\n", start);
  return {
    region,
    step: {
      line: region.firstLine,
      header: lineText(region, start, firstNewline < 0 ? end : firstNewline),
      text: text.slice(start, headerEnd < 0 ? end : headerEnd),
    },
  };
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
  for (let stop = endsWithNewline ? region.end - 1 : region.end; stop >= region.start && !repository.cutShort();) {
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
  for (
    let at = region.text.indexOf(marker, region.start);
    at >= 0 && at < region.end;
    at = region.text.indexOf(marker, at + marker.length)
  ) {
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
  for (let i = region.text.indexOf("\n", counter.offset); i >= 0 && i < offset; i = region.text.indexOf("\n", i + 1))
    counter.number += 1;
  counter.offset = offset;
  const stop = region.text.indexOf("\n", position);
  return {
    number: counter.number,
    text: lineText(region, offset, stop < 0 ? region.end : Math.min(stop, region.end)),
    offset,
  };
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
  return own !== "any"
    ? own
    : operationIn(
        finding.reading
          .nearby()
          .map((l) => l.text)
          .join("\n"),
      );
}

function operationIn(text: string): Operation {
  if (
    /blobs\/uploads?|upload(?:ing)? (?:the )?layer|writing blob|reuse blob|initiating layer upload|failed commit on ref "?layer|pushing (?:the )?blob/i.test(
      text,
    )
  )
    return "blob-upload";
  if (/\/token\?|bearer token|oauth token|anonymous token|failed to authorize/i.test(text)) return "token";
  if (/\/manifests\/|failed commit on ref "?(?:manifest|index)|(?:writing|uploading|reading) manifest/i.test(text))
    return "manifest";
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
  // Other resolvers' words (curl, node, apt), containers/image's ping, urllib3's pool.
  /(?:resolve host:? |enotfound |eai_again |resolving ')([a-z0-9.-]+)/i,
  /pinging container registry ([a-z0-9.-]+)/i,
  /host='([^'\s]+)'/i,
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
  return {
    line: line.number,
    text: trimmed.length > MAX_EVIDENCE_LENGTH ? `${trimmed.slice(0, MAX_EVIDENCE_LENGTH)}…` : trimmed,
  };
}
