import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { WriteLanes } from "../../src/prune/write-lanes.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { bottleneckConnection } from "../../src/util/bottleneck-connection.js";
import { ClusteredSerializer } from "../../src/util/clustered-serializer.js";
import { FakeGitHub } from "../support/fake-github.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";
import { interceptGitHub } from "../support/nock-github.js";
import { addDockhandComment, buildJob, buildxLog, DIGEST_A, REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";

const log = pino({ level: "silent" });

describe("Redis mode: two replicas share one redis-server", () => {
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  before(async () => {
    redis = await startLocalRedis();
  });
  after(() => redis.stop());

  it("re-runs a flaky run once when both replicas get the delivery", async () => {
    const fake = new FakeGitHub();
    const stop = interceptGitHub(fake);
    const env = { REDIS_URL: redis.url };
    const [a, b] = [await createTestApp(fake, env), await createTestApp(fake, env)];
    try {
      seedRepo(fake, "retry:\n  backoff: { initialSeconds: 0 }\n");
      fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
      fake.addRun("octo-org/app", { id: 600, workflowId: 77, headSha: SHA1, headBranch: "feature/x" });
      const log = readFileSync(new URL("../fixtures/job-logs/buildx-push-502.log", import.meta.url), "utf8");
      fake.setJobs("octo-org/app", 600, 1, [
        {
          id: 1,
          name: "build",
          conclusion: "failure",
          steps: [{ name: "Build and push", conclusion: "failure" }],
          log,
        },
      ]);
      const payload = workflowRunCompleted({
        repo: REPO,
        id: 600,
        headSha: SHA1,
        headBranch: "feature/x",
        conclusion: "failure",
        pullRequests: [{ number: 7, headSha: SHA1 }],
      });
      await Promise.all([
        a.receive("workflow_run", payload, "same-delivery"),
        b.receive("workflow_run", payload, "same-delivery"),
      ]);
      await waitFor(() => Promise.resolve(fake.reruns.length > 0), 30_000, "no re-run");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(fake.reruns, [{ runId: 600, attempt: 2 }]);
      assert.deepEqual(fake.violations, []);
    } finally {
      await Promise.all([a.close(), b.close()]);
      stop();
    }
  });

  it("keeps both runs when two replicas update one PR's comment at the same moment", async () => {
    const fake = new FakeGitHub();
    // Both replicas' reads of the comments are answered together, unless the lock keeps the second back.
    fake.gate("GET", /\/issues\/7\/comments$/, 2);
    const stop = interceptGitHub(fake);
    const env = { REDIS_URL: redis.url };
    const [a, b] = [
      await createTestApp(fake, env, { ownQueue: true }),
      await createTestApp(fake, env, { ownQueue: true }),
    ];
    try {
      seedRepo(fake);
      fake.addPull("octo-org/app", { number: 7, headRef: "feature/x", headSha: SHA1, headRepo: REPO });
      addDockhandComment(fake);
      const runs = [701, 702].map((id, i) => {
        fake.setJobs("octo-org/app", id, 1, [buildJob(id, buildxLog([`ghcr.io/octo-org/app:pr-7-${i}`], DIGEST_A))]);
        return workflowRunCompleted({
          repo: REPO,
          id,
          workflowId: 80 + i,
          name: `CI ${i}`,
          headSha: SHA1,
          headBranch: "feature/x",
          pullRequests: [{ number: 7, headSha: SHA1 }],
        });
      });
      // Each replica handles its own delivery; both write PR 7's comment.
      await Promise.all([a.receive("workflow_run", runs[0]!), b.receive("workflow_run", runs[1]!)]);
      assert.deepEqual(
        stateOf(fake.commentsOn("octo-org/app", 7)[0]?.body ?? "", pullKey("octo-org/app", 7))
          ?.runs.map((r) => r.runId)
          .sort(),
        [701, 702],
      );
      assert.equal(fake.commentsOn("octo-org/app", 7).length, 1);
      assert.deepEqual(fake.violations, []);
    } finally {
      await Promise.all([a.close(), b.close()]);
      stop();
    }
  });

  it("runs same-key tasks one at a time across replicas, other keys alongside", async () => {
    const connections = [bottleneckConnection(redis.url, log), bottleneckConnection(redis.url, log)];
    const [one, two] = connections.map((connection) => new ClusteredSerializer(connection, "serial-test"));
    const spans: { key: string; start: number; end: number }[] = [];
    const task = (key: string) => async () => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      spans.push({ key, start, end: Date.now() });
    };
    await Promise.all(
      [0, 1, 2].flatMap(() => [
        one!.run("o/r#7", task("o/r#7")),
        two!.run("o/r#7", task("o/r#7")),
        two!.run("o/r#8", task("o/r#8")),
      ]),
    );
    const same = spans.filter((s) => s.key === "o/r#7").sort((x, y) => x.start - y.start);
    for (let i = 1; i < same.length; i += 1)
      assert.ok((same[i]?.start ?? 0) >= (same[i - 1]?.end ?? 0), "two tasks of one key overlapped");
    const other = spans.filter((s) => s.key === "o/r#8");
    assert.ok(
      other.some((o) => same.some((s) => o.start < s.end && s.start < o.end)),
      "another key waited for no one",
    );
    await Promise.all(connections.map((connection) => connection.disconnect()));
  });

  it("shares one write lane per credential across replicas", async () => {
    const connections = [bottleneckConnection(redis.url, log), bottleneckConnection(redis.url, log)];
    const [one, two] = connections.map((connection) => new WriteLanes(200, connection));
    const spans: { start: number; end: number }[] = [];
    const write = async () => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      spans.push({ start, end: Date.now() });
    };
    await Promise.all(
      [0, 1, 2].flatMap(() => [one!.for("token:octo-org").schedule(write), two!.for("token:octo-org").schedule(write)]),
    );
    spans.sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i += 1) {
      const gap = (spans[i]?.start ?? 0) - (spans[i - 1]?.end ?? 0);
      assert.ok(gap >= 190, `write ${i} started ${gap} ms after the previous one ended`);
    }
    await Promise.all(connections.map((connection) => connection.disconnect()));
  });
});
