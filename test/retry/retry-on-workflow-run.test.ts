import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { appPerTest } from "../support/app-per-test.js";
import type { FakeGitHub, JobSpec } from "../support/fake-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { workflowRunCompleted, type RunSpec } from "../support/webhooks.js";

const FULL = "octo-org/app";
const RUN = 600;
const COMPLETED = Date.parse("2026-11-20T11:30:00Z");
const fixture = (name: string) => readFileSync(new URL(`../fixtures/job-logs/${name}`, import.meta.url), "utf8");

function failedJob(id: number, log: string, name = "build-and-push", step = "Build and push"): JobSpec {
  return {
    id,
    name,
    conclusion: "failure",
    steps: [
      { name: "Checkout", conclusion: "success" },
      { name: step, conclusion: "failure" },
    ],
    log,
  };
}

describe("retry on workflow_run.completed", () => {
  let fake: FakeGitHub;
  let app: TestApp;
  appPerTest((started) => void ({ fake, app } = started));

  /** A failed attempt of run 600 on PR 7, with the given jobs. */
  function failedRun(jobs: JobSpec[], options: { config?: string; attempt?: number; run?: Partial<RunSpec> } = {}) {
    const attempt = options.attempt ?? 1;
    if (!fake.repos.has(FULL)) seedRepo(fake, options.config);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.addRun(FULL, { id: RUN, workflowId: 77, headSha: SHA1, headBranch: "feature/login", attempt });
    fake.setJobs(FULL, RUN, attempt, jobs);
    return workflowRunCompleted({
      repo: REPO,
      id: RUN,
      attempt,
      headSha: SHA1,
      headBranch: "feature/login",
      conclusion: "failure",
      pullRequests: [{ number: 7, headSha: SHA1 }],
      ...options.run,
    });
  }
  function comment() {
    const found = fake.commentsOn(FULL, 7).find((c) => c.body.startsWith(REPORT_MARKER));
    assert.ok(found, "a report comment exists");
    return found.body;
  }
  function retryOf(attempt = 1) {
    return stateOf(comment(), pullKey(FULL, 7))?.runs.find((r) => r.runId === RUN && r.attempt === attempt)?.retry;
  }

  it("re-runs a transient push failure after the backoff, not before, and says so", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));

    const [scheduled] = app.queue.scheduled();
    assert.ok(scheduled);
    const delay = scheduled.runAt - COMPLETED;
    assert.ok(delay >= 30_000 && delay <= 60_000, `first backoff is 30–60 s after completion, got ${delay} ms`);
    assert.equal(retryOf()?.outcome.status, "scheduled");
    assert.match(comment(), /🔁 Re-running the failed jobs at 2026-11-20 11:3\d UTC \(attempt 2 of at most 3\)/);
    assert.match(
      comment(),
      /\| `build-and-push` \| `Build and push` \| 🔁 transient · `registry-server-error` \(manifest\) \| `buildx failed with: .*502 Bad Gateway` \|/,
    );

    await app.advance(scheduled.runAt - app.clock.now() - 1000);
    assert.deepEqual(fake.reruns, [], "nothing happens before the backoff ends");
    await app.advance(1000);
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    assert.equal(retryOf()?.outcome.status, "requested");
    assert.match(comment(), /🔁 Re-run of the failed jobs requested at/);
  });

  it("decides from the annotation when it carries buildx's error, without reading the log", async () => {
    const job = failedJob(1, fixture("buildx-push-502.log"));
    fake.setAnnotations(1, [
      {
        level: "failure",
        message:
          "buildx failed with: ERROR: failed to solve: failed to push ghcr.io/octo-org/app:pr-7: unexpected status from PUT request to https://ghcr.io/v2/octo-org/app/manifests/pr-7: 503 Service Unavailable",
      },
    ]);
    await app.receive("workflow_run", failedRun([job], { config: "report:\n  enabled: false\n" }));
    assert.equal(retryOf()?.jobs[0]?.source, "annotation");
    assert.equal(fake.logBytesServed, 0);
  });

  it("explains a permanent failure with its cause and fix, and does not re-run it", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("write-package-denied.log"))]));
    assert.equal(app.queue.scheduled().length, 0);
    assert.match(comment(), /⛔ Not re-run: a re-run cannot fix this failure/);
    assert.match(
      comment(),
      /> `build-and-push`: The token may not write this package\. \*\*Fix:\*\* Add `permissions: packages: write`/,
    );
    await app.advance(3_600_000);
    assert.deepEqual(fake.reruns, []);
  });

  it("explains the seeds' own failures: an empty image reference and a docker save of a tag never loaded", async () => {
    await app.receive(
      "workflow_run",
      failedRun(
        [
          failedJob(1, fixture("invalid-reference.log"), "integration", "Pull image"),
          failedJob(2, fixture("docker-save-missing.log"), "build", "Save Docker Image as Artifact"),
        ],
        {
          config: "retry:\n  mixed: rerun-transient\n",
        },
      ),
    );
    const body = comment();
    assert.match(body, /`integration`: The image reference is empty or malformed.*\*\*Fix:\*\* Print the reference/);
    assert.match(body, /`build`: `docker save` .*\*\*Fix:\*\* Build with `load: true`.*steps\.meta\.outputs\.tags/);
    assert.match(body, /⛔ Not re-run|Not re-run: the failure is not/);
    assert.deepEqual(app.queue.scheduled(), []);
  });

  it("leaves a mixed run alone by default", async () => {
    const jobs = [
      failedJob(1, fixture("buildx-push-502.log")),
      failedJob(2, fixture("test-decoys.log"), "unit tests", "Run tests"),
    ];
    await app.receive("workflow_run", failedRun(jobs));
    assert.match(comment(), /Not re-run: some jobs flaked, but others failed for another reason/);
    assert.equal(app.queue.scheduled().length, 0);
  });

  it("re-runs only the flaky job of a mixed run with mixed: rerun-transient", async () => {
    const jobs = [
      failedJob(1, fixture("buildx-push-502.log")),
      failedJob(2, fixture("test-decoys.log"), "unit tests", "Run tests"),
    ];
    await app.receive("workflow_run", failedRun(jobs, { config: "retry:\n  mixed: rerun-transient\n" }));
    assert.match(comment(), /🔁 Re-running job `build-and-push` at/);
    await app.advance(3_600_000);
    assert.deepEqual(fake.reruns, [{ runId: RUN, jobId: 1, attempt: 2 }]);
  });

  it("stops at the attempt cap", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))], { attempt: 3 }));
    assert.match(comment(), /Not re-run: attempt 3 is the last one `retry\.maxAttempts` \(3\) allows/);
    assert.equal(app.queue.scheduled().length, 0);
  });

  it("waits longer after a rate limit", async () => {
    await app.receive(
      "workflow_run",
      failedRun([failedJob(1, fixture("dockerhub-rate-limit.log"), "build", "Set up Docker Buildx")]),
    );
    const [scheduled] = app.queue.scheduled();
    assert.ok(scheduled);
    assert.equal(scheduled.runAt - COMPLETED, 1_800_000, "rate limits wait retry.backoff.rateLimitSeconds");
    assert.match(comment(), /`rate-limited`/);
    assert.match(comment(), /For Docker Hub, log in before pulling/);
  });

  it("keeps to the daily budget per repository", async () => {
    seedRepo(fake, "retry:\n  dailyBudget: 1\n");
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.addPull(FULL, { number: 8, headRef: "feature/other", headSha: SHA1, headRepo: REPO });
    fake.addRun(FULL, { id: 700, workflowId: 77, headSha: SHA1, headBranch: "feature/other" });
    fake.setJobs(FULL, 700, 1, [failedJob(5, fixture("buildx-push-502.log"))]);
    await app.receive(
      "workflow_run",
      workflowRunCompleted({
        repo: REPO,
        id: 700,
        headSha: SHA1,
        headBranch: "feature/other",
        conclusion: "failure",
        pullRequests: [{ number: 8, headSha: SHA1 }],
      }),
    );
    assert.equal(app.queue.scheduled().length, 1);
    const other = fake.commentsOn(FULL, 8)[0]?.body ?? "";
    assert.match(other, /Not re-run: this repository has used today's re-run budget/);
  });

  it("does not re-run a cancelled run, nor read its logs", async () => {
    await app.receive(
      "workflow_run",
      failedRun([failedJob(1, fixture("buildx-push-502.log"))], { run: { conclusion: "cancelled" } }),
    );
    assert.match(comment(), /Not re-run: the run was cancelled/);
    assert.equal(fake.countRequests("GET", /annotations/), 0);
    assert.equal(app.queue.scheduled().length, 0);
  });

  it("does not re-run a run that a newer run of the workflow superseded, at decision or at re-run time", async () => {
    const payload = failedRun([failedJob(1, fixture("buildx-push-502.log"))]);
    fake.addRun(FULL, {
      id: RUN + 1,
      workflowId: 77,
      headSha: SHA1,
      headBranch: "feature/login",
      status: "in_progress",
      conclusion: null,
    });
    await app.receive("workflow_run", payload);
    assert.match(comment(), /Not re-run: a newer run of this workflow exists for the branch/);

    // Run 610 was decided before a newer run started; that run starts while the re-run waits.
    fake.addRun(FULL, { id: 610, workflowId: 77, headSha: SHA1, headBranch: "feature/login" });
    fake.setJobs(FULL, 610, 1, [failedJob(5, fixture("buildx-push-502.log"))]);
    await app.receive(
      "workflow_run",
      workflowRunCompleted({
        repo: REPO,
        id: 610,
        headSha: SHA1,
        headBranch: "feature/login",
        conclusion: "failure",
        pullRequests: [{ number: 7, headSha: SHA1 }],
      }),
    );
    assert.equal(app.queue.scheduled().length, 1);
    fake.addRun(FULL, {
      id: 611,
      workflowId: 77,
      headSha: SHA1,
      headBranch: "feature/login",
      status: "in_progress",
      conclusion: null,
    });
    await app.advance(3_600_000);
    assert.deepEqual(fake.reruns, []);
    assert.match(comment(), /Not re-run: a newer run of this workflow exists/);
  });

  it("re-runs once for a redelivered webhook, and once for two replicas", async () => {
    const payload = failedRun([failedJob(1, fixture("buildx-push-502.log"))]);
    await app.receive("workflow_run", payload, "delivery-a");
    await app.receive("workflow_run", payload, "delivery-a");
    assert.equal(app.queue.scheduled().length, 1);
    const replica = await createTestApp(fake);
    await replica.receive("workflow_run", payload, "delivery-a");
    assert.equal(replica.queue.scheduled().length, 1);

    await Promise.all([app.advance(3_600_000), replica.advance(3_600_000)]);
    await app.receive("workflow_run", payload, "delivery-a");
    await app.advance(3_600_000);
    await replica.queue.close();
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    assert.equal(fake.commentsOn(FULL, 7).length, 1);
    assert.match(comment(), /Re-run of the failed jobs requested|already been re-run/);
  });

  it("tries again when GitHub says the workflow is already running", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.fail("POST", /rerun-failed-jobs$/, {
      status: 403,
      body: { message: "This workflow is already running", documentation_url: "https://docs.github.com/rest" },
    });
    await app.advance(60_000);
    assert.deepEqual(fake.reruns, []);
    assert.equal(app.queue.scheduled().length, 1, "asked again later");
    await app.advance(60_000);
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
  });

  it("gives up, and says so, when GitHub says the run cannot be retried", async () => {
    const payload = failedRun([failedJob(1, fixture("buildx-push-502.log"))]);
    fake.addRun(FULL, { id: RUN, workflowId: 77, headSha: SHA1, headBranch: "feature/login", retriable: false });
    await app.receive("workflow_run", payload);
    await app.advance(3_600_000);
    assert.deepEqual(fake.reruns, []);
    assert.equal(app.queue.scheduled().length, 0);
    assert.match(comment(), /⛔ GitHub refused the re-run \(`HTTP 403: This workflow run cannot be retried/);
  });

  it("gives up on a run GitHub says is over a month old", async () => {
    const payload = failedRun([failedJob(1, fixture("buildx-push-502.log"))]);
    fake.addRun(FULL, {
      id: RUN,
      workflowId: 77,
      headSha: SHA1,
      headBranch: "feature/login",
      createdAt: "2026-10-01T00:00:00Z",
    });
    await app.receive("workflow_run", payload);
    await app.advance(3_600_000);
    assert.match(
      comment(),
      /GitHub refused the re-run \(`HTTP 403: Unable to retry this workflow run because it was created over a month ago/,
    );
  });

  it("does not schedule a re-run that would fall past GitHub's 30-day window", async () => {
    await app.receive(
      "workflow_run",
      failedRun([failedJob(1, fixture("buildx-push-502.log"))], { run: { createdAt: "2026-10-21T11:29:30Z" } }),
    );
    assert.match(comment(), /Not re-run: GitHub re-runs a run only within 30 days of its start/);
    assert.equal(app.queue.scheduled().length, 0);
  });

  it("backs off on GitHub 5xx answers and gives up after five tries", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.fail("POST", /rerun-failed-jobs$/, { status: 502, body: { message: "Server Error" } }, 2);
    await app.advance(60_000);
    await app.advance(60_000);
    await app.advance(120_000);
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }], "the third try got through");
  });

  it("counts a re-run whose answer was lost as requested, and does not ask again", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.lose("POST", /rerun-failed-jobs$/);
    for (let i = 0; i < 4; i += 1) await app.advance(3_600_000);
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), 1, "asked once: the next try saw the new attempt");
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    assert.equal(retryOf()?.outcome.status, "requested");
  });

  it("asks again after a secondary rate limit rather than giving up", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.fail("POST", /rerun-failed-jobs$/, {
      status: 403,
      headers: { "retry-after": "60" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    for (let i = 0; i < 4; i += 1) await app.advance(3_600_000);
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    assert.equal(retryOf()?.outcome.status, "requested");
  });

  it("writes the outcome down when the comment write failed after the re-run, without asking again", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.fail("PATCH", /\/issues\/comments\/\d+$/, { status: 502, body: { message: "Server Error" } });
    const [scheduled] = app.queue.scheduled();
    assert.ok(scheduled);
    await app.advance(scheduled.runAt - app.clock.now());
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    assert.equal(retryOf()?.outcome.status, "scheduled", "the first write of the outcome failed");
    for (let i = 0; i < 4; i += 1) await app.advance(3_600_000);
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), 1);
    assert.equal(retryOf()?.outcome.status, "requested", "not 'someone else re-ran it'");
  });

  it("queues the re-run only once the comment shows the decision, so its outcome has a place to go", async () => {
    fake.fail("POST", /\/issues\/7\/comments$/, { status: 502, body: { message: "Server Error" } }, 2);
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    assert.deepEqual(
      app.queue.scheduled().map((j) => j.kind),
      ["event"],
      "no re-run queued while the comment is not written",
    );
    for (let i = 0; i < 4; i += 1) await app.advance(60_000);
    assert.deepEqual(fake.reruns, [{ runId: RUN, attempt: 2 }]);
    assert.equal(retryOf()?.outcome.status, "requested");
  });

  it("gives up after five 5xx answers, and says so", async () => {
    await app.receive("workflow_run", failedRun([failedJob(1, fixture("buildx-push-502.log"))]));
    fake.fail("POST", /rerun-failed-jobs$/, { status: 503, body: { message: "Unavailable" } }, 10);
    for (let i = 0; i < 6; i += 1) await app.advance(3_600_000);
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), 5);
    assert.deepEqual(fake.reruns, []);
    assert.match(comment(), /Gave up after GitHub errors \(`HTTP 503/);
  });

  it("decides and reports in dry-run, and re-runs nothing", async () => {
    await app.receive(
      "workflow_run",
      failedRun([failedJob(1, fixture("buildx-push-502.log"))], { config: "retry:\n  mode: dry-run\n" }),
    );
    assert.match(comment(), /🧪 Dry run: would re-run the failed jobs at 2026-11-20 11:3\d UTC/);
    assert.equal(app.queue.scheduled().length, 0);
    await app.advance(3_600_000);
    assert.deepEqual(fake.reruns, []);
  });

  it("reads only the tail of a log too large to read whole", async () => {
    const noise = Array.from(
      { length: 200_000 },
      (_, i) => `2026-11-20T11:00:00.0000000Z #9 ${i} compiling module ${"x".repeat(60)}`,
    ).join("\n");
    const big = `2026-11-20T10:59:00.0000000Z ##[group]Run actions/checkout@v4\n${noise}\n${fixture("buildx-push-502.log")}`;
    await app.receive("workflow_run", failedRun([failedJob(1, big)], { config: "report:\n  enabled: false\n" }));
    assert.ok(big.length > 15_000_000);
    assert.ok(fake.logBytesServed <= 64 * 1024, `read ${fake.logBytesServed} of ${big.length} bytes`);
    assert.equal(retryOf()?.jobs[0]?.rule, "registry-server-error");
  });

  it("reads further back when the failing step's start is not in the tail", async () => {
    const longStep = Array.from(
      { length: 20_000 },
      (_, i) => `2026-11-20T11:00:00.0000000Z #12 pushing layer ${i} ${"y".repeat(40)}`,
    ).join("\n");
    const log = [
      "2026-11-20T11:00:00.0000000Z ##[group]Run docker push ghcr.io/octo-org/app:pr-7",
      "2026-11-20T11:00:00.0000000Z ##[endgroup]",
      longStep,
      "2026-11-20T11:09:00.0000000Z EOF",
      "2026-11-20T11:09:00.0000000Z ##[error]Process completed with exit code 1.",
    ].join("\n");
    await app.receive(
      "workflow_run",
      failedRun([failedJob(1, log, "publish", "Publish")], { config: "report:\n  enabled: false\n" }),
    );
    assert.ok(fake.logBytesServed > 64 * 1024 && fake.logBytesServed <= 4 * 1024 * 1024 + 64 * 1024);
    assert.equal(retryOf()?.jobs[0]?.verdict, "transient");
  });

  it("never re-runs a fork's run", async () => {
    seedRepo(fake);
    const FORK = { owner: "outsider", name: "app", id: 2002 };
    fake.addPull(FULL, { number: 9, headRef: "main", headSha: SHA1, headRepo: FORK });
    fake.setJobs(FULL, RUN, 1, [failedJob(1, fixture("buildx-push-502.log"))]);
    await app.receive(
      "workflow_run",
      workflowRunCompleted({
        repo: REPO,
        headRepo: FORK,
        id: RUN,
        headSha: SHA1,
        headBranch: "main",
        conclusion: "failure",
        pullRequests: [],
      }),
    );
    assert.equal(app.queue.scheduled().length, 0);
    assert.equal(fake.countRequests("GET", /annotations|\/jobs/), 0);
  });

  it("does nothing but report while the config is invalid", async () => {
    await app.receive(
      "workflow_run",
      failedRun([failedJob(1, fixture("buildx-push-502.log"))], { config: "retry:\n  maxAttempts: 99\n" }),
    );
    assert.match(comment(), /`retry\.maxAttempts`: `Too big/);
    assert.equal(app.queue.scheduled().length, 0);
  });
});
