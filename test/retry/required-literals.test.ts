import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { requiredLiterals } from "../../src/retry/required-literals.js";
import { compileRules } from "../../src/retry/rule-set.js";
import { BUILT_IN_RULES } from "../../src/retry/rules.js";

describe("requiredLiterals", () => {
  const cases: [string, string, string[] | null][] = [
    ["a literal", "no space left on device", ["no space left on device"]],
    ["an alternation: one string per option", "broken pipe|unexpected eof", ["broken pipe", "unexpected eof"]],
    ["the longest run of a sequence", String.raw`lookup [a-z0-9.-]+(?: on \S+)?: no such host`, [": no such host"]],
    ["an optional part ends a run", String.raw`status(?:code)?:? 403`, ["status"]],
    ["escapes are literal, anchors and \\b are not there", String.raw`(?:^|: )eof\b`, ["eof"]],
    [
      "a small class is spelled out",
      String.raw`\(5\d\d\b`,
      ["(50", "(51", "(52", "(53", "(54", "(55", "(56", "(57", "(58", "(59"],
    ],
    ["letters are lower-cased (matching is case-insensitive)", "TAG_INVALID", ["tag_invalid"]],
    ["an option with nothing required makes the whole alternation useless", String.raw`denied|\d+`, null],
    ["a string shorter than 3 characters finds too much", String.raw`ab\d+`, null],
    ["lookaround requires nothing", String.raw`(?<!x)timeout(?=s)`, ["timeout"]],
    ["a named group, a backreference or a Unicode class is not understood", String.raw`(?<n>abc)\k<n>`, null],
    ["a wide class is any character", String.raw`abc[a-z]def`, ["abc"]],
  ];
  for (const [name, pattern, expected] of cases) {
    it(name, () => assert.deepEqual(requiredLiterals(pattern), expected));
  }
});

describe("the classifier's first pass finds every line a built-in pattern matches", () => {
  const scan = new RegExp(compileRules().scan.source, "i");
  // fast-check spells matches of a pattern without `i` or `\b`; any casing, and any text around, must still be found.
  for (const rule of BUILT_IN_RULES) {
    it(rule.id, () => {
      const exact = new RegExp(rule.pattern, "i");
      const matches = fc
        .tuple(fc.string(), fc.stringMatching(new RegExp(rule.pattern.replaceAll(String.raw`\b`, ""))), fc.string())
        .chain(([before, match, after]) =>
          fc
            .array(fc.boolean(), { minLength: match.length, maxLength: match.length })
            .map((upper) => `${before}${[...match].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("")}${after}`),
        )
        .filter((line) => exact.test(line));
      fc.assert(
        fc.property(matches, (line) => scan.test(line)),
        { numRuns: 300, seed: 11 },
      );
    });
  }
});
