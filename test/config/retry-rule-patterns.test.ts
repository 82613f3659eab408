import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";

const withPatterns = (...patterns: string[]) => ({
  retry: { rules: patterns.map((pattern, i) => ({ id: `rule-${i}`, verdict: "transient", pattern })) },
});

/** A config's `retry.rules[].pattern`: the key, and what the problem must say (the construct and the fix). */
const REFUSED: [pattern: string, says: RegExp][] = [
  [String.raw`(ERR\d+) .* \1`, /backreference \(`\\1`\), which needs backtracking; match the repeated text itself/],
  [String.raw`(?<code>ERR\d+) .* \k<code>`, /named backreference/],
  [
    "connection reset(?= by peer)",
    /lookahead \(`\(\?=…\)`\), which RE2 does not run; match the text that follows as part of the pattern, or drop the condition/,
  ],
  ["reset(?!ting)", /lookahead \(`\(\?!…\)`\)/],
  [
    "(?<=harbor: )timeout",
    /lookbehind \(`\(\?<=…\)`\), which RE2 does not run; match the text before as part of the pattern, or drop the condition/,
  ],
  ["(?<!harbor: )timeout", /lookbehind \(`\(\?<!…\)`\)/],
  [
    "(unclosed",
    /not a valid regular expression \(.*\); RE2's syntax: https:\/\/github\.com\/google\/re2\/wiki\/Syntax/,
  ],
  [
    "(?:a|b|ab|ba){1,500}z",
    /(compiles to \d+ steps, more than 1000|repeats to more than 1000 steps): use smaller counted repetitions/,
  ],
  [
    String.raw`\pL+ failed`,
    /uses a Unicode class \(`\\p…`\), which is slow to compile; use an ASCII class such as `\[a-z\]`/,
  ],
  [
    String.raw`[\x{100}-\x{10FFFF}]+ failed`,
    /uses a character class with characters past U\+00FF, which is slow to compile case-insensitively; write such characters outside a class, or use `\.`/,
  ],
  [String.raw`[\u0100-\uffff]`, /character class with characters past U\+00FF/],
  ["[✓✗] failed", /character class with characters past U\+00FF/],
];

/** The config is refused with one problem, on `key`, that says `message`. */
function assertRefused(raw: Parameters<typeof parseConfig>[0], key: string, message: RegExp): void {
  const parsed = parseConfig(raw);
  assert.ok(!parsed.ok);
  assert.deepEqual(
    parsed.problems.map((p) => p.key),
    [key],
  );
  assert.match(parsed.problems[0]?.message ?? "", message);
}

describe("retry.rules[].pattern", () => {
  for (const [pattern, says] of REFUSED) {
    it(`refuses ${pattern}, naming the key, the construct and the fix`, () => {
      assertRefused(withPatterns("harbor: proxy reset", pattern), "retry.rules[1].pattern", says);
    });
  }

  for (const pattern of [
    "(a+)+$",
    "(a|a)*b",
    String.raw`^(\w+\s?)*$`,
    "(.*a){12}",
    String.raw`\u001b\[31m(?<what>\w+)`,
    String.raw`ourharbor\.com.*connection reset`,
    "✓ pushed [à-ÿ]",
    String.raw`sha256:[a-f0-9]{64}`,
  ]) {
    it(`accepts ${pattern}: catastrophic in JavaScript, linear in RE2`, () => {
      assert.ok(parseConfig(withPatterns(pattern)).ok);
    });
  }

  it("refuses rules whose patterns together are too long to compile cheaply on every delivery", () => {
    assertRefused(
      withPatterns(...Array.from({ length: 13 }, (_, i) => `${"[a-z]".repeat(99)}${i}`)),
      "retry.rules",
      /the patterns together are longer than 6000 characters: use fewer or shorter patterns/,
    );
  });

  it("refuses rules whose patterns together are too large to run cheaply on every line", () => {
    assertRefused(
      withPatterns("x{900}", "y{900}", "z{900}", "w{900}"),
      "retry.rules",
      /the patterns together compile to more than 3000 steps: use fewer or shorter patterns/,
    );
  });
});
