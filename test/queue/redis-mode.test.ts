import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { WriteLanes } from "../../src/prune/write-lanes.js";
import { FakeGitHub } from "../support/fake-github.js";
import { startLocalRedis } from "../support/local-redis.js";
import { waitFor } from "../support/net.js";
import { interceptGitHub } from "../support/nock-github.js";
import { REPO, SHA1, seedRepo } from "../support/scenario.js";
import { createTestApp } from "../support/test-app.js";
import { workflowRunCompleted } from "../support/webhooks.js";

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
      fake.setJobs("octo-org/app", 600, 1, [{ id: 1, name: "build", conclusion: "failure", steps: [{ name: "Build and push", conclusion: "failure" }], log }]);
      const payload = workflowRunCompleted({ repo: REPO, id: 600, headSha: SHA1, headBranch: "feature/x", conclusion: "failure", pullRequests: [{ number: 7, headSha: SHA1 }] });
      await Promise.all([a.receive("workflow_run", payload, "same-delivery"), b.receive("workflow_run", payload, "same-delivery")]);
      await waitFor(() => Promise.resolve(fake.reruns.length > 0), 10_000, "no re-run");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(fake.reruns, [{ runId: 600, attempt: 2 }]);
      assert.deepEqual(fake.violations, []);
    } finally {
      await Promise.all([a.close(), b.close()]);
      stop();
    }
  });

  it("shares one write lane per credential across replicas", async () => {
    const [one, two] = [new WriteLanes(200, redis.url), new WriteLanes(200, redis.url)];
    const spans: { start: number; end: number }[] = [];
    const write = async () => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      spans.push({ start, end: Date.now() });
    };
    await Promise.all([0, 1, 2].flatMap(() => [one.for("token:octo-org").schedule(write), two.for("token:octo-org").schedule(write)]));
    spans.sort((x, y) => x.start - y.start);
    for (let i = 1; i < spans.length; i += 1) {
      const gap = (spans[i]?.start ?? 0) - (spans[i - 1]?.end ?? 0);
      assert.ok(gap >= 190, `write ${i} started ${gap} ms after the previous one ended`);
    }
    await Promise.all([one.close(), two.close()]);
  });
});
