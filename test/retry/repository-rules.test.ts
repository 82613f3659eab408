import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyLog } from "../../src/retry/classify-log.js";
import { checkRepositoryPattern } from "../../src/config/repository-pattern.js";
import { compileRules } from "../../src/retry/rule-set.js";
import type { Rule } from "../../src/retry/rules.js";
import { asLines, assertLinear } from "../support/linear-time.js";

const rule = (pattern: string): Rule => ({
  id: "repo-rule",
  verdict: "transient",
  operation: "any",
  pattern,
  scope: "self",
});

/** Patterns that backtrack exponentially or polynomially in JavaScript, the lines that make them, a line each matches and one it does not. */
const CATASTROPHIC: [pattern: string, hostile: (n: number) => string, matching: string, other: string][] = [
  ["(a+)+$", (n) => `${"a".repeat(n)}!`, "aaaa", "aaa!"],
  ["(a|a)*b", (n) => "a".repeat(n), "aab", "aaa"],
  ["(a*)*b", (n) => "a".repeat(n), "ab", "aaa"],
  [String.raw`^(\w+\s?)+$`, (n) => `${"word ".repeat(n / 5)}!`, "two words", "two words!"],
  ["^(a|aa)+$", (n) => `${"a".repeat(n)}!`, "aaa", "aaa!"],
  ["(.*a){12}", (n) => "a".repeat(n / 2) + "b".repeat(n / 2), "a".repeat(12), "a".repeat(11)],
  ["(x+x+)+y", (n) => "x".repeat(n), "xxy", "xy"],
  [String.raw`([a-z0-9-]+\.)+[a-z]{2,}/`, (n) => "a.".repeat(n / 2), "ghcr.io/", "ghcr.i/"],
];

describe("a repository's patterns run on RE2", () => {
  for (const [pattern, hostile, matching, other] of CATASTROPHIC) {
    it(`${pattern}: accepted, matches as before, and linear in the line`, () => {
      assert.deepEqual(checkRepositoryPattern(pattern).ok, true);
      const rules = compileRules([rule(pattern)]);
      assert.equal(classifyLog(matching.toUpperCase(), {}, rules).rule, "repo-rule", "case-insensitive, as before");
      assert.equal(classifyLog(other, {}, rules).rule, null);
      assertLinear(
        asLines(pattern, hostile, (text) => classifyLog(text, {}, rules)),
        360,
        100_000,
      );
    });
  }

  it("(a+)+$ on 27 a's answers at once (it took 12–27 s in JavaScript)", () => {
    const rules = compileRules([rule("(a+)+$")]);
    const start = performance.now();
    assert.equal(classifyLog(`${"a".repeat(27)}!`, {}, rules).verdict, "unrelated");
    assert.equal(classifyLog("a".repeat(27), {}, rules).verdict, "transient");
    assert.ok(performance.now() - start < 1000);
  });

  it("accepts JavaScript's escapes and named groups, and two rules may reuse a group name", () => {
    const rules = compileRules([
      rule(String.raw`(?<what>mirr\u006fr) down`),
      { ...rule(String.raw`(?<what>proxy)\/reset`), id: "other" },
    ]);
    assert.equal(classifyLog("MIRROR down", {}, rules).rule, "repo-rule");
    assert.equal(classifyLog("proxy/reset", {}, rules).rule, "other");
  });
});

const REJECTED: [pattern: string, says: RegExp][] = [
  [String.raw`(fail)ed: \1`, /backreference \(`\\1`\).*match the repeated text itself/],
  [String.raw`(?<w>fail)ed: \k<w>`, /named backreference \(`\\k<…>`\).*match the repeated text itself/],
  ["connection reset(?= by peer)", /lookahead \(`\(\?=…\)`\).*match the text that follows as part of the pattern/],
  ["connection reset(?! by peer)", /lookahead \(`\(\?!…\)`\)/],
  ["(?<=mirror: )reset", /lookbehind \(`\(\?<=…\)`\).*match the text before as part of the pattern/],
  ["(?<!mirror: )reset", /lookbehind \(`\(\?<!…\)`\)/],
  ["(unclosed", /not a valid regular expression \(.*missing closing \)/],
  [
    "(?:a|b|ab|ba){1,500}z",
    /(compiles to \d+ steps, more than 1000|repeats to more than 1000 steps): use smaller counted repetitions/,
  ],
];

describe("patterns RE2 cannot run are refused, saying what to write instead", () => {
  for (const [pattern, says] of REJECTED) {
    it(pattern, () => {
      const checked = checkRepositoryPattern(pattern);
      assert.equal(checked.ok, false);
      assert.match(checked.ok ? "" : checked.problem, says);
    });
  }
  it("a lookahead written inside a character class is only characters", () => {
    assert.equal(checkRepositoryPattern("[(?=]x").ok, true);
  });
});

describe("the time a repository's patterns may take", () => {
  /** A clock that moves 100 ms each time it is read: the budget lasts two lines. */
  const slowClock = () => {
    let now = 0;
    return () => (now += 100);
  };
  const noise = Array.from({ length: 20 }, (_, i) => `step output ${i}`);

  it("is spent from the failure backwards, so the lines nearest it are tried first", () => {
    const rules = compileRules([rule("mirror: sync pending")], [], { now: slowClock() });
    const got = classifyLog([...noise, "mirror: sync pending"].join("\n"), {}, rules);
    assert.equal(got.rule, "repo-rule");
    assert.equal(got.repositoryRulesCutShort, true);
  });

  it("once spent, leaves the other lines to the built-in rules and says so", () => {
    const rules = compileRules([rule("mirror: sync pending")], [], { now: slowClock() });
    const got = classifyLog(
      ["mirror: sync pending", ...noise, "toomanyrequests: pull rate limit"].join("\n"),
      {},
      rules,
    );
    assert.equal(got.rule, "rate-limited");
    assert.equal(got.repositoryRulesCutShort, true);
  });
});
