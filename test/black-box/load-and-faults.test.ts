import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { MemoryQueue } from "../../src/queue/memory-queue.js";
import { REPORT_MARKER } from "../../src/comment/render-comment.js";
import { pullKey, stateOf } from "../support/comment-state.js";
import { FakeRegistry } from "../support/fake-registry.js";
import { BUILDX_502 } from "../support/flaky-push-log.js";
import { startHttpApp } from "../support/http-app.js";
import { startHttpGitHub } from "../support/http-github.js";
import { buildJob, buildxLog, REPO } from "../support/scenario.js";
import { pullRequestClosed, workflowRunCompleted } from "../support/webhooks.js";
import { bareImage } from "../support/bare-manifests.js";

const REPORTS = Number(process.env.LOAD_REPORTS ?? 600);
const FLAKY = REPORTS / 3;
const CLOSES = REPORTS / 6;
const FULL = "octo-org/app";

/** A seeded generator (mulberry32), so that a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface EndState {
  comments: string[];
  reruns: string[];
  deleted: number[];
  faults: Record<string, number>;
}

/**
 * 1,000 signed deliveries over HTTP (600 run reports, 200 failed runs whose push flaked, 100 PR
 * closes, and 100 of those again as duplicates, shuffled), sent 20 at a time to the real app on
 * Dockhand's server (as src/main.ts runs it), then time moved on until no job is left. Returns what
 * GitHub ends up with.
 */
async function play(faultRate: number): Promise<EndState> {
  const github = await startHttpGitHub();
  const fake = github.fake;
  const registry = new FakeRegistry();
  const served = await registry.serve();
  fake.addRepo(REPO);
  fake.setFile(FULL, ".github/dockhand.yml", "report:\n  maxJobLogs: 1\nretry:\n  dailyBudget: 1000\n");
  const versions = [];
  for (let n = 1; n <= REPORTS; n += 1) {
    const sha = n.toString(16).padStart(40, "0");
    const closed = n > REPORTS - CLOSES;
    fake.addPull(FULL, {
      number: n,
      headRef: `b${n}`,
      headSha: sha,
      headRepo: REPO,
      ...(closed ? { state: "closed" as const, closedAt: "2026-11-20T12:00:00Z" } : {}),
    });
    fake.setJobs(FULL, 10_000 + n, 1, [
      buildJob(n, buildxLog([`ghcr.io/octo-org/app:pr-${n}`], `sha256:${n.toString(16).padStart(64, "0")}`)),
    ]);
    if (n <= FLAKY) {
      fake.addRun(FULL, { id: 20_000 + n, workflowId: 77, headSha: sha, headBranch: `b${n}` });
      fake.setJobs(FULL, 20_000 + n, 1, [
        { ...buildJob(100_000 + n, BUILDX_502, "failure"), steps: [{ name: "Build and push", conclusion: "failure" }] },
      ]);
    }
    if (closed) {
      const digest = registry.put(bareImage(n.toString(16).padStart(64, "c")));
      versions.push({ id: n, digest, createdAt: 0, updatedAt: 0, tags: [`pr-${n}`] });
    }
  }
  versions.push({
    id: 99_999,
    digest: registry.put(bareImage("e".repeat(64))),
    createdAt: 0,
    updatedAt: 0,
    tags: ["latest"],
  });
  fake.addPackage({ owner: "octo-org", name: "app", versions });

  const random = seeded(1234);
  const deliveries: { event: string; body: string; id: string }[] = [];
  for (let n = 1; n <= REPORTS; n += 1) {
    const sha = n.toString(16).padStart(40, "0");
    deliveries.push({
      event: "workflow_run",
      body: JSON.stringify(workflowRunCompleted({ repo: REPO, id: 10_000 + n, headSha: sha, headBranch: `b${n}` })),
      id: `report-${n}`,
    });
    if (n <= FLAKY) {
      deliveries.push({
        event: "workflow_run",
        body: JSON.stringify(
          workflowRunCompleted({
            repo: REPO,
            id: 20_000 + n,
            headSha: sha,
            headBranch: `b${n}`,
            conclusion: "failure",
          }),
        ),
        id: `flaky-${n}`,
      });
    }
    if (n > REPORTS - CLOSES) {
      deliveries.push({
        event: "pull_request",
        body: JSON.stringify(
          pullRequestClosed({ repo: REPO, number: n, headSha: sha, closedAt: "2026-11-20T12:00:00Z" }),
        ),
        id: `close-${n}`,
      });
    }
  }
  const duplicates = Array.from(
    { length: Math.round(deliveries.length / 9) },
    () => deliveries[Math.floor(random() * deliveries.length)]!,
  );
  const all = [...deliveries, ...duplicates];
  for (let i = all.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  assert.equal(all.length, Math.round((deliveries.length * 10) / 9));

  // A timeout hangs 1.5 s; the app gives each GitHub request 0.4 s.
  fake.chaos = faultRate > 0 ? { rate: faultRate, random: seeded(99), hangMs: 1500 } : undefined;
  // The Octokit that ships: reads sent once more, writes once, rate limits back to the job; the queue carries the rest.
  const app = await startHttpApp(
    fake,
    {
      DOCKHAND_REGISTRIES: served.host,
      DOCKHAND_CONTAINER_REGISTRY: served.host,
      DOCKHAND_PACKAGES_TOKEN: "ghp_load",
      DOCKHAND_PRUNE_WRITE_INTERVAL_MS: "0",
      DOCKHAND_GITHUB_TIMEOUT_MS: "400",
    },
    {
      queue: (onJob, clock) =>
        new MemoryQueue({
          clock,
          log: pino({ level: "silent" }),
          maxTries: 25,
          retryDelayMs: 1,
          concurrency: 8,
          onJob,
        }),
    },
  );
  const { clock, queue } = app;

  let next = 0;
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < all.length) {
        const delivery = all[next]!;
        next += 1;
        statuses.push(await app.send(delivery.event, delivery.body, delivery.id));
      }
    }),
  );
  assert.ok(
    statuses.every((s) => s === 200),
    "every delivery acknowledged",
  );
  // Move time on (retries, re-run backoff, the prune grace period) until nothing is left to do.
  for (let round = 0; round < 400; round += 1) {
    // Jobs that back off sleep on the clock too: keep it moving while they run.
    let settled = false;
    const idle = queue.idle().then(() => (settled = true));
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!settled && clock.pending() > 0) clock.advance(1000);
    }
    await idle;
    const [soonest] = queue.scheduled();
    if (!soonest) break;
    clock.advance(Math.max(1, soonest.runAt - clock.now()));
  }
  assert.deepEqual(queue.scheduled(), [], "no job left waiting");
  await app.stop();
  await github.close();
  await served.close();
  assert.deepEqual(fake.violations, []);

  const comments: string[] = [];
  for (let n = 1; n <= REPORTS; n += 1) {
    const ours = fake.commentsOn(FULL, n).filter((c) => c.body.startsWith(REPORT_MARKER));
    const state = stateOf(ours[0]?.body ?? "", pullKey(FULL, n));
    const flags = [
      ours.length,
      state?.runs.some((r) => r.images.some((i) => i.tag === `pr-${n}`)) ? "image" : "no-image",
      state?.runs.find((r) => r.retry)?.retry?.outcome.status ?? "",
      state?.prune
        ? `${state.prune.status}:${state.prune.packages.map((p) => p.deleted.map((d) => d.id).join("+")).join("")}`
        : "",
    ];
    comments.push(`#${n}:${flags.join(",")}`);
  }
  return {
    comments,
    reruns: fake.reruns.map((r) => `${r.runId}:${r.attempt}`).sort(),
    deleted: versions
      .filter((v) => !fake.packageVersions("octo-org", "app").some((k) => k.id === v.id))
      .map((v) => v.id)
      .sort((a, b) => a - b),
    faults: fake.chaosFaults,
  };
}

describe("load and faults: 1,000 deliveries, 10% duplicates", () => {
  it("ends in the same state with GitHub failing 5% of requests as without faults", async (t) => {
    const clean = await play(0);
    assert.equal(clean.reruns.length, FLAKY, "every flaky run re-run once");
    assert.equal(clean.deleted.length, CLOSES, "every closed PR's image pruned");
    // Open PRs get a report with their image; closed ones (closed before their run's report) only the prune record.
    const expected = (n: number) =>
      n > REPORTS - CLOSES ? `#${n}:1,no-image,,done:${n}` : `#${n}:1,image,${n <= FLAKY ? "requested" : ""},`;
    assert.deepEqual(
      clean.comments,
      Array.from({ length: REPORTS }, (_, i) => expected(i + 1)),
      "one comment per PR, saying what happened",
    );
    const faulty = await play(0.05);
    t.diagnostic(`faults injected: ${JSON.stringify(faulty.faults)}`);
    const enough = REPORTS / 10;
    assert.ok(
      Object.values(faulty.faults).every((n) => n > enough),
      "faults of each kind were injected",
    );
    assert.deepEqual(faulty.reruns, clean.reruns, "no re-run lost or doubled");
    assert.deepEqual(faulty.deleted, clean.deleted, "no deletion lost or extra");
    assert.deepEqual(faulty.comments, clean.comments, "one comment per PR, saying the same");
  });
});
