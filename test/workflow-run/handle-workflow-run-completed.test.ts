import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { OCTOKIT_SENDS } from "../../src/github/octokit-options.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { appPerTest } from "../support/app-per-test.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { buildJob, buildxLog, DIGEST_A, DIGEST_B, FORK, REPO, SHA1, SHA2, seedRepo } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const FULL = "octo-org/app";

describe("report on workflow_run.completed", () => {
  let fake: FakeGitHub;
  let app: TestApp;
  appPerTest((started) => void ({ fake, app } = started));

  function sameRepoRun(overrides: Partial<Parameters<typeof workflowRunCompleted>[0]> = {}) {
    return workflowRunCompleted({
      repo: REPO,
      id: 500,
      headSha: SHA1,
      headBranch: "feature/login",
      pullRequests: [{ number: 7, headSha: SHA1 }],
      ...overrides,
    });
  }
  /** A fork's run: GitHub lists no PRs on it. */
  function forkRun(overrides: Partial<Parameters<typeof workflowRunCompleted>[0]> = {}) {
    return sameRepoRun({ headRepo: FORK, id: 501, headBranch: "main", pullRequests: [], ...overrides });
  }
  function reportComments(issue = 7) {
    return fake.commentsOn(FULL, issue).filter((c) => c.body.startsWith(REPORT_MARKER));
  }

  it("reports pushed images, artifacts and commands for a same-repo PR", async () => {
    seedRepo(fake, "report:\n  expectedTags: ['pr-{number}', 'pr-{number}-{sha7}']\n");
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [
      buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7", "ghcr.io/octo-org/app:pr-7-1111111"], DIGEST_A)),
      { id: 2, name: "unit tests", conclusion: "success", log: "ok 1 - adds\n" },
    ]);
    fake.setArtifacts(500, [{ id: 91, name: "docker-image", size_in_bytes: 123_456_789, digest: DIGEST_B }]);

    await app.receive("workflow_run", sameRepoRun());

    const [comment, ...rest] = reportComments();
    assert.ok(comment);
    assert.equal(rest.length, 0);
    assert.equal(comment.appId, fake.app.id);
    assert.match(comment.body, /`ghcr\.io\/octo-org\/app:pr-7`/);
    assert.match(comment.body, /docker pull ghcr\.io\/octo-org\/app@sha256:a{64}/);
    assert.match(
      comment.body,
      /gh run download 500 -R octo-org\/app -n docker-image -D docker-image && docker load -i docker-image\/\*\.tar\*/,
    );
    assert.match(
      comment.body,
      /\[`docker-image`\]\(https:\/\/github\.com\/octo-org\/app\/actions\/runs\/500\/artifacts\/91\)/,
    );
    assert.match(comment.body, /117\.7 MB/);
    assert.match(comment.body, /✅ `ghcr\.io\/octo-org\/app:pr-7-1111111`/);
    // ghcr.io is not reachable from tests: said plainly, not fatal.
    assert.match(comment.body, /could not check/);
    const state = stateOf(comment.body, pullKey(FULL, 7));
    assert.equal(state?.runs.length, 1);
    assert.equal(state?.runs[0]?.images[0]?.digest, DIGEST_A);
  });

  it("says a fork PR cannot push, points to the artifact, and reads no logs", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 8, headRef: "main", headSha: SHA1, headRepo: FORK });
    fake.setJobs(FULL, 501, 1, [buildJob(1, buildxLog(["ghcr.io/evil/x:pr-8"], DIGEST_A))]);
    fake.setArtifacts(501, [{ id: 92, name: "image.tar", size_in_bytes: 2048 }]);

    await app.receive("workflow_run", forkRun());

    const [comment] = reportComments(8);
    assert.ok(comment);
    assert.match(comment.body, /comes from a fork/);
    assert.match(comment.body, /docker load -i image\.tar\/\*\.tar\*/);
    assert.doesNotMatch(comment.body, /evil/);
    assert.equal(fake.countRequests("GET", /\/jobs/), 0, "fork logs are not read");
  });

  it("says a Dependabot PR cannot push", async () => {
    seedRepo(fake);
    fake.addPull(FULL, {
      number: 9,
      headRef: "dependabot/npm/x-1.2",
      headSha: SHA1,
      headRepo: REPO,
      user: "dependabot[bot]",
    });
    fake.setArtifacts(502, []);
    await app.receive(
      "workflow_run",
      sameRepoRun({ id: 502, headBranch: "dependabot/npm/x-1.2", actor: "dependabot[bot]" }),
    );
    assert.match(reportComments(9)[0]?.body ?? "", /Dependabot PR: its workflows get a read-only token/);
  });

  it("keeps one section per workflow when two workflows report on one PR", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
    fake.setJobs(FULL, 600, 1, [buildJob(2, buildxLog(["ghcr.io/octo-org/worker:pr-7"], DIGEST_B))]);

    await app.receive("workflow_run", sameRepoRun());
    await app.receive(
      "workflow_run",
      sameRepoRun({ id: 600, name: "Worker image", path: ".github/workflows/worker.yml", workflowId: 78 }),
    );

    const comments = reportComments();
    assert.equal(comments.length, 1);
    assert.match(comments[0]!.body, /#### `CI`/);
    assert.match(comments[0]!.body, /#### `Worker image`/);
    assert.match(comments[0]!.body, /worker:pr-7/);
    assert.match(comments[0]!.body, /app:pr-7/);
  });

  it("shows a re-run attempt as the current result and keeps the first attempt as history", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, "error: failed to push: 502 Bad Gateway", "failure")]);
    fake.setJobs(FULL, 500, 2, [buildJob(3, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);

    await app.receive("workflow_run", sameRepoRun({ conclusion: "failure" }));
    await app.receive("workflow_run", sameRepoRun({ attempt: 2 }));

    const body = reportComments()[0]!.body;
    assert.match(body, /#### `CI` \[run #500, attempt 2\]/);
    assert.match(body, /Earlier runs \(1\)/);
    assert.match(body, /- `CI` \[run #500\]\(.*\) · ❌ failure/);
  });

  it("keeps the image an earlier attempt pushed, with its commands, when a later attempt on the same commit fails without pushing", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
    fake.setJobs(FULL, 500, 2, [
      buildJob(
        3,
        'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
        "failure",
      ),
    ]);

    await app.receive("workflow_run", sameRepoRun());
    await app.receive("workflow_run", sameRepoRun({ attempt: 2, conclusion: "failure" }));

    const [current = "", earlier = ""] = reportComments()[0]!.body.split("Earlier runs");
    assert.match(current, /#### `CI` \[run #500, attempt 2\].*❌ failure/);
    assert.match(current, /Latest images for this commit\*\*, pushed by \[run #500\]/);
    assert.match(current, /`ghcr\.io\/octo-org\/app:pr-7`/);
    assert.match(current, /docker pull ghcr\.io\/octo-org\/app@sha256:a{64}/);
    assert.match(earlier, /run #500\]/);
  });

  it("never lets a late run for an older commit overwrite the newer result", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA2, headRepo: REPO });
    fake.setJobs(FULL, 700, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_B))]);
    fake.setJobs(FULL, 500, 1, [buildJob(2, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);

    await app.receive("workflow_run", sameRepoRun({ id: 700, headSha: SHA2 }));
    await app.receive("workflow_run", sameRepoRun({ id: 500, headSha: SHA1 }));

    const body = reportComments()[0]!.body;
    const [current, earlier = ""] = body.split("Earlier runs");
    assert.match(current!, /run #700/);
    assert.match(current!, /sha256:bbbbbbbbbbbb/);
    assert.doesNotMatch(current!, /sha256:aaaaaaaaaaaa/);
    assert.match(earlier, /run #500.*superseded by a newer commit/);
  });

  it("shows a run for an old head as superseded when nothing newer exists yet", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA2, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
    await app.receive("workflow_run", sameRepoRun());
    assert.match(reportComments()[0]!.body, /no longer the head of this PR/);
  });

  it("writes one comment for concurrent deliveries and nothing for a redelivery", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
    fake.setJobs(FULL, 600, 1, [buildJob(2, buildxLog(["ghcr.io/octo-org/worker:pr-7"], DIGEST_B))]);

    await Promise.all([
      app.receive("workflow_run", sameRepoRun(), "d-1"),
      app.receive("workflow_run", sameRepoRun({ id: 600, name: "Worker", workflowId: 78 }), "d-2"),
    ]);
    assert.equal(reportComments().length, 1);
    assert.match(reportComments()[0]!.body, /Worker/);
    assert.match(reportComments()[0]!.body, /#### `CI`/);

    const writes = () => fake.countRequests("POST", /comments$/) + fake.countRequests("PATCH", /comments\//);
    const before = writes();
    await app.receive("workflow_run", sameRepoRun(), "d-1");
    assert.equal(writes(), before, "a redelivery writes nothing");
  });

  it("ignores a comment with the marker that Dockhand did not write", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    const forged = fake.addComment(FULL, 7, { body: `${REPORT_MARKER}\nplease edit me`, user: "mallory" });
    await app.receive("workflow_run", sameRepoRun());
    assert.equal(fake.commentsOn(FULL, 7).find((c) => c.id === forged.id)?.body, `${REPORT_MARKER}\nplease edit me`);
    assert.equal(reportComments().filter((c) => c.appId === fake.app.id).length, 1);
  });

  it("converges to one comment when another replica already wrote a second one", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.addComment(FULL, 7, { body: `${REPORT_MARKER}\nfirst`, appId: fake.app.id });
    fake.addComment(FULL, 7, { body: `${REPORT_MARKER}\nsecond`, appId: fake.app.id });
    await app.receive("workflow_run", sameRepoRun());
    const comments = reportComments();
    assert.equal(comments.length, 1);
    assert.match(comments[0]!.body, /run #500/);
  });

  it("looks through at most 50 pages of a PR's comments for its own, however many others wrote", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    await app.receive("workflow_run", sameRepoRun({ id: 499 }));
    const [ours] = reportComments();
    assert.ok(ours);
    // Then 5,100 comments from anyone (51 pages), some carrying the marker.
    for (let i = 0; i < 5100; i += 1)
      fake.addComment(FULL, 7, { body: i % 100 === 0 ? `${REPORT_MARKER}\nforged ${i}` : `+1 (${i})` });
    const listed = () => fake.countRequests("GET", /\/issues\/7\/comments/);
    const before = listed();
    await app.receive("workflow_run", sameRepoRun());
    assert.equal(listed() - before, 50, "pages read for the update");
    const mine = reportComments().filter((c) => c.appId === fake.app.id);
    assert.deepEqual(
      mine.map((c) => c.id),
      [ours.id],
    );
    assert.match(mine[0]!.body, /run #500/);
  });

  it("lists at most 1,000 of a run's artifacts and counts the rest in the comment", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setArtifacts(
      500,
      Array.from({ length: 1050 }, (_, i) => ({ id: 10_000 + i, name: `part-${i}`, size_in_bytes: 1 })),
    );
    await app.receive("workflow_run", sameRepoRun());
    assert.equal(fake.countRequests("GET", /\/runs\/500\/artifacts/), 10, "pages read");
    const body = reportComments()[0]!.body;
    const shown = body.match(/\/actions\/runs\/500\/artifacts\/\d+\)/g)?.length ?? 0;
    assert.ok(shown > 0);
    const more = Number(/…and (\d+) more artifacts\./.exec(body)?.[1]);
    assert.equal(shown + more, 1050, "every artifact GitHub counts is shown or counted");
  });

  it("escapes attacker-controlled names", async () => {
    // Legal as a git ref: no space, colon, `~^?*[\` or `..`.
    const branch = "x`](https//evil.example)<img_src=x_onerror=alert(1)>@admin|#1";
    seedRepo(fake);
    fake.addPull(FULL, { number: 8, headRef: branch, headSha: SHA1, headRepo: FORK });
    fake.setArtifacts(501, [{ id: 92, name: "image a`b'c|@team <b>", size_in_bytes: 1 }]);
    await app.receive("workflow_run", forkRun({ headBranch: branch, name: "CI @org/team [x](http://e.vil)" }));
    const body = reportComments(8)[0]!.body;
    const outsideCode = body.replace(/```[\s\S]*?```/g, "").replace(/(`+)[\s\S]*?\1/g, "");
    assert.doesNotMatch(outsideCode, /@org|@team|<img|<b>|evil/);
    assert.match(body, /-n 'image a`b'\\''c\|@team <b>'/, "artifact name is shell-quoted in the command");
  });

  it("reports an invalid config on the PR and still reports with defaults", async () => {
    seedRepo(fake, "report:\n  expectedTags: ['pr-{nmber}']\nretyr: {}\n");
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    await app.receive("workflow_run", sameRepoRun());
    const body = reportComments()[0]!.body;
    assert.match(body, /`\.github\/dockhand\.yml` is invalid/);
    assert.match(body, /`report\.expectedTags\[0\]`: `unknown placeholder \{nmber\}/);
    assert.match(body, /`retyr`: `unknown key; allowed here: workflows, report, retry, prune`/);
    assert.ok(
      app.logs.some(
        (l) => l.msg === "invalid .github/dockhand.yml; using defaults for the report and re-running nothing",
      ),
    );
  });

  it("reports unparsable YAML by file", async () => {
    seedRepo(fake, "report: [unclosed\n");
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    await app.receive("workflow_run", sameRepoRun());
    assert.match(reportComments()[0]!.body, /`\(file\)`: `Configuration could not be parsed from .*invalid YAML/);
  });

  it("leaves workflows that the config does not select alone", async () => {
    seedRepo(fake, "workflows:\n  paths: ['.github/workflows/images.yml']\n");
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    await app.receive("workflow_run", sameRepoRun());
    await app.receive("workflow_run", sameRepoRun({ id: 501, event: "push" }));
    assert.equal(reportComments().length, 0);
  });

  it("ignores a malformed payload with a clear log line", async () => {
    const payload = sameRepoRun();
    (payload.workflow_run as Record<string, unknown>).head_sha = "not-a-sha";
    await app.receive("workflow_run", payload);
    assert.ok(app.logs.some((l) => l.msg === "ignoring malformed workflow_run payload"));
    assert.equal(fake.requests.length, 0);
  });

  it("flags an expected tag pushed for the merge commit instead of the head", async () => {
    seedRepo(fake, "report:\n  expectedTags: ['pr-{number}-{sha7}']\n");
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7-abcdef1"], DIGEST_A))]);
    await app.receive("workflow_run", sameRepoRun());
    const body = reportComments()[0]!.body;
    assert.match(
      body,
      /❌ `ghcr\.io\/octo-org\/app:pr-7-1111111` was expected but not pushed\. CI pushed `pr-7-abcdef1` instead/,
    );
    assert.match(body, /DOCKER_METADATA_PR_HEAD_SHA/);
  });

  it("still reports when GitHub refuses to list artifacts or jobs", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.fail("GET", /\/artifacts$/, { status: 404, body: { message: "Not Found" } });
    fake.fail("GET", /\/attempts\/1\/jobs$/, {
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    await app.receive("workflow_run", sameRepoRun());
    const body = reportComments()[0]?.body ?? "";
    assert.match(body, /did not list this run's artifacts/);
    assert.match(body, /Some job logs could not be read \(`jobs: HTTP 403`\)/);
  });

  it("tries a delivery again when GitHub fails for a moment, and then reports in full", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setArtifacts(500, [{ id: 91, name: "docker-image", size_in_bytes: 1 }]);
    // Each read fails as often as Octokit sends it: the first try meets the config's failure, the second the artifacts'.
    fake.fail(
      "GET",
      /\/contents\/\.github%2Fdockhand\.yml$/,
      { status: 503, body: { message: "Service Unavailable" } },
      OCTOKIT_SENDS.read,
    );
    fake.fail("GET", /\/artifacts$/, { status: 502, body: { message: "Bad Gateway" } }, OCTOKIT_SENDS.read);
    await app.receive("workflow_run", sameRepoRun());
    assert.equal(reportComments().length, 0, "a config GitHub did not serve is not an invalid config");
    await app.advance(30_000);
    assert.equal(reportComments().length, 0, "not reported from half the facts");
    await app.advance(60_000);
    const body = reportComments()[0]?.body ?? "";
    assert.match(body, /`docker-image`/);
    assert.doesNotMatch(body, /did not list this run's artifacts|dockhand\.yml/);
  });

  it("explains why nothing was pushed, and notes unreadable logs", async () => {
    seedRepo(fake);
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, "all good\n"), { id: 5, name: "lint", conclusion: "success" }]);
    await app.receive("workflow_run", sameRepoRun());
    const body = reportComments()[0]!.body;
    assert.match(body, /logs show no image push/);
    assert.match(body, /Some job logs could not be read \(`lint: HTTP 404`\)/);
  });
});
