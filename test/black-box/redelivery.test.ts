import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { spawnApp, type AppProcess } from "../support/app-process.js";
import type { FakeGitHub, HookDeliveryRecord } from "../support/fake-github.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { BUILDX_502 } from "../support/flaky-push-log.js";
import { startHttpGitHub } from "../support/http-github.js";
import { startLocalRedis } from "../support/local-redis.js";
import { freePort, waitFor } from "../support/net.js";
import { buildJob, buildxLog, REPO } from "../support/scenario.js";
import { startTcpProxy } from "../support/tcp-proxy.js";
import { pullRequestClosed, workflowRunCompleted } from "../support/webhooks.js";

const SECRET = "redelivery-secret";
const FULL = "octo-org/app";
/** PRs 1-4 get a report, 1-2 a flaky failed run too; 5-6 are closed; 7's report is delivered before the outage. */
const REPORTS = [1, 2, 3, 4];
const FLAKY = [1, 2];
const CLOSED = [5, 6];
const ATTEMPTS = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/;

const sha = (n: number) => n.toString(16).padStart(40, "0");

/** The repository, its PRs, runs, jobs and package, as GitHub and the registry know them. */
async function seed(fake: FakeGitHub, registry: FakeRegistry): Promise<void> {
  fake.addRepo(REPO);
  fake.setFile(FULL, ".github/dockhand.yml", "retry:\n  backoff: { initialSeconds: 0 }\n");
  const versions = [];
  for (const n of [...REPORTS, ...CLOSED, 7]) {
    const closed = CLOSED.includes(n);
    fake.addPull(FULL, {
      number: n,
      headRef: `b${n}`,
      headSha: sha(n),
      headRepo: REPO,
      ...(closed ? { state: "closed" as const, closedAt: "2026-11-20T12:00:00Z" } : {}),
    });
    fake.setJobs(FULL, 10_000 + n, 1, [
      buildJob(n, buildxLog([`ghcr.io/octo-org/app:pr-${n}`], `sha256:${n.toString(16).padStart(64, "0")}`)),
    ]);
    if (FLAKY.includes(n)) {
      fake.addRun(FULL, { id: 20_000 + n, workflowId: 77, headSha: sha(n), headBranch: `b${n}` });
      fake.setJobs(FULL, 20_000 + n, 1, [
        { ...buildJob(100_000 + n, BUILDX_502, "failure"), steps: [{ name: "Build and push", conclusion: "failure" }] },
      ]);
    }
    if (closed) {
      const digest = registry.put({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { digest: `sha256:${n.toString(16).padStart(64, "c")}` },
        layers: [],
      });
      versions.push({ id: n, digest, createdAt: 0, updatedAt: 0, tags: [`pr-${n}`] });
    }
  }
  const latest = registry.put({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { digest: `sha256:${"e".repeat(64)}` },
    layers: [],
  });
  versions.push({ id: 99, digest: latest, createdAt: 0, updatedAt: 0, tags: ["latest"] });
  fake.addPackage({ owner: "octo-org", name: "app", versions });
}

/** The burst sent while Dockhand cannot take it: every report, flaky run and close; GitHub's record of each. */
function sendBurst(fake: FakeGitHub): Promise<HookDeliveryRecord[]> {
  const burst = [
    ...REPORTS.map((n) => ({
      event: "workflow_run",
      payload: workflowRunCompleted({ repo: REPO, id: 10_000 + n, headSha: sha(n), headBranch: `b${n}` }),
    })),
    ...FLAKY.map((n) => ({
      event: "workflow_run",
      payload: workflowRunCompleted({
        repo: REPO,
        id: 20_000 + n,
        headSha: sha(n),
        headBranch: `b${n}`,
        conclusion: "failure",
      }),
    })),
    ...CLOSED.map((n) => ({
      event: "pull_request",
      payload: pullRequestClosed({ repo: REPO, number: n, headSha: sha(n), closedAt: "2026-11-20T12:00:00Z" }),
    })),
  ];
  return Promise.all(burst.map(({ event, payload }) => fake.sendWebhook(event, payload)));
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s. */
async function stop(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill("SIGTERM");
  const timer = setTimeout(() => app.child.kill("SIGKILL"), 15_000);
  await app.exited;
  clearTimeout(timer);
}

/** PR 7's report, delivered before the outage: GitHub's record of it once its comment is there. */
async function deliverBefore(fake: FakeGitHub, app: AppProcess): Promise<HookDeliveryRecord> {
  const before = await fake.sendWebhook(
    "workflow_run",
    workflowRunCompleted({ repo: REPO, id: 10_007, headSha: sha(7), headBranch: "b7" }),
  );
  assert.equal(before.status_code, 200, app.output());
  await waitFor(() => Promise.resolve(fake.commentsOn(FULL, 7).length > 0), 30_000, "no comment on PR 7");
  return before;
}

/** The guids GitHub was asked to redeliver. */
function askedFor(fake: FakeGitHub): string[] {
  return fake.requests
    .filter((r) => r.method === "POST" && ATTEMPTS.test(r.path))
    .map((r) => fake.hookDeliveries.find((d) => d.id === Number(ATTEMPTS.exec(r.path)![1]))!.guid);
}

/** Every delivery of the burst handled, once: one comment per PR with its image, one re-run per flaky run, one deletion per closed PR. */
async function assertHandledOnce(fake: FakeGitHub, failed: string[], delivered: string, output: () => string) {
  const done = () =>
    REPORTS.every((n) => fake.commentsOn(FULL, n).some((c) => c.body.includes(`app:pr-${n}`))) &&
    fake.reruns.length >= FLAKY.length &&
    CLOSED.every((n) => !fake.packageVersions("octo-org", "app").some((v) => v.id === n));
  await waitFor(() => Promise.resolve(done()), 90_000, "not every delivery was handled").catch((error: unknown) => {
    throw new Error(`${(error as Error).message}:\n${output().slice(-4000)}`, { cause: error });
  });
  // A few more runs of the loop: nothing more is asked for, nothing is done twice.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  await fake.deliveriesSettled();
  for (const n of [...REPORTS, 7]) {
    const ours = fake.commentsOn(FULL, n).filter((c) => c.body.startsWith(REPORT_MARKER));
    assert.equal(ours.length, 1, `one comment on PR ${n}`);
  }
  assert.deepEqual(
    fake.reruns.map((r) => r.runId).sort(),
    FLAKY.map((n) => 20_000 + n),
    "one re-run per flaky run",
  );
  assert.deepEqual(fake.packageDeletes.map((d) => d.id).sort(), CLOSED, "one deletion per closed PR's image");
  const asked = askedFor(fake);
  assert.ok(!asked.includes(delivered), "no redelivery asked for a delivery that had succeeded");
  assert.deepEqual([...new Set(asked)].sort(), [...failed].sort(), "every failed delivery asked for");
  for (const guid of failed)
    assert.ok(
      fake.hookDeliveries.some((d) => d.guid === guid && d.status_code === 200),
      `${guid} delivered in the end`,
    );
  assert.deepEqual(fake.violations, []);
}

describe("black box: no delivery lost", () => {
  let github: Awaited<ReturnType<typeof startHttpGitHub>>;
  let registry: FakeRegistry;
  let served: Awaited<ReturnType<FakeRegistry["serve"]>>;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    github = await startHttpGitHub();
    registry = new FakeRegistry();
    served = await registry.serve();
  });
  after(
    async () => {
      for (const stop of stops.reverse()) await stop();
      await github.close();
      await served.close();
    },
    { timeout: 60_000 },
  );

  /** A fresh GitHub per scenario, the app's URL where GitHub sends webhooks. */
  async function setUp(port: number): Promise<FakeGitHub> {
    await github.close();
    github = await startHttpGitHub();
    const fake = github.fake;
    await seed(fake, registry);
    fake.webhookTarget = { url: `http://127.0.0.1:${port}/api/github/webhooks`, secret: SECRET };
    return fake;
  }

  /** The production entry on a fixed port (GitHub redelivers to the same URL), configured by the environment. */
  async function startApp(port: number, env: Record<string, string> = {}): Promise<AppProcess> {
    const app = await spawnApp(github, {
      command: [process.execPath, "--import", "tsx", "src/main.ts"],
      port,
      env: {
        NODE_ENV: "production",
        WEBHOOK_SECRET: SECRET,
        DOCKHAND_REDELIVER_INTERVAL_MS: "2000",
        // Redeliveries are paced like every write; shorter than GitHub's second to keep the test short.
        DOCKHAND_GITHUB_WRITE_INTERVAL_MS: "100",
        DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0",
        DOCKHAND_PACKAGES_TOKEN: "ghp_redelivery",
        DOCKHAND_REGISTRIES: served.host,
        DOCKHAND_CONTAINER_REGISTRY: served.host,
        ...env,
      },
      readyPath: "/readyz",
    });
    stops.push(() => stop(app));
    return app;
  }

  it("the app stopped during a burst: GitHub records them failed; once started again, each is handled once", async () => {
    const port = await freePort();
    const fake = await setUp(port);
    let app = await startApp(port);
    const before = await deliverBefore(fake, app);

    await stop(app);
    const failed = await sendBurst(fake);
    assert.ok(
      failed.every((d) => d.status_code === 0 && d.status === "failed to connect to host"),
      "GitHub records each as failed",
    );

    app = await startApp(port);
    await assertHandledOnce(
      fake,
      failed.map((d) => d.guid),
      before.guid,
      app.output,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, new RegExp(`dockhand_redeliveries_requested_total ${failed.length}\\b`));
    assert.match(metrics, new RegExp(`dockhand_deliveries_failed_total ${failed.length}\\b`));
    assert.match(metrics, new RegExp(`dockhand_deliveries_recovered_total ${failed.length}\\b`));
    assert.match(app.output(), new RegExp(`"guid":"${failed[0]!.guid}".*asked GitHub to redeliver`));
    await stop(app);
  });

  it("Redis unreachable during a burst: each webhook answered 503; once Redis is back, each is handled once", async () => {
    const redis = await startLocalRedis();
    stops.push(() => redis.stop());
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(redis.url).port) });
    stops.push(() => proxy.close());
    const port = await freePort();
    const fake = await setUp(port);
    const app = await startApp(port, { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    const before = await deliverBefore(fake, app);

    await proxy.cut();
    const failed = await sendBurst(fake);
    assert.deepEqual(
      failed.map((d) => d.status_code),
      failed.map(() => 503),
      `each answered 503:\n${app.output().slice(-3000)}`,
    );
    await proxy.restore();
    await assertHandledOnce(
      fake,
      failed.map((d) => d.guid),
      before.guid,
      app.output,
    );
    await stop(app);
  });
});
