import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyRun, emptyState } from "../../src/comment/comment-state.js";
import { deriveStateKey, StateSeal } from "../../src/comment/seal-state.js";
import { commentFor, pullKey, runReport, testSeal } from "../support/comment-state.js";

const HEAD = "f".repeat(40);
const PULL = pullKey("octo-org/app", 7);
const state = applyRun(
  emptyState(HEAD),
  runReport({ workflowKey: "1", runId: 5, runNumber: 5, runUrl: "https://github.com/octo-org/app/actions/runs/5" }),
  HEAD,
  [],
);
const body = commentFor(state, PULL);
const stateLine = body.slice(body.lastIndexOf("\n") + 1);

describe("the sealed comment state", () => {
  it("opens what it sealed, for the same PR", () => {
    assert.deepEqual(testSeal.open(body, PULL), { status: "ok", state });
    assert.deepEqual(testSeal.open(`${body}\r\n`, PULL), { status: "ok", state }, "trailing line ends are allowed");
  });

  const refused: [string, string, "none" | "rejected"][] = [
    [
      "a state line anywhere but last (a fork's workflow name, say)",
      `${body.slice(0, body.lastIndexOf("\n"))}\n${stateLine}\nmore text`,
      "none",
    ],
    [
      "an unsealed state of the first release",
      `<!-- dockhand:report -->\n<!-- dockhand:state ${Buffer.from(JSON.stringify({ v: 1, headSha: HEAD, runs: [] })).toString("base64")} -->`,
      "none",
    ],
    ["a state sealed for another PR", commentFor(state, pullKey("octo-org/app", 8)), "rejected"],
    ["a state sealed for another repository", commentFor(state, pullKey("octo-org/other", 7)), "rejected"],
    [
      "a state sealed with another key",
      `x\n${new StateSeal(deriveStateKey("another-secret")).seal(state, PULL)}`,
      "rejected",
    ],
    ["an edited payload", body.replace(/v2 (\S)/, (_m, c: string) => `v2 ${c === "A" ? "B" : "A"}`), "rejected"],
    ["a line with extra fields", body.replace(/ -->$/, " extra -->"), "rejected"],
    ["an overlong line", `x\n<!-- dockhand:state v2 ${"A".repeat(50_000)} mac -->`, "rejected"],
  ];
  for (const [what, text, status] of refused) {
    it(`does not trust ${what}`, () => assert.equal(testSeal.open(text, PULL).status, status));
  }

  it("stops inflating a state past its bound, even one it sealed itself", () => {
    const huge = { ...state, configProblems: [{ key: "k", message: "x".repeat(2 * 1024 * 1024) }] };
    const line = testSeal.seal(huge, PULL);
    assert.ok(line.length < 40_000, "2 MiB of one letter deflates small");
    assert.deepEqual(testSeal.open(`x\n${line}`, PULL), { status: "rejected", reason: "state does not decode" });
  });
});
