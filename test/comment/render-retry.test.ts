import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyRun, setRetryOutcome } from "../../src/comment/comment-state.js";
import type { RetryRecord } from "../../src/retry/retry-record.js";
import { BUILT_IN_RULES } from "../../src/retry/rules.js";
import { commentFor, pullKey, runReport } from "../support/comment-state.js";

const HEAD = "f".repeat(40);
const render = (state: Parameters<typeof commentFor>[0]) => commentFor(state, pullKey("o/r", 1));
const run = (attempt: number, retry: RetryRecord) =>
  runReport({
    runId: 9,
    runNumber: 9,
    attempt,
    runUrl: "https://github.com/o/r/actions/runs/9",
    conclusion: "failure",
    retry,
  });
const flaky: RetryRecord = {
  mode: "rerun",
  maxAttempts: 3,
  jobs: [
    {
      jobId: 1,
      name: "build | `push`",
      step: "Push",
      verdict: "transient",
      rule: "connection-dropped",
      operation: "push",
      line: "EOF ``` @octo-org/admins <img src=x> | [x](https://evil)",
      source: "log",
      wait: "normal",
    },
  ],
  outcome: { status: "scheduled", at: "2026-11-20T00:01:00Z" },
};

describe("the retry section", () => {
  it("shows log lines and job names as inert code, even inside a table", () => {
    const body = render(applyRun(undefined, run(1, flaky), HEAD, []));
    const row = body.split("\n").find((l) => l.startsWith("| `` build \\| `push` `` |"));
    assert.ok(row, body);
    assert.equal(row.split(/(?<!\\)\|/).length, 6, "pipes inside cells are escaped: 4 cells");
    assert.match(row, /````EOF ``` @octo-org\/admins <img src=x> \\\| \[x\]\(https:\/\/evil\)````/);
  });

  it("shows the outcome a scheduled re-run wrote, and earlier attempts as history", () => {
    let state = applyRun(undefined, run(1, flaky), HEAD, []);
    state = setRetryOutcome(state, 9, 1, { status: "requested", at: "2026-11-20T00:01:02Z" });
    state = applyRun(state, run(2, { ...flaky, outcome: { status: "stopped", reason: "attempt-cap" } }), HEAD, []);
    const body = render(state);
    assert.match(body, /\*\*Retry\*\* · Not re-run: attempt 2 is the last one/);
    assert.match(
      body,
      /Retry history \(1 earlier attempt\)[\s\S]*- attempt 1: .*→ 🔁 Re-run of the failed jobs requested at 2026-11-20 00:01 UTC \(attempt 2 of at most 3\)/,
    );
  });

  it("shows a repository's own cause and fix as inert code: no HTML, links, images or mentions", () => {
    const permanent: RetryRecord = {
      ...flaky,
      jobs: [
        {
          ...flaky.jobs[0]!,
          verdict: "permanent",
          cause: "![x](https://evil/p.png)",
          fix: "Ask @octo-org/admins <b>now</b>",
        },
      ],
      outcome: { status: "stopped", reason: "permanent" },
    };
    const body = render(applyRun(undefined, run(1, permanent), HEAD, []));
    assert.match(body, /: `!\[x\]\(https:\/\/evil\/p\.png\)` \*\*Fix:\*\* `Ask @octo-org\/admins <b>now<\/b>`/);
  });

  it("shows the built-in rules' own advice as Dockhand's markdown", () => {
    const rule = BUILT_IN_RULES.find((r) => r.cause && r.fix)!;
    const permanent: RetryRecord = {
      ...flaky,
      jobs: [{ ...flaky.jobs[0]!, verdict: "permanent", rule: rule.id, cause: rule.cause, fix: rule.fix }],
      outcome: { status: "stopped", reason: "permanent" },
    };
    const body = render(applyRun(undefined, run(1, permanent), HEAD, []));
    assert.ok(body.includes(`: ${rule.cause} **Fix:** ${rule.fix}`), body);
  });
});
