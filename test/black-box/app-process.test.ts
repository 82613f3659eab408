import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { spawnApp, type AppProcess } from "../support/app-process.js";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { waitFor } from "../support/net.js";
import { buildJob, buildxLog, DIGEST_A, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const SECRET = "black-box-secret";

/**
 * The app as an operator runs it: `npm start`, configured only through the environment, GitHub
 * reached over HTTP at GHE_HOST, webhooks signed and posted to its port.
 */
describe("black box: npm start against a GitHub-like server", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  let app: AppProcess;

  before(async () => {
    github = await startHttpGitHub();
    fake = github.fake;
    app = await spawnApp(github, {
      command: ["npm", "start", "--silent"],
      // The sweep on, as it is by default.
      env: { WEBHOOK_SECRET: SECRET, DOCKHAND_SWEEP: undefined },
      // Its own process group: npm does not pass signals on to the app it started.
      detached: true,
      readyTimeoutMs: 120_000,
    });
  });

  after(
    async () => {
      // Whatever is left of the process group (the app if a test failed before SIGTERM).
      try {
        if (app.child.pid) process.kill(-app.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      await github.close();
    },
    { timeout: 30_000 },
  );

  it("answers /healthz, /readyz and /metrics", async () => {
    assert.deepEqual(await (await fetch(`${app.url}/healthz`)).json(), { status: "ok" });
    const ready = await fetch(`${app.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { queue: true, accepting: true });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(metrics, /# TYPE dockhand_webhook_deliveries_total counter/);
    assert.match(metrics, /# TYPE dockhand_job_duration_seconds histogram/);
    assert.match(metrics, /dockhand_process_resident_memory_bytes/);
  });

  it("rejects an unsigned delivery", async () => {
    assert.equal(await post({ zen: "hi" }, "ping", "bad-signature"), 400);
  });

  it("writes the report comment through the REST API for a signed delivery", async () => {
    seedRepo(fake);
    fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
    fake.setJobs("octo-org/app", 500, 1, [buildJob(1, buildxLog(["ghcr.io/octo-org/app:pr-7"], DIGEST_A))]);
    const status = await post(
      workflowRunCompleted({ repo: REPO, id: 500, headSha: SHA1, headBranch: "feature/x" }),
      "workflow_run",
    );
    assert.equal(status, 200, app.output());
    await waitFor(async () => fake.commentsOn("octo-org/app", 7).length > 0, 20_000);
    const [comment] = fake.commentsOn("octo-org/app", 7);
    assert.ok(comment);
    assert.ok(comment.body.startsWith(REPORT_MARKER));
    assert.match(comment.body, /ghcr\.io\/octo-org\/app:pr-7/);
    assert.ok(
      fake.requests.some((r) => r.path === "/app/installations/1/access_tokens"),
      "authenticated as the installation",
    );
    assert.deepEqual(fake.violations, []);
    assert.doesNotMatch(app.output(), /BEGIN RSA PRIVATE KEY|ghs_fake/, "no key or token in the logs");
  });

  it("counts deliveries, GitHub requests and comments in /metrics", async () => {
    // The delivery's job may still be finishing its last requests.
    let metrics = "";
    await waitFor(async () => {
      metrics = await (await fetch(`${app.url}/metrics`)).text();
      return /dockhand_jobs_total\{kind="event",outcome="done"\} 1/.test(metrics);
    }, 10_000);
    assert.match(metrics, /dockhand_webhook_deliveries_total\{event="workflow_run"\} 1/);
    assert.match(
      metrics,
      /dockhand_github_requests_total\{method="POST",route="\/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/comments",status="201"\} 1/,
    );
    assert.match(metrics, /dockhand_comments_written_total\{action="created"\} 1/);
  });

  it("shuts down cleanly on SIGTERM", async () => {
    if (app.child.pid) process.kill(-app.child.pid, "SIGTERM");
    await waitFor(
      () => Promise.resolve(/shut down cleanly/.test(app.output())),
      10_000,
      `no clean shutdown in:\n${app.output().slice(-2000)}`,
    );
    assert.match(app.output(), /SIGTERM: no longer taking webhooks/);
    await assert.rejects(fetch(`${app.url}/healthz`), "the server is closed");
  });

  function post(payload: object, event: string, signature?: string): Promise<number> {
    return app.send({ event, payload, ...(signature ? { signature } : {}) });
  }
});
