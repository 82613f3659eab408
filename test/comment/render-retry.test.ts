import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyRun, setRerunResult, setRetryOutcome } from "../../src/comment/comment-state.js";
import type { RetryRecord } from "../../src/retry/retry-record.js";
import { BUILT_IN_RULES } from "../../src/retry/rules.js";
import { commentFor, pullKey, runReport, stateOf } from "../support/comment-state.js";

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

describe("the retry history: how each re-run ended", () => {
  const requested: RetryRecord = { ...flaky, outcome: { status: "requested", at: "2026-11-20T00:01:02Z" } };
  const history = (result: RetryRecord["rerunResult"], next: RetryRecord) => {
    let state = applyRun(undefined, run(1, requested), HEAD, []);
    state = applyRun(state, run(2, next), HEAD, []);
    return render(setRerunResult(state, 9, 1, result));
  };

  it("says the re-run fixed it, failed again the same way (naming the rule), or failed differently", () => {
    const next = { ...flaky, outcome: { status: "stopped", reason: "attempt-cap" } } as RetryRecord;
    assert.match(
      history({ attempt: 2, rules: [{ rule: "connection-dropped", outcome: "fixed" }] }, next),
      /- attempt 1: .* requested at 2026-11-20 00:01 UTC \(attempt 2 of at most 3\)\. Attempt 2: ✅ re-run fixed it\./,
    );
    assert.match(
      history({ attempt: 2, rules: [{ rule: "connection-dropped", outcome: "failed-same" }] }, next),
      /\. Attempt 2: ❌ failed again the same way \(rule `connection-dropped`\)\./,
    );
    assert.match(
      history(
        {
          attempt: 2,
          rules: [
            { rule: "a", outcome: "failed-different" },
            { rule: "b", outcome: "fixed" },
          ],
        },
        next,
      ),
      /\. Attempt 2: ❌ failed differently \(rule `a`\); re-run fixed it \(rule `b`\)\./,
    );
    assert.doesNotMatch(history({ attempt: 2, rules: [] }, next), /Attempt 2:/, "no evidence, no line");
  });

  it("shows rule names inert, whatever the state holds", () => {
    const next = { ...flaky, outcome: { status: "stopped", reason: "attempt-cap" } } as RetryRecord;
    const body = history(
      { attempt: 2, rules: [{ rule: "x` @octo-org/admins <img src=x>", outcome: "failed-same" }] },
      next,
    );
    assert.match(body, /\(rule ``x` @octo-org\/admins <img src=x>``\)/);
  });

  it("says when a rule's breaker paused its re-runs, and until when", () => {
    const paused: RetryRecord = {
      ...flaky,
      outcome: {
        status: "stopped",
        reason: "breaker",
        breaker: { rule: "registry-server-error", failures: 3, until: "2026-11-21T12:00:00.000Z" },
      },
    };
    assert.match(
      render(applyRun(undefined, run(1, paused), HEAD, [])),
      /\*\*Retry\*\* · ⏸️ Not re-run: rule `registry-server-error`'s re-runs in this repository failed the same way 3 times in a row; paused until 2026-11-21 12:00 UTC \(`retry\.breaker`\)\./,
    );
  });

  it("keeps how a re-run ended through a redelivery of the attempt it followed, and through the seal", () => {
    let state = applyRun(undefined, run(1, requested), HEAD, []);
    state = setRerunResult(state, 9, 1, { attempt: 2, rules: [{ rule: "r", outcome: "fixed" }] });
    state = applyRun(state, run(1, flaky), HEAD, []);
    assert.deepEqual(state.runs[0]?.retry?.rerunResult, { attempt: 2, rules: [{ rule: "r", outcome: "fixed" }] });
    assert.deepEqual(stateOf(render(state), pullKey("o/r", 1)), state);
  });

  it("reads a state sealed before re-run outcomes existed", () => {
    const before = applyRun(undefined, run(1, requested), HEAD, []);
    const opened = stateOf(render(before), pullKey("o/r", 1));
    assert.equal(opened?.runs[0]?.retry?.rerunResult, undefined);
    assert.deepEqual(opened, before);
  });
});
