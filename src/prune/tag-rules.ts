import { RE2JS } from "re2js";
import type { PruneConfig } from "../config/schema.js";

export type PruneScope = { kind: "pull"; number: number } | { kind: "sweep" };

export interface CompiledPruneRules {
  keep: (tag: string) => boolean;
  /** The PR number a tag belongs to, if it matches a `pullRequestTags` template. */
  pullOf: (tag: string) => number | undefined;
  /** The index of the first retention rule matching a tag. */
  retentionOf: (tag: string) => number | undefined;
}

/**
 * The repository's globs run on RE2, in time linear in the tag: as backtracking expressions (which is
 * what picomatch makes of them), `a*a*a*a*a*a*a*a*b` against a 60-character tag took seconds.
 */
export function compilePruneRules(config: PruneConfig): CompiledPruneRules {
  const keep = globsMatcher(config.keep);
  const pulls = config.pullRequestTags.map((template) => RE2JS.compile(`^${template.split("{number}").map(wildcards).join("([0-9]+)")}$`));
  const retention = config.retention.map((rule) => globsMatcher(rule.tags));
  return {
    keep,
    pullOf: (tag) => {
      for (const pattern of pulls) {
        const match = pattern.exec(tag);
        if (match) return Number(match[1]);
      }
      return undefined;
    },
    retentionOf: (tag) => {
      const index = retention.findIndex((matches) => matches(tag));
      return index < 0 ? undefined : index;
    },
  };
}

/** Whether a tag matches any of the globs; a glob RE2 cannot compile (`[z-a]`) matches only itself. */
function globsMatcher(globs: readonly string[]): (tag: string) => boolean {
  if (globs.length === 0) return () => false;
  const compiles = (source: string) => {
    try {
      RE2JS.compile(source);
      return true;
    } catch {
      return false;
    }
  };
  const sources = globs.map((glob) => globToRe2(glob)).map((source, i) => (compiles(source) ? source : RE2JS.quote(globs[i] ?? "")));
  const pattern = RE2JS.compile(`^(?:${sources.join("|")})$`);
  return (tag) => pattern.test(tag);
}

/** A `pullRequestTags` piece: only `*` and `?` are special, since `{number}` claims the braces. */
function wildcards(glob: string): string {
  return [...glob].map((c) => (c === "*" ? ".*" : c === "?" ? "." : RE2JS.quote(c))).join("");
}

/**
 * A tag glob in RE2's syntax: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}` (nested too), `\` escapes; every
 * other character is itself, as is a bracket or brace that never closes. Tags have no `/`, so `*` is
 * any run of characters.
 */
export function globToRe2(glob: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] ?? "";
    if (c === "\\" && i + 1 < glob.length) {
      out += RE2JS.quote(glob[i + 1] ?? "");
      i += 1;
    } else if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[" && glob.indexOf("]", i + 2) > 0) {
      const close = glob.indexOf("]", i + 2);
      const body = glob.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      out += `[${negated ? `^${classBody(body.slice(1))}` : classBody(body)}]`;
      i = close;
    } else if (c === "{" && closingBrace(glob, i) > 0) {
      out += "(?:";
      depth += 1;
    } else if (c === "," && depth > 0) out += "|";
    else if (c === "}" && depth > 0) {
      out += ")";
      depth -= 1;
    } else out += RE2JS.quote(c);
  }
  return out;
}

/** A bracket's characters and ranges, with RE2's own class syntax (`\`, `^`, `[`, `]`) made literal. */
function classBody(body: string): string {
  return body.replace(/[\\^[\]]/g, (c) => `\\${c}`);
}

/** Where the brace opened at `open` closes, counting nested ones; -1 when it never does. */
function closingBrace(glob: string, open: number): number {
  let depth = 0;
  for (let i = open; i < glob.length; i += 1) {
    if (glob[i] === "\\") i += 1;
    else if (glob[i] === "{") depth += 1;
    else if (glob[i] === "}" && --depth === 0) return i;
  }
  return -1;
}
