import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/parse-config.js";
import type { PruneConfig } from "../../src/config/schema.js";
import { parseCron } from "../../src/util/cron.js";
import { compilePruneRules } from "../../src/prune/tag-rules.js";
import { assertLinear, eachCall } from "../support/linear-time.js";

function pruneConfig(prune: Record<string, unknown>): PruneConfig {
  const parsed = parseConfig({ prune });
  assert.ok(parsed.ok);
  return parsed.config.prune;
}

describe("compilePruneRules: the repository's globs", () => {
  const rules = compilePruneRules(
    pruneConfig({
      keep: ["latest", "v*", "release-{stable,lts}-*", "sha-[0-9a-f]*", "nightly-[!x]?", "literal\\*star"],
      pullRequestTags: ["pr-{number}", "pr-{number}-*", "preview-?-{number}"],
      retention: [
        { tags: ["feature-*"], olderThanDays: 7 },
        { tags: ["{a,b}-*-rc"], olderThanDays: 1 },
      ],
    }),
  );

  const KEEP: [tag: string, kept: boolean][] = [
    ["latest", true],
    ["latest-1", false],
    ["v1.2.3", true],
    ["release-lts-4", true],
    ["release-edge-4", false],
    ["sha-0a1b", true],
    ["sha-xyz", false],
    ["nightly-a1", true],
    ["nightly-x1", false],
    ["literal*star", true],
    ["literalXstar", false],
  ];
  for (const [tag, kept] of KEEP) it(`keep ${tag}: ${kept}`, () => assert.equal(rules.keep(tag), kept));

  it("finds the PR number a tag carries, and the retention rule a tag falls under", () => {
    assert.equal(rules.pullOf("pr-12"), 12);
    assert.equal(rules.pullOf("pr-12-abc1234"), 12);
    assert.equal(rules.pullOf("preview-x-3"), 3);
    assert.equal(rules.pullOf("pr-x"), undefined);
    assert.equal(rules.retentionOf("feature-login"), 0);
    assert.equal(rules.retentionOf("b-2-rc"), 1);
    assert.equal(rules.retentionOf("c-2-rc"), undefined);
  });

  it("matches a glob RE2 cannot compile only as itself, rather than failing", () => {
    const odd = compilePruneRules(pruneConfig({ keep: ["[z-a]*"] }));
    assert.equal(odd.keep("[z-a]*"), true);
    assert.equal(odd.keep("zebra"), false);
  });

  // As picomatch's backtracking expression, this glob took 13 s against a 60-character tag.
  const stars = "a*".repeat(9) + "b";
  it(`is linear in the tag, whatever the glob (${stars})`, () => {
    const hostile = compilePruneRules(
      pruneConfig({
        keep: [stars],
        pullRequestTags: [`pr-{number}${"-*".repeat(20)}x`],
        retention: [{ tags: [stars], olderThanDays: 1 }],
      }),
    );
    assertLinear(
      eachCall("keep", (n) => "a".repeat(n), hostile.keep),
      12,
      20_000,
    );
    assertLinear(
      eachCall("retention", (n) => "a".repeat(n), hostile.retentionOf),
      12,
      20_000,
    );
    assertLinear(
      eachCall("pull request tags", (n) => `pr-1${"-".repeat(n)}`, hostile.pullOf),
      12,
      20_000,
    );
  });
});

describe("parseCron", () => {
  it("is linear in the expression", () => {
    assertLinear(
      eachCall("whitespace and a bad item", (n) => `${" ".repeat(n)}*/5 * * * ${"1-".repeat(n)}`, parseCron),
      360,
      100_000,
    );
  });
});
