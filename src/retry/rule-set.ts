import { performance } from "node:perf_hooks";
import { RE2Set } from "re2js";
import { RE2_FLAGS, toRe2Syntax } from "../config/repository-pattern.js";
import { requiredLiterals } from "./required-literals.js";
import { BUILT_IN_RULES, KNOWN_REGISTRY_HOSTS, type Rule } from "./rules.js";

/** A built-in rule runs on V8: its pattern is fixed and written so that it cannot backtrack super-linearly. */
export type CompiledRule = Rule & ({ origin: "built-in"; regex: RegExp } | { origin: "config" });

/**
 * Wall-clock time one classification may spend on a repository's patterns. RE2 is linear, but its
 * cost per character grows with the pattern (up to `MAX_RULES_PROGRAM` steps), so a hostile pattern
 * over a 4 MiB log could still hold the event loop for seconds; past this, they are not tried further.
 */
export const REPOSITORY_RULES_BUDGET_MS = 250;

/** Rules ready to run: config rules first (a repository knows its own failures best), then built-ins. */
export interface RuleSet {
  rules: CompiledRule[];
  /** The repository's patterns as one RE2 program: one pass over a line says which of them match. */
  repository: { set: RE2Set; rules: CompiledRule[]; budgetMs: number; now: () => number } | null;
  /**
   * Global, to find candidate lines in a whole text in one pass: the strings one of which each
   * built-in pattern's every match contains (`requiredLiterals`), or the pattern itself, unanchored,
   * where it has none. It may find more lines than the patterns match, never fewer.
   */
  scan: RegExp;
  knownHosts: string[];
}

export interface RuleSetOptions {
  /** `REPOSITORY_RULES_BUDGET_MS` unless given; the CLI may allow more. */
  repositoryBudgetMs?: number;
  now?: () => number;
}

/**
 * The built-in rules and their scan never change: compiled once per process, not on every failed run
 * (3 ms a time). Shared safely: the regexes are not global, and a classification copies the scan.
 */
const BUILT_IN: CompiledRule[] = BUILT_IN_RULES.map((rule) => ({
  ...rule,
  regex: new RegExp(rule.pattern, "i"),
  origin: "built-in" as const,
}));
const BUILT_IN_SCAN = scanFor(BUILT_IN_RULES.map((rule) => rule.pattern));

export function compileRules(
  extra: readonly Rule[] = [],
  extraHosts: readonly string[] = [],
  options: RuleSetOptions = {},
): RuleSet {
  const config: CompiledRule[] = extra.map((rule) => ({ ...rule, origin: "config" as const }));
  let repository: RuleSet["repository"] = null;
  if (config.length > 0) {
    const set = new RE2Set(RE2Set.UNANCHORED, RE2_FLAGS);
    for (const rule of config) set.add(toRe2Syntax(rule.pattern));
    set.compile();
    repository = {
      set,
      rules: config,
      budgetMs: options.repositoryBudgetMs ?? REPOSITORY_RULES_BUDGET_MS,
      now: options.now ?? (() => performance.now()),
    };
  }
  return {
    rules: [...config, ...BUILT_IN],
    repository,
    scan: BUILT_IN_SCAN,
    // A host is compared without its port (`DOCKHAND_REGISTRIES` allows `host:port`), so its pattern is too.
    knownHosts: [...KNOWN_REGISTRY_HOSTS, ...extraHosts.map((h) => h.toLowerCase().replace(/:\d+$/, ""))],
  };
}

/** The repository's rules for one classification: which match a line, while their time lasts. */
export interface RepositoryMatcher {
  match(line: string): CompiledRule[];
  /** Whether time ran out, so some lines were not tried against the repository's rules. */
  cutShort(): boolean;
}

export function repositoryMatcher(rules: RuleSet): RepositoryMatcher {
  const repository = rules.repository;
  if (!repository) return { match: () => [], cutShort: () => false };
  const deadline = repository.now() + repository.budgetMs;
  // Lines found by the scan are matched again for their findings; only matches are kept.
  const seen = new Map<string, CompiledRule[]>();
  let cut = false;
  return {
    match(line) {
      const known = seen.get(line);
      if (known) return known;
      if (cut || repository.now() > deadline) {
        cut = true;
        return [];
      }
      const matching = repository.set
        .match(line)
        .sort((a, b) => a - b)
        .map((index) => repository.rules[index])
        .filter((rule) => rule !== undefined);
      if (matching.length > 0) seen.set(line, matching);
      return matching;
    },
    cutShort: () => cut,
  };
}

/** One alternation of the patterns' required strings (a string containing another is left out), and the patterns that have none. */
function scanFor(patterns: readonly string[]): RegExp {
  const literals = new Set<string>();
  const whole: string[] = [];
  for (const pattern of patterns) {
    const required = requiredLiterals(pattern);
    if (required) for (const literal of required) literals.add(literal);
    else whole.push(`(?:${unanchored(pattern)})`);
  }
  const kept = [...literals].filter(
    (literal) => ![...literals].some((other) => other !== literal && literal.includes(other)),
  );
  return new RegExp([...kept.map(escapeLiteral), ...whole].join("|"), "gi");
}

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A pattern without its line anchors (`^`, `$` outside character classes and escapes). */
function unanchored(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === "\\") {
      out += pattern.slice(i, i + 2);
      i += 1;
    } else if (inClass) {
      out += c;
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else if (c !== "^" && c !== "$") out += c;
  }
  return out;
}
