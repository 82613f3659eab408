import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { OCTOKIT_SENDS } from "../../src/github/octokit-options.js";
import { MAX_TRIES, MAX_WAITS } from "../../src/queue/job-queue.js";
import { MAX_RERUN_TRIES } from "../../src/retry/request-rerun.js";
import { FakeGitHub } from "../support/fake-github.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { interceptGitHub } from "../support/nock-github.js";
import {
  addDockhandComment,
  addPr7,
  buildJob,
  buildxLog,
  DIGEST_A,
  REPO,
  SHA1,
  seedRepo,
} from "../support/scenario.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { pullRequestClosed, workflowRunCompleted } from "../support/webhooks.js";
import { addBarePackage } from "../support/tagged-registry.js";

const FULL = "octo-org/app";
const RUN = 600;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const SERVER_ERROR = { status: 502, body: { message: "Server Error" } };
const SECONDARY_LIMIT = {
  status: 403,
  headers: { "retry-after": "60" },
  body: { message: "You have exceeded a secondary rate limit." },
};
const fixture = (name: string) => readFileSync(new URL(`../fixtures/job-logs/${name}`, import.meta.url), "utf8");

/**
 * How many times one request that keeps failing is sent, counted at the fake GitHub, through the app
 * as it ships (its Octokit, its queue's tries and waits, the re-run's own tries). The bounds are those
 * docs/architecture.md states ("One retry policy").
 */
describe("how often one failing request is sent", () => {
  let fake: FakeGitHub;
  let registry: FakeRegistry;
  let stops: (() => void)[];
  let app: TestApp;

  beforeEach(async () => {
    fake = new FakeGitHub();
    registry = new FakeRegistry();
    stops = [interceptGitHub(fake), registry.intercept()];
    app = await createTestApp(fake, {
      DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token",
      DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0",
    });
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
  });
  afterEach(async () => {
    await app.close();
    for (const stop of stops.reverse()) stop();
    assert.deepEqual(fake.violations, [], "every request and fake answer matches GitHub's OpenAPI description");
  });

  /** Moves time on until nothing is left to do (the queue's backoffs, the re-run's tries, rate limits' ends). */
  async function drain(): Promise<void> {
    for (let [next] = app.queue.scheduled(); next; [next] = app.queue.scheduled())
      await app.advance(Math.max(1, next.runAt - app.clock.now()));
  }
  function report() {
    fake.setJobs(FULL, RUN, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
    return app.receive("workflow_run", runOnPr7());
  }
  function flakyRun() {
    fake.addRun(FULL, { id: RUN, workflowId: 77, headSha: SHA1, headBranch: "feature/login" });
    fake.setJobs(FULL, RUN, 1, [
      {
        id: 1,
        name: "build-and-push",
        conclusion: "failure",
        steps: [{ name: "Build and push", conclusion: "failure" }],
        log: fixture("buildx-push-502.log"),
      },
    ]);
    return app.receive("workflow_run", runOnPr7({ conclusion: "failure" }));
  }
  /** Run RUN's completion for PR #7's head. */
  function runOnPr7(overrides: Partial<Parameters<typeof workflowRunCompleted>[0]> = {}) {
    return workflowRunCompleted({
      repo: REPO,
      id: RUN,
      headSha: SHA1,
      headBranch: "feature/login",
      pullRequests: [{ number: 7, headSha: SHA1 }],
      ...overrides,
    });
  }
  const comment = () => fake.commentsOn(FULL, 7).find((c) => c.body.startsWith(REPORT_MARKER))?.body ?? "";

  it(`a read: ${OCTOKIT_SENDS.read} sends per run of the job, ${MAX_TRIES} runs: ${OCTOKIT_SENDS.read * MAX_TRIES}`, async () => {
    fake.fail("GET", /\/actions\/runs\/600\/attempts\/1\/jobs/, SERVER_ERROR, 100);
    await report();
    await drain();
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600\/attempts\/1\/jobs/), 6);
    assert.equal(OCTOKIT_SENDS.read * MAX_TRIES, 6);
  });

  it(`the re-run's read of its run: ${OCTOKIT_SENDS.read} sends per try, ${MAX_RERUN_TRIES} tries: ${OCTOKIT_SENDS.read * MAX_RERUN_TRIES}`, async () => {
    await flakyRun();
    fake.fail("GET", /\/actions\/runs\/600$/, SERVER_ERROR, 100);
    await drain();
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600$/), 10);
    assert.equal(OCTOKIT_SENDS.read * MAX_RERUN_TRIES, 10);
    assert.match(comment(), /Gave up after GitHub errors/);
  });

  it(`a re-run request: once per try, ${MAX_RERUN_TRIES} tries`, async () => {
    await flakyRun();
    fake.fail("POST", /rerun-failed-jobs$/, SERVER_ERROR, 100);
    await drain();
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), 5);
    assert.equal(MAX_RERUN_TRIES, 5);
  });

  it(`a new comment, and an edit of it: once per run of the job, ${MAX_TRIES} runs`, async () => {
    fake.fail("POST", /\/issues\/7\/comments$/, SERVER_ERROR, 100);
    await report();
    await drain();
    assert.equal(fake.countRequests("POST", /\/issues\/7\/comments$/), 3);

    addDockhandComment(fake);
    fake.fail("PATCH", /\/issues\/comments\/\d+$/, SERVER_ERROR, 100);
    await app.receive("workflow_run", runOnPr7({ id: RUN + 1 }));
    await drain();
    assert.equal(fake.countRequests("PATCH", /\/issues\/comments\/\d+$/), 3);
    assert.equal(MAX_TRIES, 3);
  });

  it(`a package version's deletion: once per run of the prune, ${MAX_TRIES} runs, then reported failed`, async () => {
    addBarePackage(fake, registry, Date.parse("2026-11-19T10:00:00Z"), [
      [11, "a1", ["pr-7"]],
      [12, "a2", ["pr-7-1111111"]],
      [13, "b1", ["pr-8"]],
    ]);
    addDockhandComment(fake);
    addPr7(fake, "2026-11-20T11:00:00Z");
    // One of the two keeps failing; the other's answer is lost once (it was deleted: the next run must still say so).
    fake.fail("DELETE", /\/versions\/11$/, SERVER_ERROR, 100);
    fake.lose("DELETE", /\/versions\/12$/);
    await app.receive(
      "pull_request",
      pullRequestClosed({ repo: REPO, number: 7, headSha: SHA1, closedAt: "2026-11-20T11:00:00Z" }),
    );
    await app.advance(DAY);
    await drain();
    assert.equal(fake.countRequests("DELETE", /\/versions\/11$/), 3);
    assert.equal(
      fake.countRequests("DELETE", /\/versions\/12$/),
      1,
      "the lost one is not sent again: it no longer lists",
    );
    assert.deepEqual(
      fake
        .packageVersions("octo-org", "app")
        .map((v) => v.id)
        .sort(),
      [11, 13],
    );
    assert.match(
      comment(),
      /deleted 1 versions? \(tags `pr-7-1111111`/,
      "the deletion whose answer was lost is still recorded",
    );
    assert.match(comment(), /1 could not be deleted now/);
  });

  it(`a rate-limited request: sent again only when the limit ends, ${MAX_WAITS} times, then the job ends`, async () => {
    await flakyRun();
    fake.fail("POST", /rerun-failed-jobs$/, SECONDARY_LIMIT, 100);
    const [rerun] = app.queue.scheduled();
    assert.ok(rerun);
    await app.advance(rerun.runAt - app.clock.now());
    for (let wait = 1; wait <= MAX_WAITS; wait += 1) {
      assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), wait);
      const [waiting] = app.queue.scheduled();
      assert.equal(waiting?.runAt, app.clock.now() + 60_000, "at retry-after, the slot free meanwhile");
      await app.advance(59_999);
      assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), wait, "not before");
      await app.advance(1);
    }
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), 1 + MAX_WAITS);
    assert.deepEqual(app.queue.scheduled(), []);
    assert.match(comment(), /Gave up after GitHub errors \(`HTTP 403/);
  });
});
