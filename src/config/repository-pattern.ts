import { RE2JS, RE2JSException } from "re2js";

/**
 * A pattern a repository writes (`retry.rules[].pattern`) runs on RE2 (re2js): time linear in the
 * line, whatever the pattern. RE2's cost per character grows with the compiled program, so programs
 * are capped, one by one and together; `(?:a|b|ab){1,500}` alone would be 4,000 steps per character.
 * Compiling costs too (a config is read on every delivery), so what makes it slow is refused before
 * RE2 sees it: repetitions that expand past the cap, Unicode classes, classes past U+00FF (folding
 * `[\x{100}-\x{10FFFF}]` case-insensitively took 3 ms a class), and more than
 * `MAX_RULES_PATTERN_CHARS` of patterns in all.
 */
export const MAX_PATTERN_PROGRAM = 1000;
export const MAX_RULES_PROGRAM = 3000;
export const MAX_RULES_PATTERN_CHARS = 6000;

/** How RE2 runs a repository's patterns: case-insensitive, as they always were; no `\p{…}` classes. */
export const RE2_FLAGS = RE2JS.CASE_INSENSITIVE | RE2JS.DISABLE_UNICODE_GROUPS;

/** JavaScript's syntax (`\uXXXX`, `(?<name>…)`) in RE2's; RE2's own (`(?i)`, `[[:alpha:]]`) passes through. */
export function toRe2Syntax(pattern: string): string {
  return RE2JS.translateRegExp(pattern);
}

/** `program`: the compiled size, or 0 when it was refused before compiling. */
export type CompiledPattern = { ok: true; program: number } | { ok: false; problem: string; program: number };

// A config is parsed on every delivery; the same patterns are compiled once per process.
const checked = new Map<string, CompiledPattern>();
const CHECKED_KEPT = 1000;

/** Compiles a repository pattern as it will run, or says what it uses that RE2 cannot run, and what to write instead. */
export function checkRepositoryPattern(pattern: string): CompiledPattern {
  const known = checked.get(pattern);
  if (known) return known;
  const result = check(pattern);
  if (checked.size >= CHECKED_KEPT) checked.delete(checked.keys().next().value ?? "");
  checked.set(pattern, result);
  return result;
}

function check(pattern: string): CompiledPattern {
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) return { ok: false, problem: unsupported, program: 0 };
  let program: number;
  try {
    program = RE2JS.compile(toRe2Syntax(pattern), RE2_FLAGS).programSize();
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    return {
      ok: false,
      problem: `not a valid regular expression (${error.message}); RE2's syntax: https://github.com/google/re2/wiki/Syntax`,
      program: 0,
    };
  }
  return program > MAX_PATTERN_PROGRAM
    ? { ok: false, problem: tooLarge(`compiles to ${program} steps, more than ${MAX_PATTERN_PROGRAM}`), program }
    : { ok: true, program };
}

const tooLarge = (what: string) => `${what}: use smaller counted repetitions (e.g. \`+\` rather than \`{1,500}\`)`;

/**
 * What RE2 refuses (backreferences, lookaround: what a backtracking engine needs) or is slow to
 * compile, named so the message says what to change. Also the pattern's size with its counted
 * repetitions expanded as RE2 expands them (`x{2,5}`: two copies and three optional ones, which cost
 * two steps each), so that a pattern too large is refused before RE2 spends time on it.
 */
function unsupportedConstruct(pattern: string): string | undefined {
  // The open group: the size of what it holds, and of its last atom (for a repetition); then its parents.
  let group = { size: 0, last: 0 };
  const parents: (typeof group)[] = [];
  const atom = (size: number) => {
    group.size += size;
    group.last = size;
  };
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] ?? "";
    const next = pattern[i + 1] ?? "";
    if (c === "\\") {
      if (next >= "1" && next <= "9")
        return `uses a backreference (\`\\${next}\`), which needs backtracking; match the repeated text itself, e.g. \`(\\w+) \\w+\` rather than \`(\\w+) \\1\``;
      if (next === "k" && pattern[i + 2] === "<")
        return "uses a named backreference (`\\k<…>`), which needs backtracking; match the repeated text itself";
      if (next === "p" || next === "P")
        return `uses a Unicode class (\`\\${next}…\`), which is slow to compile; use an ASCII class such as \`[a-z]\` or \`\\w\``;
      i = escapeEnd(pattern, i);
      atom(1);
    } else if (c === "[") {
      const end = classEnd(pattern, i);
      if (/[^\0-\xff]|\\(?:u(?!00)[0-9a-f]{4}|[xu]\{0*[1-9a-f][0-9a-f]{2,}\})/i.test(pattern.slice(i, end))) {
        return "uses a character class with characters past U+00FF, which is slow to compile case-insensitively; write such characters outside a class, or use `.`";
      }
      i = end - 1;
      atom(1);
    } else if (c === "(") {
      if (next === "?" && (pattern[i + 2] === "=" || pattern[i + 2] === "!")) {
        return `uses a lookahead (\`(?${pattern[i + 2]}…)\`), which RE2 does not run; match the text that follows as part of the pattern, or drop the condition`;
      }
      if (next === "?" && pattern[i + 2] === "<" && (pattern[i + 3] === "=" || pattern[i + 3] === "!")) {
        return `uses a lookbehind (\`(?<${pattern[i + 3]}…)\`), which RE2 does not run; match the text before as part of the pattern, or drop the condition`;
      }
      parents.push(group);
      group = { size: 0, last: 0 };
    } else if (c === ")" && parents.length > 0) {
      const inner = group.size;
      group = parents.pop() ?? group;
      atom(inner);
    } else if (c === "{" && /^\{\d+(?:,\d*)?\}/.test(pattern.slice(i, i + 16))) {
      const [, min = "0", max] = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i, i + 16)) ?? [];
      const least = Number(min);
      const copies = max === undefined ? least : max === "" ? least + 1 : least + 2 * Math.max(0, Number(max) - least);
      group.size += group.last * (copies - 1);
      group.last *= copies;
      if (group.size > MAX_PATTERN_PROGRAM) return tooLarge(`repeats to more than ${MAX_PATTERN_PROGRAM} steps`);
      i = pattern.indexOf("}", i);
    } else if (c !== "|" && c !== "*" && c !== "+" && c !== "?") {
      atom(1);
    }
  }
  return undefined;
}

/** Where an escape that starts at `start` ends (its last character), `\x{…}` and `\u{…}` included. */
function escapeEnd(pattern: string, start: number): number {
  const kind = pattern[start + 1];
  if ((kind === "x" || kind === "u") && pattern[start + 2] === "{") {
    const close = pattern.indexOf("}", start);
    return close < 0 ? pattern.length - 1 : close;
  }
  return start + 1;
}

/** Just past the `]` that closes the class opened at `start` (a `]` right after `[` or `[^` is a member). */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i += 1;
  if (pattern[i] === "]") i += 1;
  for (; i < pattern.length; i += 1) {
    if (pattern[i] === "\\") i += 1;
    else if (pattern[i] === "[" && pattern[i + 1] === ":") i = Math.max(i, pattern.indexOf(":]", i + 2) + 1);
    else if (pattern[i] === "]") return i + 1;
  }
  return pattern.length;
}
