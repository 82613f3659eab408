import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appPerTest } from "../support/app-per-test.js";
import type { FakeGitHub, FakeResponse } from "../support/fake-github.js";
import { buildJob, buildxLog, DIGEST_A, REPO, SHA1, seedRepo } from "../support/scenario.js";
import type { TestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const FULL = "octo-org/app";
const TOKEN = /^\/app\/installations\/\d+\/access_tokens$/;
const CONTENTS = /\/contents\/\.github%2Fdockhand\.yml$/;
/** The queue's first retry comes 30 s after a failure, the second 60 s after that. */
const FIRST_RETRY_MS = 30_000;

/**
 * The app, end to end: a failure to read `.github/dockhand.yml` (a token GitHub refused, a read it
 * refused) is not a broken config. The delivery fails under the failure's own name, the queue tries it
 * again, and the PR never hears that its config is invalid.
 */
describe("a config GitHub did not serve is not an invalid config", () => {
  let fake: FakeGitHub;
  let app: TestApp;
  appPerTest((started) => {
    ({ fake, app } = started);
    // The config names the tag CI pushes: the comment shows it checked only if the config was read.
    seedRepo(fake, "report:\n  expectedTags: ['pr-{number}']\n");
    fake.addPull(FULL, { number: 7, headRef: "feature/login", headSha: SHA1, headRepo: REPO });
    fake.setJobs(FULL, 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
  });

  const ours = () => fake.commentsOn(FULL, 7).filter((c) => c.appId === fake.app.id);
  const deliver = () =>
    app.receive(
      "workflow_run",
      workflowRunCompleted({
        repo: REPO,
        id: 500,
        headSha: SHA1,
        headBranch: "feature/login",
        pullRequests: [{ number: 7, headSha: SHA1 }],
      }),
    );
  const failures = (msg: string) =>
    app.logs.filter((l) => l.msg === msg).map((l) => l.err as { status?: number; message?: string });

  const passing: { name: string; method: string; path: RegExp; response: FakeResponse; times?: number }[] = [
    {
      name: "a 401 on creating the installation token",
      method: "POST",
      path: TOKEN,
      response: {
        status: 401,
        body: { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest" },
      },
    },
    {
      name: "a 404 on creating the installation token (not 'no file')",
      method: "POST",
      path: TOKEN,
      response: { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } },
    },
    // Octokit's app auth tries a 401 again for 5 s after creating a token (1 s, 2 s, 3 s later): four answers.
    {
      name: "a 401 on reading the file",
      method: "GET",
      path: CONTENTS,
      response: {
        status: 401,
        body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" },
      },
      times: 4,
    },
  ];
  for (const { name, method, path, response, times } of passing) {
    it(`retries the delivery after ${name}, then reports with the config`, async () => {
      fake.fail(method, path, response, times);
      await deliver();
      assert.equal(ours().length, 0, "nothing is written from a config that was not read");
      assert.deepEqual(
        failures("job failed; trying again later").map((e) => e.status),
        [response.status],
        "the failure is logged under its own status",
      );

      await app.advance(FIRST_RETRY_MS);
      const [comment, ...rest] = ours();
      assert.equal(rest.length, 0);
      assert.ok(comment, "the retry reports");
      assert.doesNotMatch(comment.body, /dockhand\.yml|invalid/i);
      assert.match(comment.body, /✅ `ghcr\.io\/octo-org\/app:pr-7`/, "the config's expected tag was checked");
    });
  }

  it("never reports a lasting refusal to read the file as a config problem; it is logged by its cause", async () => {
    fake.fail(
      "GET",
      CONTENTS,
      {
        status: 403,
        body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" },
      },
      3,
    );
    await deliver();
    await app.advance(FIRST_RETRY_MS);
    await app.advance(2 * FIRST_RETRY_MS);
    assert.equal(fake.countRequests("GET", CONTENTS), 3, "tried three times");
    assert.equal(ours().length, 0, "no comment calls the config invalid");
    const [last, ...more] = failures("job failed for good");
    assert.equal(more.length, 0);
    assert.equal(last?.status, 403);
    assert.match(last?.message ?? "", /Resource not accessible by integration/);
  });
});

describe("the hourly sweep, when one repository's config cannot be read", () => {
  let fake: FakeGitHub;
  let app: TestApp;
  appPerTest((started) => void ({ fake, app } = started), {
    DOCKHAND_SWEEP: "on",
    DOCKHAND_PACKAGES_TOKEN: "ghp_classic_test_token",
  });

  it("sweeps the others, and logs that repository's failure by its cause", async () => {
    const config = "prune:\n  schedule: '0 3 * * *'\n";
    seedRepo(fake, config);
    fake.addRepo({ owner: "octo-org", name: "api", id: 1101 }).setFile("octo-org/api", ".github/dockhand.yml", config);
    fake.addRepo({ owner: "octo-org", name: "web", id: 1102 }).setFile("octo-org/web", ".github/dockhand.yml", config);
    fake.fail(
      "GET",
      /^\/repos\/octo-org\/api\/contents\//,
      {
        status: 403,
        body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" },
      },
      100,
    );

    // The tick at 04:00 UTC (the end of the hour the schedule fired in) queues the installation's sweep chain.
    app.clock.advance(Date.parse("2026-11-21T04:00:00Z") - app.clock.now());
    await app.queue.idle();
    const chain = app.queue.scheduled().filter((j) => j.kind === "sweep-repo");
    assert.deepEqual(
      chain.map((j) => j.id),
      [`sweep:octo-org/app@${Date.parse("2026-11-21T03:00:00Z")}`],
    );
    const configReads = () =>
      ["app", "api", "web"].map((name) => fake.countRequests("GET", new RegExp(`^/repos/octo-org/${name}/contents/`)));
    const byTicks = configReads();
    app.clock.advance(chain[0]!.runAt - app.clock.now());
    await app.queue.idle();
    assert.deepEqual(
      configReads().map((n, i) => n - byTicks[i]!),
      [1, 0, 1],
      "the chain swept app, then web",
    );
    const failed = app.logs.find((l) => l.msg === "cannot read the repository's config; not sweeping it this hour") as
      { repository?: string; err?: { status?: number } } | undefined;
    assert.equal(failed?.repository, "octo-org/api");
    assert.equal(failed?.err?.status, 403);
  });
});
