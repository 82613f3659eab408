import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { FakeGitHub, type JobSpec, type RepoSpec } from "../support/fake-github.js";
import { startHttpApp } from "../support/http-app.js";
import { startHttpGitHub } from "../support/http-github.js";
import { interceptGitHub } from "../support/nock-github.js";
import { REPO, SHA1 } from "../support/scenario.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const FULL = "octo-org/app";
const OTHER: RepoSpec = { owner: "octo-org", name: "other", id: 1002 };
const RUN = 600;
const PULL = 7;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/job-logs/${name}`, import.meta.url), "utf8");
const PUSH_502 = fixture("buildx-push-502.log");
const DENIED = fixture("write-package-denied.log");
const HARBOR_RESET = [
  "2026-11-20T11:00:00.0000000Z ##[group]Run ./push.sh",
  "2026-11-20T11:00:01.0000000Z harbor says: proxy reset 42",
  "2026-11-20T11:00:02.0000000Z ##[error]Process completed with exit code 1.",
].join("\n");
const HARBOR_RULE =
  "retry:\n  rules:\n    - id: harbor-proxy-reset\n      verdict: transient\n      pattern: proxy reset \\d+\n      scope: self\n";

/** A job of attempt `attempt`: passed, or failed with `log`; GitHub gives each attempt's job a new id. */
function job(run: number, attempt: number, log: string | "success"): JobSpec {
  const id = run * 100 + attempt;
  if (log === "success")
    return {
      id,
      name: "build-and-push",
      conclusion: "success",
      steps: [{ name: "Build and push", conclusion: "success" }],
    };
  return {
    id,
    name: "build-and-push",
    conclusion: "failure",
    steps: [
      { name: "Checkout", conclusion: "success" },
      { name: "Build and push", conclusion: "failure" },
    ],
    log,
  };
}

interface AttemptSpec {
  repo?: RepoSpec;
  run?: number;
  pull?: number;
  branch?: string;
  completedAt: string;
}

/** Attempt `attempt` of a run on a PR completes (GitHub's state set up to match), as its webhook says. */
function completed(fake: FakeGitHub, attempt: number, log: string | "success", spec: AttemptSpec) {
  const repo = spec.repo ?? REPO;
  const full = `${repo.owner}/${repo.name}`;
  const run = spec.run ?? RUN;
  const pull = spec.pull ?? PULL;
  const branch = spec.branch ?? "feature/login";
  if (!fake.repos.has(full)) fake.addRepo(repo);
  fake.addPull(full, { number: pull, headRef: branch, headSha: SHA1, headRepo: repo });
  fake.addRun(full, {
    id: run,
    workflowId: 77,
    headSha: SHA1,
    headBranch: branch,
    attempt,
    conclusion: log === "success" ? "success" : "failure",
  });
  fake.setJobs(full, run, attempt, [job(run, attempt, log)]);
  return workflowRunCompleted({
    repo,
    id: run,
    attempt,
    headSha: SHA1,
    headBranch: branch,
    conclusion: log === "success" ? "success" : "failure",
    completedAt: spec.completedAt,
    pullRequests: [{ number: pull, headSha: SHA1 }],
  });
}

/** The attempt's time: attempt k of the first run completes k-1 ten-minute steps after 11:30. */
const minutes = (m: number) => new Date(Date.parse("2026-11-20T11:30:00Z") + m * 60_000).toISOString();

describe("re-run outcomes on workflow_run.completed", () => {
  let fake: FakeGitHub;
  let stop: () => void;
  let app: TestApp;

  beforeEach(async () => {
    fake = new FakeGitHub();
    stop = interceptGitHub(fake);
    app = await createTestApp(fake);
  });
  afterEach(async () => {
    await app.close();
    stop();
    assert.deepEqual(fake.violations, [], "every request and fake answer matches GitHub's OpenAPI description");
  });

  function comment(full = FULL, pull = PULL) {
    const found = fake.commentsOn(full, pull).find((c) => c.body.startsWith(REPORT_MARKER));
    assert.ok(found, "a report comment exists");
    return found.body;
  }
  function recordOf(attempt: number, run = RUN) {
    return stateOf(comment(), pullKey(FULL, PULL))?.runs.find((r) => r.runId === run && r.attempt === attempt)?.retry;
  }
  /** Receives the attempt, then lets any re-run it scheduled happen (within the hour after it completed). */
  async function attempt(k: number, log: string | "success", spec: AttemptSpec) {
    await app.receive("workflow_run", completed(fake, k, log, spec));
    await app.advance(Math.max(0, Date.parse(spec.completedAt) + 3_600_000 - app.clock.now()));
  }

  it("records a re-run that fixed it, and says so in the retry history", async () => {
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    await attempt(2, "success", { completedAt: minutes(10) });
    assert.deepEqual(recordOf(1)?.rerunResult, {
      attempt: 2,
      rules: [{ rule: "registry-server-error", outcome: "fixed" }],
    });
    assert.match(
      comment(),
      /- attempt 1: `build-and-push` transient `registry-server-error` → 🔁 Re-run of the failed jobs requested at .*\. Attempt 2: ✅ re-run fixed it\./,
    );
  });

  it("records a re-run that failed again the same way, and re-runs again while the breaker is closed", async () => {
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    await attempt(2, PUSH_502, { completedAt: minutes(10) });
    assert.deepEqual(recordOf(1)?.rerunResult?.rules, [{ rule: "registry-server-error", outcome: "failed-same" }]);
    assert.match(comment(), /\. Attempt 2: ❌ failed again the same way \(rule `registry-server-error`\)\./);
    assert.deepEqual(fake.reruns, [
      { runId: RUN, attempt: 2 },
      { runId: RUN, attempt: 3 },
    ]);
  });

  it("records a re-run that failed differently", async () => {
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    await attempt(2, DENIED, { completedAt: minutes(10) });
    assert.deepEqual(recordOf(1)?.rerunResult?.rules, [{ rule: "registry-server-error", outcome: "failed-different" }]);
    assert.match(comment(), /\. Attempt 2: ❌ failed differently \(rule `registry-server-error`\)\./);
  });

  it("follows only re-runs Dockhand asked for: a person's re-run of a run it did not re-run records nothing", async () => {
    await attempt(1, DENIED, { completedAt: minutes(0) });
    assert.deepEqual(fake.reruns, []);
    await attempt(2, "success", { completedAt: minutes(10) });
    assert.equal(recordOf(1)?.rerunResult, undefined);
    assert.doesNotMatch(comment(), /Attempt 2:/);
  });

  it("records the outcome with the report turned off, so that a fix still resets the breaker", async () => {
    seedConfig("report:\n  enabled: false\n");
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    await attempt(2, "success", { completedAt: minutes(10) });
    assert.deepEqual(recordOf(1)?.rerunResult?.rules, [{ rule: "registry-server-error", outcome: "fixed" }]);
  });

  it("writes nothing for a later attempt with the report off when Dockhand did not re-run it", async () => {
    seedConfig("report:\n  enabled: false\n");
    await app.receive("workflow_run", completed(fake, 2, "success", { completedAt: minutes(10) }));
    assert.equal(fake.commentsOn(FULL, PULL).length, 0);
  });

  function seedConfig(config: string) {
    fake.addRepo(REPO);
    fake.setFile(FULL, ".github/dockhand.yml", config);
  }

  it("opens the breaker on the third same failure in a row, says so on the PR, per repository, until the cooldown", async () => {
    seedConfig("retry:\n  maxAttempts: 10\n");
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    await attempt(2, PUSH_502, { completedAt: minutes(10) });
    await attempt(3, PUSH_502, { completedAt: minutes(20) });
    assert.equal(fake.reruns.length, 3, "two same failures in a row: still re-run");
    await attempt(4, PUSH_502, { completedAt: minutes(30) });
    assert.equal(fake.reruns.length, 3, "the third opens the breaker: no re-run of attempt 4");
    assert.deepEqual(recordOf(4)?.outcome, {
      status: "stopped",
      reason: "breaker",
      breaker: { rule: "registry-server-error", failures: 3, until: "2026-11-21T12:00:00.000Z" },
    });
    assert.match(
      comment(),
      /\*\*Retry\*\* · ⏸️ Not re-run: rule `registry-server-error`'s re-runs in this repository failed the same way 3 times in a row; paused until 2026-11-21 12:00 UTC \(`retry\.breaker`\)\./,
    );

    // Another repository's re-runs of the same rule are its own.
    fake.setFile("octo-org/other", ".github/dockhand.yml", "retry:\n  maxAttempts: 10\n");
    await attempt(1, PUSH_502, { repo: OTHER, run: 900, pull: 3, completedAt: minutes(40) });
    assert.deepEqual(fake.reruns.at(-1), { runId: 900, attempt: 2 });

    // A new run in this repository while paused, then one after the cooldown.
    await attempt(1, PUSH_502, { run: 610, pull: 8, branch: "feature/b", completedAt: "2026-11-21T11:59:00Z" });
    assert.match(comment(FULL, 8), /⏸️ Not re-run: rule `registry-server-error`'s re-runs/);
    assert.equal(fake.reruns.at(-1)?.runId, 900);
    await attempt(1, PUSH_502, { run: 620, pull: 9, branch: "feature/c", completedAt: "2026-11-21T12:00:00Z" });
    assert.match(comment(FULL, 9), /🔁 Re-run of the failed jobs requested/);
    assert.deepEqual(fake.reruns.at(-1), { runId: 620, attempt: 2 });
  });

  it("is reset by a re-run that fixed it", async () => {
    seedConfig("retry:\n  maxAttempts: 10\n");
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    await attempt(2, PUSH_502, { completedAt: minutes(10) });
    await attempt(3, PUSH_502, { completedAt: minutes(20) });
    await attempt(4, "success", { completedAt: minutes(30) });
    await attempt(1, PUSH_502, { run: 610, pull: 8, branch: "feature/b", completedAt: minutes(40) });
    await attempt(2, PUSH_502, { run: 610, pull: 8, branch: "feature/b", completedAt: minutes(50) });
    assert.deepEqual(fake.reruns.at(-1), { runId: 610, attempt: 3 }, "two same failures before the fix, one after");
  });

  it("can be turned off", async () => {
    seedConfig("retry:\n  maxAttempts: 10\n  breaker:\n    enabled: false\n");
    for (let k = 1; k <= 4; k += 1) await attempt(k, PUSH_502, { completedAt: minutes(10 * (k - 1)) });
    assert.deepEqual(fake.reruns.at(-1), { runId: RUN, attempt: 5 });
  });

  it("counts an attempt once when its delivery is handled again (the comment write failed after recording)", async () => {
    seedConfig("retry:\n  maxAttempts: 10\n  breaker:\n    failures: 2\n");
    await attempt(1, PUSH_502, { completedAt: minutes(0) });
    fake.fail("PATCH", /\/issues\/comments\/\d+$/, { status: 502, body: { message: "Server Error" } });
    await attempt(2, PUSH_502, { completedAt: minutes(10) });
    // Counted twice, attempt 2's one same failure would have opened a breaker of two.
    assert.equal(fake.countRequests("PATCH", /\/issues\/comments\/\d+$/) >= 3, true, "the delivery was handled again");
    assert.deepEqual(fake.reruns.at(-1), { runId: RUN, attempt: 3 });
    assert.deepEqual(recordOf(1)?.rerunResult?.rules, [{ rule: "registry-server-error", outcome: "failed-same" }]);
    assert.equal(recordOf(2)?.outcome.status, "requested");
  });
});

describe("/metrics: re-run outcomes by rule", () => {
  it("counts each outcome once, built-in rules by id and a repository's own rules as `repository`", async () => {
    const github = await startHttpGitHub();
    const fake = github.fake;
    const app = await startHttpApp(fake);
    try {
      const advance = async () => {
        await app.queue.idle();
        app.clock.advance(3_600_000);
        await app.queue.idle();
      };
      fake.addRepo(REPO);
      fake.setFile(FULL, ".github/dockhand.yml", HARBOR_RULE);
      assert.equal(await app.send("workflow_run", completed(fake, 1, PUSH_502, { completedAt: minutes(0) })), 200);
      await advance();
      const fixed = completed(fake, 2, "success", { completedAt: minutes(10) });
      // The first comment write fails: the delivery is handled again, and counted once.
      fake.fail("PATCH", /\/issues\/comments\/\d+$/, { status: 502, body: { message: "Server Error" } });
      assert.equal(await app.send("workflow_run", fixed), 200);
      await advance();
      assert.equal(await app.send("workflow_run", fixed, "a-redelivery"), 200);
      await advance();

      const harbor = { run: 610, pull: 8, branch: "feature/b" };
      await app.send("workflow_run", completed(fake, 1, HARBOR_RESET, { ...harbor, completedAt: minutes(20) }));
      await advance();
      await app.send("workflow_run", completed(fake, 2, HARBOR_RESET, { ...harbor, completedAt: minutes(30) }));
      await advance();

      const text = await (await fetch(`${app.url}/metrics`)).text();
      const lines = text.split("\n").filter((l) => l.startsWith("dockhand_retry_outcomes_total{"));
      assert.deepEqual(lines.sort(), [
        'dockhand_retry_outcomes_total{rule="registry-server-error",outcome="fixed"} 1',
        'dockhand_retry_outcomes_total{rule="repository",outcome="failed-same"} 1',
      ]);
      assert.deepEqual(fake.violations, []);
    } finally {
      await app.stop();
      await github.close();
    }
  });
});
