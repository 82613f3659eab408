import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { describe, it } from "node:test";
import { pino } from "pino";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { MemoryQueue } from "../../src/queue/memory-queue.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { startHttpApp } from "../support/http-app.js";
import { startHttpGitHub } from "../support/http-github.js";
import { buildJob, buildxLog, REPO, SHA1, SHA2 } from "../support/scenario.js";
import { workflowRunCompleted } from "../support/webhooks.js";
import { bareImage } from "../support/bare-manifests.js";

const SHA3 = "3".repeat(40);
const SHA4 = "4".repeat(40);
const FULL = "octo-org/app";
const stamp = "2026-11-20T11:00:00.0000000Z ";

/**
 * A push step's log as an attacker writes it: a 120 KB `a.a.a…` line (the bare-host expression
 * backtracked quadratically on it: 24 s) and a run of `a`s for the repository's own `(a+)+$` rule
 * (exponential in JavaScript), then a registry 502 and the step's failure.
 */
const HOSTILE_LOG = [
  `${stamp}##[group]Run docker push ghcr.io/octo-org/app:pr-1`,
  `${stamp}##[endgroup]`,
  `${stamp}The push refers to repository [ghcr.io/octo-org/app]`,
  `${stamp}ERROR: failed to push ${"a.".repeat(60_000)}a`,
  `${stamp}${"a".repeat(30)}!`,
  `${stamp}received unexpected HTTP status: 502 Bad Gateway`,
  `${stamp}##[error]Process completed with exit code 1.`,
].join("\n");
const CONFIG =
  "retry:\n  rules:\n    - id: a-runs\n      verdict: transient\n      pattern: '(a+)+$'\n      scope: self\n";

describe("black box: a hostile job log and a hostile repository pattern", () => {
  it("handles the hostile delivery and an ordinary one sent meanwhile, and the event loop never stalls for a second", async (t) => {
    const github = await startHttpGitHub();
    const fake = github.fake;
    const registry = new FakeRegistry();
    const served = await registry.serve();
    fake.addRepo(REPO);
    fake.setFile(FULL, ".github/dockhand.yml", CONFIG);
    const digest = registry.put(bareImage("c".repeat(64)));
    // PRs 1 and 2 (runs 501, 502) are measured; 3 and 4 (603, 604) do the same before, so that the
    // fake GitHub, which runs in this process, has compiled its OpenAPI checks for every request.
    const pulls = [
      { number: 1, sha: SHA1, run: 501, log: HOSTILE_LOG },
      { number: 2, sha: SHA2, run: 502 },
      { number: 3, sha: SHA3, run: 603, log: HOSTILE_LOG.replace(/a\.a\.[a.]*a|a{30}!/g, "x") },
      { number: 4, sha: SHA4, run: 604 },
    ];
    for (const pull of pulls) {
      fake.addPull(FULL, { number: pull.number, headRef: `b${pull.number}`, headSha: pull.sha, headRepo: REPO });
      if (pull.log) {
        fake.addRun(FULL, { id: pull.run, workflowId: 77, headSha: pull.sha, headBranch: `b${pull.number}` });
        fake.setJobs(FULL, pull.run, 1, [
          { ...buildJob(pull.number, pull.log, "failure"), steps: [{ name: "Push image", conclusion: "failure" }] },
        ]);
      } else {
        fake.setJobs(FULL, pull.run, 1, [
          buildJob(pull.number, buildxLog([`${served.host}/octo-org/app:pr-${pull.number}`], digest)),
        ]);
      }
    }
    const payload = (number: number) => {
      const pull = pulls.find((p) => p.number === number)!;
      const failed = pull.log ? { conclusion: "failure" as const } : {};
      return workflowRunCompleted({
        repo: REPO,
        id: pull.run,
        headSha: pull.sha,
        headBranch: `b${number}`,
        ...failed,
        pullRequests: [{ number, headSha: pull.sha }],
      });
    };

    const app = await startHttpApp(
      fake,
      { DOCKHAND_REGISTRIES: served.host },
      { queue: (onJob, clock) => new MemoryQueue({ clock, log: pino({ level: "silent" }), concurrency: 2, onJob }) },
    );
    const deliver = (id: string, payload: object) => app.send("workflow_run", payload, id);
    const warmUp = await Promise.all([deliver("warm-up-failed", payload(3)), deliver("warm-up-ordinary", payload(4))]);
    await app.queue.idle();

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const statuses = await Promise.all([deliver("hostile", payload(1)), deliver("ordinary", payload(2))]);
    await app.queue.idle();
    delay.disable();

    await app.stop();
    await github.close();
    await served.close();
    assert.deepEqual([...warmUp, ...statuses], [200, 200, 200, 200]);
    assert.deepEqual(fake.violations, []);
    const stallMs = delay.max / 1e6;
    t.diagnostic(`longest event-loop stall: ${stallMs.toFixed(0)} ms`);
    assert.ok(stallMs < 1000, `the event loop stalled for ${stallMs.toFixed(0)} ms`);

    const stateOfPull = (n: number) =>
      stateOf(fake.commentsOn(FULL, n).find((c) => c.body.startsWith(REPORT_MARKER))?.body ?? "", pullKey(FULL, n));
    const hostile = stateOfPull(1)?.runs.find((r) => r.runId === 501)?.retry;
    assert.equal(hostile?.jobs[0]?.verdict, "transient", "the 502 under the hostile lines is still found");
    assert.equal(hostile?.outcome.status, "scheduled");
    assert.ok(
      stateOfPull(2)?.runs.some((r) => r.runId === 502 && r.images.some((image) => image.tag === "pr-2")),
      "the ordinary delivery was handled too",
    );
  });
});
