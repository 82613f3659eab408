import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, describe, it } from "node:test";
import type { FakeGitHub } from "../support/fake-github.js";
import { startHttpGitHub } from "../support/http-github.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";
import { startReplica, type ReplicaProcess } from "../support/replica-process.js";
import { buildJob, buildxLog, DIGEST_A, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { workflowRunCompleted } from "../support/webhooks.js";

/** Bottleneck drops a client silent for 10 s (its clientTimeout) at a peer's next script on that limiter; peers beat every 5 s. */
const FROZEN_MS = 17_000;
const FLAKY_LOG = readFileSync(new URL("../fixtures/job-logs/buildx-push-502.log", import.meta.url), "utf8");

/**
 * Replicas in processes of their own on one real redis-server 7, against GitHub served over HTTP. A
 * replica must come back from a stall longer than the clustered limiters' client timeout, and from a
 * Redis restarted without its data, and then handle deliveries as before: Probot's throttling and
 * Dockhand's serializer are Bottleneck limiters clustered on Redis, which Redis 7's `ERR UNKNOWN_CLIENT`
 * and `ERR SETTINGS_KEY_NOT_FOUND` wedged for good.
 */
describe("a replica comes back from a stall or a Redis restart (real redis-server, replicas as processes)", () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let fake: FakeGitHub;
  const replicas: ReplicaProcess[] = [];

  before(async () => {
    redis = await startLocalRedis();
    github = await startHttpGitHub();
    fake = github.fake;
    seedRepo(fake, "retry:\n  backoff: { initialSeconds: 0 }\n");
    fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
  });
  afterEach(
    async () => {
      await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await github.close();
    await redis.stop();
  });

  const start = async () => {
    const replica = await startReplica(github, { REDIS_URL: redis.url });
    replicas.push(replica);
    return replica;
  };
  /** A run of PR 7 that pushed an image, delivered to `replica`; resolves once PR 7's comment shows it. */
  const reportRun = async (replica: ReplicaProcess, id: number) => {
    fake.addRun("octo-org/app", { id, workflowId: 77, headSha: SHA1, headBranch: "feature/x" });
    fake.setJobs("octo-org/app", id, 1, [buildJob(id, buildxLog([`ghcr.io/octo-org/app:pr-7-${id}`], DIGEST_A))]);
    assert.equal(await replica.send("workflow_run", run(id, "success")), 200);
    await waitFor(
      async () => commentShows(id),
      30_000,
      `PR 7's comment never showed run ${id}:\n${replica.output().slice(-3000)}`,
    );
  };
  /** A run that failed pushing (registry 502), delivered to `replica`; resolves once it is re-run and the comment shows it. */
  const flakyRun = async (replica: ReplicaProcess, id: number) => {
    fake.addRun("octo-org/app", { id, workflowId: 77, headSha: SHA1, headBranch: "feature/x", conclusion: "failure" });
    fake.setJobs("octo-org/app", id, 1, [
      {
        id,
        name: "build",
        conclusion: "failure",
        steps: [{ name: "Build and push", conclusion: "failure" }],
        log: FLAKY_LOG,
      },
    ]);
    assert.equal(await replica.send("workflow_run", run(id, "failure")), 200);
    await waitFor(
      async () => fake.reruns.some((r) => r.runId === id) && commentShows(id),
      30_000,
      `run ${id} was not re-run and shown:\n${replica.output().slice(-3000)}`,
    );
  };
  const run = (id: number, conclusion: "success" | "failure") =>
    workflowRunCompleted({
      repo: REPO,
      id,
      headSha: SHA1,
      headBranch: "feature/x",
      conclusion,
      pullRequests: [{ number: 7, headSha: SHA1 }],
    });
  const commentShows = (id: number) =>
    (fake.commentsOn("octo-org/app", 7)[0]?.body ?? "").includes(`/actions/runs/${id}`);
  const assertHealthy = (replica: ReplicaProcess) => {
    assert.doesNotMatch(replica.output(), /UNKNOWN_CLIENT|SETTINGS_KEY_NOT_FOUND/, "a limiter error reached the log");
    assert.doesNotMatch(
      fake.commentsOn("octo-org/app", 7)[0]?.body ?? "",
      /dockhand\.yml/i,
      "a config problem was reported",
    );
    assert.equal(fake.commentsOn("octo-org/app", 7).length, 1);
    assert.deepEqual(fake.violations, []);
  };

  it("handles deliveries after being frozen past the limiters' client timeout while another replica worked", async (t) => {
    const a = await start();
    // A's limiters (Probot's per installation and for the app, the PR's comment serializer) are registered in Redis.
    await reportRun(a, 501);
    const b = await start();
    a.freeze();
    const frozenAt = Date.now();
    try {
      // B works on the same limiters meanwhile; its scripts and heartbeats drop A from them.
      await reportRun(b, 502);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, frozenAt + FROZEN_MS - Date.now())));
      // Only A is left to take the next jobs.
      await b.stop();
    } finally {
      a.resume();
    }
    const resumedAt = Date.now();
    await flakyRun(a, 503);
    t.diagnostic(
      `resumed after ${Date.now() - frozenAt} ms frozen; a failed run reported and re-run ${Date.now() - resumedAt} ms after resuming`,
    );
    await reportRun(a, 504);
    assert.deepEqual((await a.readiness()).checks, { queue: true, limiters: true, accepting: true });
    assertHealthy(a);
  });

  it("says it is not ready while Redis is down, and handles deliveries once Redis is back without its data", async (t) => {
    const a = await start();
    await reportRun(a, 601);
    let upAt = 0;
    await redis.restart(async () => {
      const downAt = Date.now();
      await waitFor(async () => (await a.readiness()).status === 503, 5_000, "A said ready with Redis down");
      assert.equal((await a.readiness()).checks.limiters, false);
      t.diagnostic(`/readyz said 503 ${Date.now() - downAt} ms after Redis stopped`);
      upAt = Date.now();
    });
    await waitFor(
      async () => (await a.readiness()).status === 200,
      20_000,
      `A did not say ready again after Redis came back:\n${a.output().slice(-3000)}`,
    );
    t.diagnostic(`/readyz said 200 ${Date.now() - upAt} ms after Redis was restarted (including its start)`);
    await flakyRun(a, 602);
    await reportRun(a, 603);
    assertHealthy(a);
  });
});
