/**
 * Webhook acknowledgement latency under concurrent deliveries: the app as it runs (the webhook path
 * only queues; workers handle) against the same app handling each delivery inside the request, in the
 * same run. The app is Probot's server over HTTP with Dockhand loaded, GitHub is the HTTP fake; each
 * delivery is a signed workflow_run.completed whose handling reads jobs, logs and artifacts and writes
 * the PR comment.
 * Usage: tsx bench/webhook-ack.ts [deliveries] [concurrency]   (default 60, 20)
 */
import { createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { dockhandOctokit } from "../src/github/octokit-options.js";
import { createDockhand } from "../src/index.js";
import type { JobHandler, JobQueue } from "../src/queue/job-queue.js";
import { readSettings } from "../src/settings.js";
import { startHttpGitHub } from "../test/support/http-github.js";
import { freePort, waitFor } from "../test/support/net.js";
import { buildJob, buildxLog, DIGEST_A, REPO } from "../test/support/scenario.js";
import { privateKey } from "../test/support/test-app.js";
import { workflowRunCompleted } from "../test/support/webhooks.js";

const count = Number(process.argv[2] ?? 60);
const concurrency = Number(process.argv[3] ?? 20);
const SECRET = "bench";

/** Runs each job inside `add`, so the webhook request waits for the whole handling. */
class InlineQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler>();
  async add(kind: string, data: unknown): Promise<boolean> {
    await this.handlers.get(kind)?.(data, { checkpoint: () => Promise.resolve(), lastTry: true, mayWait: false });
    return true;
  }
  handle(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }
  ready(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function run(mode: "queued" | "in-request"): Promise<{ latencies: number[]; seconds: number; comments: number }> {
  const github = await startHttpGitHub();
  const fake = github.fake;
  fake.addRepo(REPO);
  for (let i = 0; i < count; i += 1) {
    const sha = i.toString(16).padStart(40, "0");
    fake.addPull("octo-org/app", { number: i + 1, headRef: `b${i}`, headSha: sha, headRepo: REPO });
    fake.setJobs("octo-org/app", 1000 + i, 1, [
      buildJob(i + 1, buildxLog([`ghcr.io/octo-org/app:pr-${i + 1}`], DIGEST_A)),
    ]);
  }
  Object.assign(process.env, { DOCKHAND_REGISTRIES: "127.0.0.1:9", DOCKHAND_SWEEP: "off" });
  const port = await freePort();
  const server = new Server({
    Probot: Probot.defaults({
      appId: fake.app.id,
      privateKey,
      secret: SECRET,
      baseUrl: fake.apiUrl,
      Octokit: dockhandOctokit(readSettings()),
    }),
    host: "127.0.0.1",
    port,
    log: pino({ level: process.env.LOG_LEVEL ?? "silent" }),
  });
  let close: (() => Promise<void>) | undefined;
  await server.load(
    createDockhand({
      onStarted: (handles) => (close = handles.close),
      ...(mode === "in-request" ? { queue: () => new InlineQueue() } : {}),
    }),
  );
  await server.start();
  const bodies = Array.from({ length: count }, (_, i) =>
    JSON.stringify(
      workflowRunCompleted({
        repo: REPO,
        id: 1000 + i,
        headSha: i.toString(16).padStart(40, "0"),
        headBranch: `b${i}`,
      }),
    ),
  );
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const body = bodies[next] ?? "";
        next += 1;
        const t0 = performance.now();
        const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
          method: "POST",
          body,
          headers: {
            "content-type": "application/json",
            "x-github-event": "workflow_run",
            "x-github-delivery": `b-${next}`,
            "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
          },
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const comments = () => [...fake.comments.values()].filter((list) => list.length > 0).length;
  await waitFor(() => Promise.resolve(comments() === count), 300_000, "not every delivery was handled");
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  await close?.();
  await github.close();
  return { latencies: latencies.sort((a, b) => a - b), seconds, comments: comments() };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const results = { queued: await run("queued"), "in-request": await run("in-request") };
console.log(`# Webhook acknowledgement: ${count} deliveries, ${concurrency} at a time, node ${process.version}\n`);
console.log("| Mode | p50 | p99 | max | All handled in | Comments |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [mode, r] of Object.entries(results)) {
  console.log(
    `| ${mode === "queued" ? "queued (Dockhand)" : "handled in the request"} | ${pct(r.latencies, 50).toFixed(1)} ms | ${pct(r.latencies, 99).toFixed(1)} ms | ${(r.latencies.at(-1) ?? 0).toFixed(1)} ms | ${r.seconds.toFixed(1)} s | ${r.comments}/${count} |`,
  );
}
