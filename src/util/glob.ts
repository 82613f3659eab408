import { RE2JS } from "re2js";

/**
 * Globs that a repository writes, matched against names strangers choose (tags, workflow names and
 * paths, artifact names) on RE2, in time linear in the name whatever the glob: as backtracking
 * expressions (what picomatch makes of them), `a*a*a*a*a*a*a*a*b` against a 60-character name took
 * seconds.
 */
export interface GlobOptions {
  /** Paths: `*` and `?` stop at `/`, `**` crosses it. Otherwise `*` is any run of characters. */
  paths?: boolean;
  /** Letters match either case. */
  nocase?: boolean;
}

/** Whether a name matches any of the globs; a glob RE2 cannot compile (`[z-a]`) matches only itself. */
export function globsMatcher(globs: readonly string[], options: GlobOptions = {}): (name: string) => boolean {
  if (globs.length === 0) return () => false;
  const compiles = (source: string) => {
    try {
      RE2JS.compile(source);
      return true;
    } catch {
      return false;
    }
  };
  const sources = globs
    .map((glob) => globToRe2(glob, options))
    .map((source, i) => (compiles(source) ? source : RE2JS.quote(globs[i] ?? "")));
  const pattern = RE2JS.compile(`^(?:${sources.join("|")})$`, options.nocase ? RE2JS.CASE_INSENSITIVE : 0);
  return (name) => pattern.test(name);
}

/**
 * A glob in RE2's syntax: `*`, `?`, `[abc]`, `[!abc]`, `{a,b}` (nested too), `\` escapes, and for
 * paths `**`; every other character is itself, as is a bracket or brace that never closes.
 */
export function globToRe2(glob: string, options: GlobOptions = {}): string {
  const any = options.paths ? "[^/]" : ".";
  let out = "";
  let depth = 0;
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] ?? "";
    if (c === "\\" && i + 1 < glob.length) {
      out += RE2JS.quote(glob[i + 1] ?? "");
      i += 1;
    } else if (c === "*" && options.paths && glob[i + 1] === "*") {
      // `**/` is any run of whole directories, none included; a bare `**` anything at all.
      const slash = glob[i + 2] === "/";
      out += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += `${any}*`;
    else if (c === "?") out += any;
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
