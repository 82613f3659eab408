import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import type { Octokit } from "../../src/github/octokit.js";
import { dockhandOctokit, OCTOKIT_SENDS } from "../../src/github/octokit-options.js";
import { retryAfterOf } from "../../src/queue/job-queue.js";
import { FakeGitHub } from "../support/fake-github.js";
import { interceptGitHub } from "../support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";

const FULL = "octo-org/app";
const repo = { owner: "octo-org", repo: "app" };

describe("the Octokit that ships: what it sends, and what it leaves to the job", () => {
  let fake: FakeGitHub;
  let stop: () => void;
  const octokit = (githubWriteIntervalMs = 0) =>
    new (dockhandOctokit({ githubWriteIntervalMs }))({
      auth: { token: "ghp_policy" },
      log: pino({ level: "silent" }),
    }) as unknown as Octokit;

  beforeEach(() => {
    fake = new FakeGitHub();
    stop = interceptGitHub(fake);
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.addRun(FULL, { id: 600, workflowId: 77, headSha: SHA1, headBranch: "feature/login" });
  });
  afterEach(() => {
    stop();
    assert.deepEqual(fake.violations, []);
  });

  it("sends a read GitHub failed once more, and throws after the second", async () => {
    fake.fail("GET", /\/actions\/runs\/600$/, { status: 502, body: { message: "Server Error" } });
    assert.equal((await octokit().rest.actions.getWorkflowRun({ ...repo, run_id: 600 })).status, 200);
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600$/), 2);

    fake.fail("GET", /\/actions\/runs\/600$/, { status: 503, body: { message: "Unavailable" } }, 10);
    await assert.rejects(octokit().rest.actions.getWorkflowRun({ ...repo, run_id: 600 }), { status: 503 });
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600$/) - 2, OCTOKIT_SENDS.read);
  });

  it("sends a read whose answer was lost once more", async () => {
    fake.lose("GET", /\/actions\/runs\/600$/);
    assert.equal((await octokit().rest.actions.getWorkflowRun({ ...repo, run_id: 600 })).status, 200);
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600$/), 2);
  });

  it("sends a write once, whatever GitHub answers: the job decides", async () => {
    fake.fail("POST", /rerun-failed-jobs$/, { status: 502, body: { message: "Server Error" } }, 10);
    await assert.rejects(octokit().rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: 600 }), { status: 502 });
    fake.fail("POST", /\/issues\/7\/comments$/, { status: 500, body: { message: "Server Error" } }, 10);
    await assert.rejects(octokit().rest.issues.createComment({ ...repo, issue_number: 7, body: "x" }), { status: 500 });
    fake.lose("DELETE", /\/versions\/1$/, 10);
    await assert.rejects(
      octokit().rest.packages.deletePackageVersionForOrg({
        org: "octo-org",
        package_type: "container",
        package_name: "app",
        package_version_id: 1,
      }),
    );
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), OCTOKIT_SENDS.write);
    assert.equal(fake.countRequests("POST", /\/issues\/7\/comments$/), OCTOKIT_SENDS.write);
    assert.equal(fake.countRequests("DELETE", /\/versions\/1$/), OCTOKIT_SENDS.write);
  });

  it("sends a lasting refusal once, read or write", async () => {
    fake.fail("GET", /\/actions\/runs\/600$/, { status: 404, body: { message: "Not Found" } });
    await assert.rejects(octokit().rest.actions.getWorkflowRun({ ...repo, run_id: 600 }), { status: 404 });
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600$/), 1);
  });

  it("never waits a rate limit out: the answer comes back at once, saying how long to wait", async () => {
    const started = Date.now();
    fake.fail("POST", /rerun-failed-jobs$/, {
      status: 403,
      headers: { "retry-after": "30" },
      body: { message: "You have exceeded a secondary rate limit." },
    });
    const secondary = await octokit()
      .rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: 600 })
      .catch((error: unknown) => error);
    assert.equal(retryAfterOf(secondary), 30_000);

    const reset = Math.floor(Date.now() / 1000) + 120;
    fake.fail("GET", /\/actions\/runs\/600$/, {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { message: "API rate limit exceeded" },
    });
    const primary = await octokit()
      .rest.actions.getWorkflowRun({ ...repo, run_id: 600 })
      .catch((error: unknown) => error);
    const wait = retryAfterOf(primary) ?? 0;
    assert.ok(wait > 115_000 && wait <= 122_000, `until the reset and a second: ${wait} ms`);

    fake.fail("GET", /\/actions\/runs\/600$/, { status: 429, body: { message: "Too Many Requests" } });
    const tooMany = await octokit()
      .rest.actions.getWorkflowRun({ ...repo, run_id: 600 })
      .catch((error: unknown) => error);
    assert.equal(retryAfterOf(tooMany), 60_000, "no time named: a minute");

    assert.ok(Date.now() - started < 2000, "nothing waited");
    assert.equal(fake.countRequests("POST", /rerun-failed-jobs$/), 1, "a rate-limited write is not sent again");
    assert.equal(fake.countRequests("GET", /\/actions\/runs\/600$/), 2, "nor a rate-limited read");
  });

  it("spaces one token's writes by the write interval, new comments by three times it; reads are not held", async () => {
    const client = octokit(150);
    const at = async (request: Promise<unknown>) => (await request, Date.now());
    const [first, second] = await Promise.all([
      at(client.rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: 600 })),
      at(client.rest.issues.createComment({ ...repo, issue_number: 7, body: "one" })),
    ]);
    assert.ok(Math.abs(second - first) >= 140, `writes ${Math.abs(second - first)} ms apart`);
    const [a, b] = await Promise.all([
      at(client.rest.issues.createComment({ ...repo, issue_number: 7, body: "two" })),
      at(client.rest.issues.createComment({ ...repo, issue_number: 7, body: "three" })),
    ]);
    assert.ok(Math.abs(b - a) >= 440, `new comments ${Math.abs(b - a)} ms apart`);
    const readsStarted = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => client.rest.actions.getWorkflowRun({ ...repo, run_id: 600 })));
    assert.ok(Date.now() - readsStarted < 140, "reads are not spaced");
  });
});
