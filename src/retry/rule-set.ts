import { BUILT_IN_RULES, KNOWN_REGISTRY_HOSTS, type Rule } from "./rules.js";

export interface CompiledRule extends Rule {
  regex: RegExp;
  origin: "built-in" | "config";
}

/** Rules ready to run: config rules first (a repository knows its own failures best), then built-ins. */
export interface RuleSet {
  rules: CompiledRule[];
  /** Every pattern in one expression: most lines match none, and are dismissed with one test. */
  any: RegExp;
  /**
   * The same, unanchored and global, to find candidate lines in a whole text in one pass; it may
   * match more than `any` (anchors dropped), never less.
   */
  scan: RegExp;
  knownHosts: string[];
}

export function compileRules(extra: readonly Rule[] = [], extraHosts: readonly string[] = []): RuleSet {
  const rules = [
    ...extra.map((rule) => ({ ...rule, regex: new RegExp(rule.pattern, "i"), origin: "config" as const })),
    ...BUILT_IN_RULES.map((rule) => ({ ...rule, regex: new RegExp(rule.pattern, "i"), origin: "built-in" as const })),
  ];
  return {
    rules,
    any: new RegExp(rules.map((rule) => `(?:${rule.pattern})`).join("|"), "i"),
    scan: new RegExp(rules.map((rule) => `(?:${unanchored(rule.pattern)})`).join("|"), "gi"),
    knownHosts: [...KNOWN_REGISTRY_HOSTS, ...extraHosts.map((h) => h.toLowerCase())],
  };
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

/** Whether a host is one of the patterns (`ghcr.io`, or `*.example.com` for its subdomains). */
export function isKnownHost(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/:\d+$/, "");
  return patterns.some((pattern) => (pattern.startsWith("*.") ? name.endsWith(pattern.slice(1)) : name === pattern));
}
