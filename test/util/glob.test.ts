import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSelectedRun } from "../../src/config/select-workflow-run.js";
import { globsMatcher, type GlobOptions } from "../../src/util/glob.js";
import { assertLinear, eachCall } from "../support/linear-time.js";

/** [globs, options, name, matches] */
const cases: [string[], GlobOptions, string, boolean][] = [
  [["pr-*"], {}, "pr-12-abc1234", true],
  [["pr-*"], {}, "release-1", false],
  [["v?.*"], {}, "v1.2", true],
  [["{main,master}"], {}, "master", true],
  [["[!a]x"], {}, "bx", true],
  [["[!a]x"], {}, "ax", false],
  [["*image*"], { nocase: true }, "Docker-IMAGE.tar", true],
  [["*image*"], {}, "Docker-IMAGE.tar", false],
  [["Docker*"], {}, "Docker / build", true],
  [[".github/workflows/*.yml"], { paths: true }, ".github/workflows/ci.yml", true],
  [[".github/workflows/*.yml"], { paths: true }, ".github/workflows/sub/ci.yml", false],
  [[".github/workflows/**/*.yml"], { paths: true }, ".github/workflows/ci.yml", true],
  [[".github/workflows/**/*.yml"], { paths: true }, ".github/workflows/a/b/ci.yml", true],
  [["**"], { paths: true }, "a/b/c", true],
  [[".github/workflows/ci.yml"], { paths: true }, ".github/workflows/ci.yml", true],
  [["ci.yml"], { paths: true }, "ci_yml", false],
  [[], {}, "anything", false],
];

describe("globsMatcher", () => {
  for (const [globs, options, name, matches] of cases) {
    it(`${JSON.stringify(globs)} ${JSON.stringify(options)} ${matches ? "matches" : "does not match"} ${name}`, () => {
      assert.equal(globsMatcher(globs, options)(name), matches);
    });
  }

  // As picomatch's backtracking expressions, these took seconds against a 60-character name.
  const stars = "a*".repeat(9) + "b";
  it(`is linear in the name, whatever the glob (${stars})`, () => {
    for (const options of [{}, { paths: true }, { nocase: true }]) {
      const matches = globsMatcher([stars], options);
      assertLinear(
        eachCall(JSON.stringify(options), (n) => "a".repeat(n), matches),
        12,
        20_000,
      );
    }
  });

  it("selects a fork's workflow by name in linear time", () => {
    const selector = { events: ["pull_request"], names: [stars], paths: [`.github/${stars}`] };
    assertLinear(
      eachCall(
        "name",
        (n) => "a".repeat(n),
        (name) => isSelectedRun(selector, { event: "pull_request", name, path: `.github/${name}` }),
      ),
      12,
      20_000,
    );
  });
});
