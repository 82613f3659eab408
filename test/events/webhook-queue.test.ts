import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OCTOKIT_SENDS } from "../../src/github/octokit-options.js";
import { pullRequestClosedWork } from "../../src/prune/handle-pull-request-closed.js";
import { MAX_TRIES } from "../../src/queue/job-queue.js";
import { workflowRunWork } from "../../src/workflow-run/handle-workflow-run-completed.js";
import { appPerTest } from "../support/app-per-test.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";
import { pullRequestClosed, workflowRunCompleted } from "../support/webhooks.js";

describe("the webhook path queues deliveries for workers", () => {
  let fake: FakeGitHub;
  let app: TestApp;
  appPerTest((started) => {
    ({ fake, app } = started);
    seedRepo(fake);
    fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
  });

  it("queues a run attempt once, whatever the delivery ids", async () => {
    const payload = workflowRunCompleted({ repo: REPO, id: 500, headSha: SHA1, headBranch: "feature/x" });
    await app.receive("workflow_run", payload, "delivery-1");
    await app.receive("workflow_run", payload, "delivery-2");
    assert.equal(fake.countRequests("GET", /\/pulls\?/), 1, "handled once");
    assert.equal(workflowRunWork(payload), "workflow_run:1001:500:1");
    const closed = pullRequestClosed({ repo: REPO, number: 7, headSha: SHA1, closedAt: "2026-11-20T11:00:00Z" });
    assert.equal(pullRequestClosedWork(closed), "pull_request.closed:1001#7@2026-11-20T11:00:00Z");
  });

  it("retries a delivery whose handling fails, then shows it as failed", async () => {
    fake.fail("GET", /\/pulls$/, { status: 502, body: { message: "Server Error" } }, 10);
    await app.receive(
      "workflow_run",
      workflowRunCompleted({ repo: REPO, id: 501, headSha: SHA1, headBranch: "feature/x" }),
    );
    await app.advance(30_000);
    await app.advance(60_000);
    assert.equal(
      fake.countRequests("GET", /\/pulls\?/),
      OCTOKIT_SENDS.read * MAX_TRIES,
      "three tries, the read sent twice in each",
    );
    assert.ok(app.logs.some((l) => l.msg === "job failed for good" && String(l.job).startsWith("event:workflow_run")));
  });
});
