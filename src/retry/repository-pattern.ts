import { RE2JS, RE2JSException } from "re2js";

/**
 * A pattern a repository writes (`retry.rules[].pattern`) runs on RE2 (re2js): time linear in the
 * line, whatever the pattern. RE2's cost per character grows with the compiled program, so programs
 * are capped, one by one and together; `(?:a|b|ab){1,500}` alone would be 4,000 steps per character.
 */
export const MAX_PATTERN_PROGRAM = 1000;
export const MAX_RULES_PROGRAM = 3000;

/** JavaScript's syntax (`\uXXXX`, `(?<name>…)`) in RE2's; RE2's own (`\pL`, `(?i)`) passes through. */
export function toRe2Syntax(pattern: string): string {
  return RE2JS.translateRegExp(pattern);
}

export type CompiledPattern = { ok: true; program: number } | { ok: false; problem: string };

/** Compiles a repository pattern case-insensitively, or says what it uses that RE2 cannot run, and what to write instead. */
export function checkRepositoryPattern(pattern: string): CompiledPattern {
  const unsupported = unsupportedConstruct(pattern);
  if (unsupported) return { ok: false, problem: unsupported };
  let program: number;
  try {
    program = RE2JS.compile(toRe2Syntax(pattern), RE2JS.CASE_INSENSITIVE).programSize();
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    return { ok: false, problem: `not a valid regular expression (${error.message}); RE2's syntax: https://github.com/google/re2/wiki/Syntax` };
  }
  if (program > MAX_PATTERN_PROGRAM) {
    return {
      ok: false,
      problem: `compiles to ${program} steps, more than ${MAX_PATTERN_PROGRAM}: use smaller counted repetitions (e.g. \`+\` rather than \`{1,500}\`)`,
    };
  }
  return { ok: true, program };
}

/**
 * Backreferences and lookaround are what a backtracking engine needs and RE2 refuses; named here so
 * the message says what to change, not only that the parser failed.
 */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && next >= "1" && next <= "9") return `uses a backreference (\`\\${next}\`), which needs backtracking; match the repeated text itself, e.g. \`(\\w+) \\w+\` rather than \`(\\w+) \\1\``;
      if (!inClass && next === "k" && pattern[i + 2] === "<") return "uses a named backreference (`\\k<…>`), which needs backtracking; match the repeated text itself";
      i += 1;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(" && pattern[i + 1] === "?") {
      const kind = pattern.slice(i + 2, i + 4);
      if (kind.startsWith("=") || kind.startsWith("!")) {
        return `uses a lookahead (\`(?${kind[0]}…)\`), which RE2 does not run; match the text that follows as part of the pattern, or drop the condition`;
      }
      if (kind === "<=" || kind === "<!") return `uses a lookbehind (\`(?${kind}…)\`), which RE2 does not run; match the text before as part of the pattern, or drop the condition`;
    }
  }
  return undefined;
}
